"""The SLA clock of each ticket, moved by what happens to the ticket.

The ticket use cases announce their changes inside their transactions (tickets.signals) and
receivers.py calls these: on creation (`start_clock`), on a staff response or a customer
message (`on_response`, `on_customer_message`), on every status change (`on_status`) and
when urgency, kind, category or team change (`retarget`). Due times are always derived the
same way: the policy's target, counted from the ticket's creation (first response,
resolution) or from the customer's last message (next response), in business time of the
team's calendar or in calendar time, the resolution target lengthened by the time the clock
was paused (waiting on the customer, resolved until reopened).
"""

from datetime import datetime, timedelta

from serviceloop.calendars.business_time import (
    NoWorkingTime,
    Schedule,
    add_business_minutes,
    business_minutes_between,
)
from serviceloop.calendars.schedules import team_schedule
from serviceloop.core import rows
from serviceloop.core.memo import ProcessCache
from serviceloop.tickets.choices import OPEN_STATUSES, Status
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.reference import catalogue

from .models import EscalationRule, EscalationTarget, SlaPolicy, TicketClock
from .policies import TicketFacts, due, policy_for

PAUSED = (Status.WAITING_CUSTOMER, Status.RESOLVED, Status.CLOSED)

# Policies and escalation rules are read at most every REFERENCE_CACHE_SECONDS per process
# (like the categories and teams: decision 0006); schedules are the calendars app's.
_cache = ProcessCache()


def forget(**kwargs: object) -> None:
    """Drop this process's copies of policies and escalation rules (tests; after admin
    changes the other processes follow within REFERENCE_CACHE_SECONDS)."""
    _cache.forget()


def _policies() -> list[SlaPolicy]:
    return _cache.get("policies", lambda: list(SlaPolicy.objects.filter(is_active=True)))


def escalation_rules() -> list[EscalationRule]:
    """The active escalation rules in position order (cached like the policies)."""
    return _cache.get(
        "escalation_rules", lambda: list(EscalationRule.objects.filter(is_active=True))
    )


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


def span_of(clock: TicketClock, ticket: Ticket, target: str) -> tuple[datetime | None, float]:
    """Where the target's time counts from, and its length in the policy's measure (minutes
    of business or calendar time); (None, 0) when the target has no due time."""
    policy = clock.policy
    if policy is None or getattr(clock, f"{target}_due") is None:
        return None, 0
    if target == EscalationTarget.FIRST_RESPONSE:
        return ticket.created_at, float(policy.first_response_minutes or 0)
    if target == EscalationTarget.NEXT_RESPONSE:
        return clock.next_response_from, float(policy.next_response_minutes or 0)
    minutes = policy.resolution_minutes
    return ticket.created_at, float(round((minutes or 0) + clock.paused_minutes))


def percent_moment(
    clock: TicketClock, ticket: Ticket, target: str, percent: int
) -> datetime | None:
    """When `percent` of the target's span is used (counted like the due time), or None."""
    start, minutes = span_of(clock, ticket, target)
    due_at: datetime | None = getattr(clock, f"{target}_due")
    if start is None or due_at is None or clock.policy is None:
        return None
    used = minutes * percent / 100
    if not clock.policy.business_time:
        return min(start + timedelta(minutes=used), due_at)
    try:
        return min(add_business_minutes(team_schedule(ticket.team_id), start, used), due_at)
    except NoWorkingTime:
        return due_at


def _first_percent(target: str) -> int | None:
    percents = [
        rule.at_percent
        for rule in escalation_rules()
        if rule.at_percent is not None and rule.applies_to(target)
    ]
    return min(percents, default=None)


def _is_running(clock: TicketClock, ticket: Ticket, target: str) -> bool:
    if ticket.status not in OPEN_STATUSES or getattr(clock, f"{target}_due") is None:
        return False
    if target == EscalationTarget.FIRST_RESPONSE:
        return ticket.first_response_at is None
    if target == EscalationTarget.RESOLUTION:
        return clock.paused_at is None
    return True


WARN_FIELDS = [f"{target}_warn_at" for target in EscalationTarget.values]


def _mark_running(clock: TicketClock, ticket: Ticket) -> None:
    """Set each target's escalation mark (`<target>_warn_at`): the moment of the earliest
    percent level of the active rules (the due time without one) while the target runs,
    None once it is met, paused or the ticket is resolved or closed."""
    for target in EscalationTarget.values:
        mark = None
        if _is_running(clock, ticket, target):
            percent = _first_percent(target)
            mark = getattr(clock, f"{target}_due")
            if percent is not None:
                mark = percent_moment(clock, ticket, target, percent) or mark
        setattr(clock, f"{target}_warn_at", mark)


def _derive(clock: TicketClock, ticket: Ticket) -> None:
    """First response and resolution due times from the policy (next response is set by
    the customer's messages)."""
    policy, schedule = clock.policy, team_schedule(ticket.team_id)
    if policy is None:
        clock.first_response_due = clock.resolution_due = clock.next_response_due = None
        _mark_running(clock, ticket)
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
    _mark_running(clock, ticket)


def start_clock(ticket: Ticket) -> TicketClock:
    """A new ticket: find its policy and set its first-response and resolution due times."""
    clock = TicketClock(ticket=ticket, policy=policy_for(_policies(), _facts(ticket)))
    _derive(clock, ticket)
    rows.insert_new(clock)  # on every creation: see core.rows
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
    # responded: neither response target runs any more (whatever the breach flags say)
    for name in ("first_response_warn_at", "next_response_warn_at"):
        if getattr(clock, name) is not None:
            setattr(clock, name, None)
            fields.append(name)
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
        clock.policy, clock.policy.next_response_minutes, at, team_schedule(ticket.team_id)
    )
    clock.next_response_from = at
    _mark_running(clock, ticket)
    clock.save(update_fields=["next_response_due", "next_response_from", *WARN_FIELDS])


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
            _measure(clock, clock.paused_at, at, team_schedule(ticket.team_id)), 0
        )
        clock.paused_at = None
        _derive(clock, ticket)
    if ticket.status == Status.RESOLVED and clock.resolution_due is not None:
        clock.resolution_breached = at > clock.resolution_due
    elif previous == Status.RESOLVED and not now_paused:  # reopened: decided again later
        clock.resolution_breached = None
    if ticket.status in (Status.RESOLVED, Status.CLOSED):
        clock.next_response_due = None
    _mark_running(clock, ticket)
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
