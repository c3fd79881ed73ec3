"""Marking tickets stale when an audited change of them commits (audit.signals): the refresh
sweep computes their facts again. Only a row is written here."""

from typing import Any

from serviceloop.audit.models import AuditEvent
from serviceloop.core import rows

from .models import StaleTicket


def on_committed(sender: type[AuditEvent], *, event: AuditEvent, **kwargs: Any) -> None:
    if event.ticket_id is not None:
        # after every ticket change: one kept statement, not the ORM's bulk_create
        rows.insert_ignoring(StaleTicket, {"ticket_id": event.ticket_id})
