"""Background tasks of the inbox (Django's Tasks API)."""

from django.tasks import task

from serviceloop.audit.models import AuditEvent

from . import services


@task
def notify_about_event(event_id: int) -> int:
    """Create the notifications the audit event `event_id` calls for; returns how many."""
    event = AuditEvent.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    return len(services.notify_about_event(event=event))
