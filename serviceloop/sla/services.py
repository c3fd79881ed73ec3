"""The SLA clock of each ticket, moved by what happens to the ticket.

The tickets app calls these from its use cases, inside their transactions: on creation
(`start_clock`), on a staff response or a customer message (`on_response`,
`on_customer_message`), on every status change (`on_status`) and when urgency or category
change (`retarget`). Due times are always derived the same way: the policy's target,
counted from the ticket's creation (first response, resolution) or from the customer's last
message (next response), in business time of the team's calendar or in calendar time, the
resolution target lengthened by the time the clock was paused (waiting on the customer,
resolved until reopened).
"""

import time as timer
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from django.conf import settings

from serviceloop.tickets.choices import Status
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.reference import catalogue

from .business_time import Schedule, business_minutes_between
from .calendars import schedule_for
from .models import SlaPolicy, TicketClock
from .policies import TicketFacts, due, policy_for

PAUSED = (Status.WAITING_CUSTOMER, Status.RESOLVED, Status.CLOSED)

# Policies and schedules are read at most every REFERENCE_CACHE_SECONDS per process (like
# the categories and teams: decision 0006).
_cache: dict[str, tuple[float, Any]] = {}


def _cached[T](key: str, load: Callable[[], T]) -> T:
    now = timer.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[0] < settings.REFERENCE_CACHE_SECONDS:
        return cast(T, hit[1])
    value = load()
    _cache[key] = (now, value)
    return value


def forget(**kwargs: object) -> None:
    """Drop this process's copies of policies and schedules (tests; after admin changes the
    other processes follow within REFERENCE_CACHE_SECONDS)."""
    _cache.clear()


def _policies() -> list[SlaPolicy]:
    return _cached("policies", lambda: list(SlaPolicy.objects.filter(is_active=True)))


def _schedule(team_id: int | None) -> Schedule:
    def load() -> Schedule:
        team = catalogue().team_by_id.get(team_id) if team_id else None
        return schedule_for(team)

    return _cached(f"schedule:{team_id}", load)


def _facts(ticket: Ticket) -> TicketFacts:
    known = catalogue().category_by_id
    ancestors: list[int] = []
    node = known.get(ticket.category_id) if ticket.category_id else None
    while node is not None and node.pk not in ancestors:
        ancestors.append(node.pk)
        node = known.get(node.parent_id) if node.parent_id else None
    return TicketFacts(
        urgency=ticket.urgency,
        kind=ticket.kind,
        channel=ticket.channel,
        category_ids=ancestors,
        tier_id=ticket.customer.tier_id,
    )


def _measure(clock: TicketClock, start: datetime, end: datetime, schedule: Schedule) -> float:
    """Minutes between two moments in the policy's measure (business or calendar)."""
    if clock.policy is not None and clock.policy.business_time:
        return business_minutes_between(schedule, start, end)
    return (end - start).total_seconds() / 60


def _derive(clock: TicketClock, ticket: Ticket) -> None:
    """First response and resolution due times from the policy (next response is set by
    the customer's messages)."""
    policy, schedule = clock.policy, _schedule(ticket.team_id)
    if policy is None:
        clock.first_response_due = clock.resolution_due = clock.next_response_due = None
        return
    if clock.first_response_breached is None:
        clock.first_response_due = due(
            policy, policy.first_response_minutes, ticket.created_at, schedule
        )
    target = policy.resolution_minutes
    clock.resolution_due = due(
        policy,
        None if target is None else round(target + clock.paused_minutes),
        ticket.created_at,
        schedule,
    )


def start_clock(ticket: Ticket) -> TicketClock:
    """A new ticket: find its policy and set its first-response and resolution due times."""
    clock = TicketClock(ticket=ticket, policy=policy_for(_policies(), _facts(ticket)))
    _derive(clock, ticket)
    clock.save(force_insert=True)
    return clock


def _clock_of(ticket: Ticket) -> TicketClock | None:
    return TicketClock.objects.select_related("policy").filter(ticket=ticket).first()


def on_response(ticket: Ticket, at: datetime) -> None:
    """A public staff response: the first response is met or late; the customer is no
    longer waiting for a next one."""
    clock = _clock_of(ticket)
    if clock is None:
        return
    fields = []
    if clock.first_response_breached is None and clock.first_response_due is not None:
        clock.first_response_breached = at > clock.first_response_due
        fields.append("first_response_breached")
    if clock.next_response_due is not None:
        if at > clock.next_response_due:
            clock.next_response_breached = True
            fields.append("next_response_breached")
        clock.next_response_due = None
        fields.append("next_response_due")
    if fields:
        clock.save(update_fields=fields)


def on_customer_message(ticket: Ticket, at: datetime) -> None:
    """The customer wrote (or called): a next response is due, once the first one is given."""
    clock = _clock_of(ticket)
    if clock is None or clock.policy is None or ticket.first_response_at is None:
        return
    if clock.next_response_due is not None:  # already waiting: the earlier message counts
        return
    clock.next_response_due = due(
        clock.policy, clock.policy.next_response_minutes, at, _schedule(ticket.team_id)
    )
    clock.next_response_from = at
    clock.save(update_fields=["next_response_due", "next_response_from"])


def on_status(ticket: Ticket, previous: str, at: datetime) -> None:
    """Waiting on the customer or resolved pauses the resolution clock; back to work resumes
    it (the paused time lengthens the target). Resolving decides whether it was met."""
    clock = _clock_of(ticket)
    if clock is None:
        return
    now_paused = ticket.status in PAUSED
    if now_paused and clock.paused_at is None:
        clock.paused_at = at
    elif not now_paused and clock.paused_at is not None:
        clock.paused_minutes += max(
            _measure(clock, clock.paused_at, at, _schedule(ticket.team_id)), 0
        )
        clock.paused_at = None
        _derive(clock, ticket)
    if ticket.status == Status.RESOLVED and clock.resolution_due is not None:
        clock.resolution_breached = at > clock.resolution_due
    elif previous == Status.RESOLVED and not now_paused:  # reopened: decided again later
        clock.resolution_breached = None
    if ticket.status in (Status.RESOLVED, Status.CLOSED):
        clock.next_response_due = None
    clock.save()


def retarget(ticket: Ticket) -> None:
    """Urgency, category or team changed: the matching policy and the due times follow."""
    clock = _clock_of(ticket)
    if clock is None:
        start_clock(ticket)
        return
    clock.policy = policy_for(_policies(), _facts(ticket))
    _derive(clock, ticket)
    clock.save()
