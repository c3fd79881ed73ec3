"""Marking tickets stale when an audited change of them commits (audit.signals): the refresh
sweep computes their facts again. Only a row is written here."""

from typing import Any

from serviceloop.audit.models import AuditEvent

from .models import StaleTicket


def on_committed(sender: type[AuditEvent], *, event: AuditEvent, **kwargs: Any) -> None:
    if event.ticket_id is not None:
        StaleTicket.objects.bulk_create(
            [StaleTicket(ticket_id=event.ticket_id)], ignore_conflicts=True
        )
