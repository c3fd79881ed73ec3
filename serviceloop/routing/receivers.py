"""What routing does when a ticket is created (assign it by the team's rule, in the
creation's transaction), and when an audited change commits: decide from the event alone
whether capacity may have freed up, and enqueue a pass over the team queues concerned (the
worker does it; the periodic sweep catches what no event announces, like a shift
starting)."""

from typing import Any

from serviceloop.audit.models import AuditEvent
from serviceloop.tickets import events as ticket_events
from serviceloop.tickets.models import Ticket

from . import events, services, tasks


def on_ticket_created(sender: type[Ticket], *, ticket: Ticket, **kwargs: Any) -> None:
    services.route(ticket)  # the team's rule may assign it at once (分派)


def on_committed(sender: type[AuditEvent], *, event: AuditEvent, **kwargs: Any) -> None:
    before, after = event.before or {}, event.after or {}
    if ticket_events.closes_ticket(event):  # its assignee has one open ticket less
        tasks.route_freed_queues.enqueue(ticket_id=event.ticket_id)
    elif event.action in ticket_events.ASSIGNEE_CHANGES:
        previous = before.get("assignee")
        if previous is not None and after.get("assignee") != previous:
            tasks.route_freed_queues.enqueue(agent_id=previous)
        if event.action == ticket_events.TICKET_TRANSFERRED:  # it may wait in its new team's queue
            tasks.route_freed_queues.enqueue(ticket_id=event.ticket_id)
    elif event.action == events.AGENT_AWAY_CHANGED and after.get("away") is False:
        tasks.route_freed_queues.enqueue(agent_id=int(event.target_id))
