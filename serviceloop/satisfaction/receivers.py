"""What the satisfaction app does when an audited change commits: only enqueue (decision
0010); the worker does the rest."""

from typing import Any

from serviceloop.audit.models import AuditEvent
from serviceloop.tickets.events import is_resolution

from . import tasks


def on_committed(sender: type[AuditEvent], *, event: AuditEvent, **kwargs: Any) -> None:
    """A resolution (by staff, a customer's API call or the sweep that resolves unanswered
    tickets) schedules the request for a rating."""
    if is_resolution(event) and event.ticket_id is not None:
        tasks.schedule_csat.enqueue(event.ticket_id)
