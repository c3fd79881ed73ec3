"""What routing does when a ticket is created (assign it by the team's rule, in the
creation's transaction), and when an audited change commits: decide from the event alone
whether capacity may have freed up, and enqueue a pass over the team queues concerned (the
worker does it; the periodic sweep catches what no event announces, like a shift
starting)."""

from typing import Any

from serviceloop.audit.models import AuditEvent
from serviceloop.tickets.choices import Status
from serviceloop.tickets.models import Ticket

from . import services, tasks


def on_ticket_created(sender: type[Ticket], *, ticket: Ticket, **kwargs: Any) -> None:
    services.route(ticket)  # the team's rule may assign it at once (分派)


_CLOSING = {Status.RESOLVED, Status.CLOSED}


def on_committed(sender: type[AuditEvent], *, event: AuditEvent, **kwargs: Any) -> None:
    before, after = event.before or {}, event.after or {}
    if event.action in ("ticket.transitioned", "ticket.merged"):
        if after.get("status") in _CLOSING:  # its assignee has one open ticket less
            tasks.route_freed_queues.enqueue(ticket_id=event.ticket_id)
    elif event.action in ("ticket.assigned", "ticket.transferred"):
        previous = before.get("assignee")
        if previous is not None and after.get("assignee") != previous:
            tasks.route_freed_queues.enqueue(agent_id=previous)
        if event.action == "ticket.transferred":  # it may wait in its new team's queue
            tasks.route_freed_queues.enqueue(ticket_id=event.ticket_id)
    elif event.action == "agent.away_changed" and after.get("away") is False:
        tasks.route_freed_queues.enqueue(agent_id=int(event.target_id))
