"""What follow-ups do when an audited change commits: only enqueue (decision 0010)."""

from typing import Any

from serviceloop.audit.models import AuditEvent
from serviceloop.tickets.choices import Status

from . import tasks


def on_committed(sender: type[AuditEvent], *, event: AuditEvent, **kwargs: Any) -> None:
    """A resolution asks the rule for a follow-up; a reopen cancels the rule's open ones."""
    if event.ticket_id is None:
        return
    status = (event.after or {}).get("status")
    if event.action == "ticket.transitioned" and status == Status.RESOLVED:
        tasks.follow_up_resolution.enqueue(event.ticket_id)
    elif event.action == "ticket.reopened":
        tasks.cancel_rule_follow_ups.enqueue(event.ticket_id)
