"""Reading a ticket's SLA clock for people: each target with its due time and its state."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from serviceloop.core import clock as clocks
from serviceloop.tickets.choices import OPEN_STATUSES
from serviceloop.tickets.models import Ticket

from .models import TicketClock

WARNING_SHARE = 0.75  # amber from three quarters of the time used
SOON = timedelta(hours=2)  # the "breaching soon" queue looks this far ahead


@dataclass(frozen=True)
class Target:
    code: str  # first_response, next_response, resolution
    label: Promise
    due: datetime | None
    start: datetime | None
    state: str  # running: ok, warning, breached; done: met, late; paused


def _running(start: datetime, due: datetime, now: datetime) -> str:
    if now > due:
        return "breached"
    span = (due - start).total_seconds()
    used = (now - start).total_seconds()
    return "warning" if span <= 0 or used >= WARNING_SHARE * span else "ok"


def _done(breached: bool) -> str:
    return "late" if breached else "met"


def targets_of(ticket: Ticket, *, now: datetime | None = None) -> list[Target]:
    """The ticket's targets that have a due time or an outcome (one query)."""
    clock = TicketClock.objects.filter(ticket_id=ticket.pk).first()
    return targets_from(clock, ticket, now=now)


def clock_loaded(ticket: Ticket) -> TicketClock | None:
    """The clock a list loaded with select_related("sla_clock"), or None (no query)."""
    try:
        return ticket.sla_clock
    except TicketClock.DoesNotExist:
        return None


def most_urgent(targets: list[Target]) -> Target | None:
    """The running target due first (what a list shows)."""
    running = [t for t in targets if t.state in ("ok", "warning", "breached") and t.due]
    return min(running, key=lambda t: t.due.timestamp() if t.due else 0.0, default=None)


def targets_from(
    clock: TicketClock | None, ticket: Ticket, *, now: datetime | None = None
) -> list[Target]:
    """The targets of a clock already read."""
    if clock is None or clock.policy_id is None:
        return []
    now = now or clocks.now()
    targets = []
    first = clock.first_response_due
    # decided by the first response (or by the ticket ending without one); a breach the
    # escalation sweep recorded before anyone answered is still running, and late
    answered = ticket.first_response_at is not None or ticket.status not in OPEN_STATUSES
    if clock.first_response_breached is not None and answered:
        targets.append(
            Target("first_response", _("First response"), first, ticket.created_at,
                   _done(clock.first_response_breached))
        )  # fmt: skip
    elif first is not None:
        targets.append(
            Target("first_response", _("First response"), first, ticket.created_at,
                   _running(ticket.created_at, first, now))
        )  # fmt: skip
    if clock.next_response_due is not None and clock.next_response_from is not None:
        targets.append(
            Target("next_response", _("Next response"), clock.next_response_due,
                   clock.next_response_from,
                   _running(clock.next_response_from, clock.next_response_due, now))
        )  # fmt: skip
    due = clock.resolution_due
    if clock.resolution_breached is not None and ticket.status not in OPEN_STATUSES:
        targets.append(
            Target("resolution", _("Resolution"), due, ticket.created_at,
                   _done(clock.resolution_breached))
        )  # fmt: skip
    elif clock.paused_at is not None and due is not None:
        targets.append(Target("resolution", _("Resolution"), due, ticket.created_at, "paused"))
    elif due is not None:
        targets.append(
            Target("resolution", _("Resolution"), due, ticket.created_at,
                   _running(ticket.created_at, due, now))
        )  # fmt: skip
    return targets


def breaching_soon(tickets: QuerySet[Ticket], *, now: datetime | None = None) -> QuerySet[Ticket]:
    """Open tickets with a running target that is late or falls due within SOON."""
    limit = (now or clocks.now()) + SOON
    due = TicketClock.objects.filter(
        # running targets (see TicketClock.*_warn_at): a breach the escalation sweep has
        # recorded stays in this view until the target is met
        Q(first_response_warn_at__isnull=False, first_response_due__lt=limit)
        | Q(next_response_warn_at__isnull=False, next_response_due__lt=limit)
        | Q(resolution_warn_at__isnull=False, resolution_due__lt=limit)
    ).values("ticket_id")
    return tickets.filter(id__in=due, status__in=OPEN_STATUSES)
