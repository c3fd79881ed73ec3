"""What follow-ups do when an audited change commits: only enqueue (decision 0010)."""

from typing import Any

from serviceloop.audit.models import AuditEvent
from serviceloop.satisfaction import events as satisfaction_events
from serviceloop.tickets import events as ticket_events

from . import tasks


def on_committed(sender: type[AuditEvent], *, event: AuditEvent, **kwargs: Any) -> None:
    """A resolution asks the rule for a follow-up; a reopen cancels the rule's open ones; a
    low CSAT or NPS score opens one."""
    if satisfaction_events.gives_low_score(event):
        if event.action in satisfaction_events.CSAT_ANSWERS:
            tasks.follow_up_low_csat.enqueue(int(event.target_id))
        else:
            tasks.follow_up_low_nps.enqueue(int(event.target_id))
        return
    if event.ticket_id is None:
        return
    if ticket_events.is_resolution(event):
        tasks.follow_up_resolution.enqueue(event.ticket_id)
    elif ticket_events.is_reopen(event):
        tasks.cancel_rule_follow_ups.enqueue(event.ticket_id)
