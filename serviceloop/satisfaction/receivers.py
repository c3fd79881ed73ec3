"""What the satisfaction app does when an audited change commits: only enqueue (decision
0010); the worker does the rest."""

from typing import Any

from serviceloop.audit.models import AuditEvent
from serviceloop.tickets.choices import Status

from . import tasks


def is_resolution(event: AuditEvent) -> bool:
    """Whether `event` is a ticket becoming resolved (by staff, a customer's API call or the
    sweep that resolves unanswered tickets), from the event alone."""
    return (
        event.action == "ticket.transitioned"
        and (event.after or {}).get("status") == Status.RESOLVED
        and event.ticket_id is not None
    )


def on_committed(sender: type[AuditEvent], *, event: AuditEvent, **kwargs: Any) -> None:
    if is_resolution(event):
        assert event.ticket_id is not None
        tasks.schedule_csat.enqueue(event.ticket_id)
