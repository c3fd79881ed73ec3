from django.db.models import QuerySet

from .models import AuditEvent


def events_of_ticket(ticket_id: int) -> QuerySet[AuditEvent]:
    """Everything that happened to a ticket and to what hangs off it, oldest first."""
    return AuditEvent.objects.filter(ticket_id=ticket_id).order_by("occurred_at", "id")
