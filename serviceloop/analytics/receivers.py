"""Marking tickets stale with every audited change of them (audit.signals.recorded): the
refresh sweep computes their facts again. Only a row is written here, in the change's own
transaction, so the mark commits with the change."""

from typing import Any

from serviceloop.audit.models import AuditEvent
from serviceloop.core import rows

from .models import StaleTicket


def on_recorded(sender: type[AuditEvent], *, event: AuditEvent, **kwargs: Any) -> None:
    if event.ticket_id is not None:
        # after every ticket change: one kept statement, not the ORM's bulk_create
        rows.insert_ignoring(StaleTicket, {"ticket_id": event.ticket_id})
