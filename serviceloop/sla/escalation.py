"""Escalation (升级): the sweep that acts when SLA targets are near or past their due time.

Each active `EscalationRule` is one level of one target (or of every target): at a percent of
the target's span, or some minutes after its breach. A sweep (`escalate_due_tickets`, run by
the worker every SWEEP_SECONDS) does, for each level, one indexed range query over the clocks
of running targets (`TicketClock.<target>_warn_at` is set only while a target runs, so the
partial indexes hold the open work only, however many tickets were closed), and acts on each
ticket it finds:

- an `Escalation` row is inserted first: its unique key (ticket, rule, target, wait) is the
  claim, so a level is acted on once per wait even with several workers at once; a new
  customer message starts a new wait for the next response, which may escalate again;
- the ticket is locked (on PostgreSQL `SKIP LOCKED`: a second worker takes other tickets),
  an audit event "ticket.escalated" and an internal note (in the company's language) are
  written, the people the rule names are notified (urgent from the breach on; the rows
  inbox.services.notify would make, inserted per batch), and the urgency is raised or the
  ticket handed to the team's manager through the ticket use cases (`apply_urgency`,
  `apply_assignee`), audited with no actor.

Before the rules, every target found past its due time is recorded as breached on its clock
(analytics see it without waiting for the late response).
"""

from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Field, OuterRef, Q, QuerySet
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import User
from serviceloop.accounts.queries import supervisors_by_team
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.batches import skip_locked
from serviceloop.inbox import services as inbox
from serviceloop.inbox.models import Kind, Notification
from serviceloop.tickets import services as ticket_services
from serviceloop.tickets.choices import OPEN_STATUSES, Urgency
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.queries import with_reference_data

from . import services as sla
from .events import TICKET_ESCALATED
from .models import Escalation, EscalationRule, EscalationTarget, TicketClock

# One step up each time; critical stays critical.
RAISED = {
    Urgency.LOW: Urgency.MEDIUM,
    Urgency.MEDIUM: Urgency.HIGH,
    Urgency.HIGH: Urgency.CRITICAL,
}
TARGET_NAMES: dict[str, Promise] = {
    "first_response": _("first response"),
    "next_response": _("next response"),
    "resolution": _("resolution"),
}
# the breach flag of each target, and its value while undecided
BREACH_FLAGS = {
    "first_response": ("first_response_breached", None),
    "next_response": ("next_response_breached", False),
    "resolution": ("resolution_breached", None),
}


def escalate_due_tickets(*, now: datetime | None = None, batch: int = 200) -> int:
    """Record the breaches and act on every escalation level now due; returns how many
    levels this call acted on (other workers may act on the rest at the same time).

    `now` (aware) replaces the clock, for what is due and for the stamps.
    """
    with clock.frozen_at(now) if now is not None else nullcontext():
        moment = clock.now()
        for target in EscalationTarget.values:
            while _record_breaches(target, moment, batch) == batch:
                pass
        rules = list(EscalationRule.objects.filter(is_active=True).order_by("position", "id"))
        people = _People()
        done = 0
        for rule in rules:
            for target in rule.targets:
                done += _escalate_level(rule, target, moment, batch, people)
        return done


def level_name(rule: EscalationRule) -> str:
    """The level as a code: "75%", "breach", "breach+120m"."""
    if rule.at_percent is not None:
        return f"{rule.at_percent}%"
    return "breach" if not rule.after_breach_minutes else f"breach+{rule.after_breach_minutes}m"


# --- what is due ----------------------------------------------------------------------------


def _running(target: str, column: str, up_to: datetime) -> QuerySet[Ticket]:
    """Open tickets whose `target` runs and whose clock `column` is at most `up_to` (one range
    over the clock's partial index of running targets)."""
    return Ticket.objects.filter(
        status__in=OPEN_STATUSES,
        **{f"sla_clock__{target}_warn_at__isnull": False, f"sla_clock__{column}__lte": up_to},
    )


@transaction.atomic
def _record_breaches(target: str, moment: datetime, batch: int) -> int:
    flag, undecided = BREACH_FLAGS[target]
    due = _running(target, f"{target}_due", moment).filter(**{f"sla_clock__{flag}": undecided})
    # in the order of the running targets' index on the due time (never the whole table's)
    ordered = due.order_by(f"sla_clock__{target}_due", "sla_clock__ticket_id")
    ids = list(skip_locked(ordered).values_list("pk", flat=True)[:batch])
    if ids:
        TicketClock.objects.filter(ticket_id__in=ids).update(**{flag: True})
    return len(ids)


def _escalate_level(
    rule: EscalationRule, target: str, moment: datetime, batch: int, people: "_People"
) -> int:
    """Act on every ticket that reached this rule's level of `target`, batch by batch (in
    the order of the column the level is read from, so that percent levels not reached yet
    are passed over, not read again)."""
    done, after = 0, None
    while True:
        acted, after, full = _escalate_batch(rule, target, moment, batch, after, people)
        done += acted
        if not full:  # the last batch: nothing else is due, or other workers hold it
            return done


@dataclass
class _Due:
    ticket: Ticket
    clock: TicketClock
    cycle: datetime
    level_at: datetime


@transaction.atomic
def _escalate_batch(
    rule: EscalationRule,
    target: str,
    moment: datetime,
    batch: int,
    after: tuple[datetime, int] | None,
    people: "_People",
) -> tuple[int, tuple[datetime, int] | None, bool]:
    if rule.at_percent is not None:
        column, up_to = f"{target}_warn_at", moment
    else:
        column = f"{target}_due"
        up_to = moment - timedelta(minutes=rule.after_breach_minutes or 0)
    cycle = "sla_clock__next_response_from" if target == "next_response" else "created_at"
    escalated = Escalation.objects.filter(
        ticket_id=OuterRef("pk"), rule_id=rule.pk, target=target, cycle=OuterRef(cycle)
    )
    due = _running(target, column, up_to).filter(~Exists(escalated))
    key = f"sla_clock__{column}"
    if after is not None:  # after the last batch, in the index's order (the >= fences its range)
        due = due.filter(
            Q(**{f"{key}__gte": after[0]})
            & (
                Q(**{f"{key}__gt": after[0]})
                | Q(**{key: after[0], "sla_clock__ticket_id__gt": after[1]})
            )
        )
    rows = list(
        skip_locked(due).order_by(key, "sla_clock__ticket_id").values_list("pk", key)[:batch]
    )
    if not rows:
        return 0, after, False
    last = (rows[-1][1], rows[-1][0])
    reached = list(_reached(rule, target, [pk for pk, _ in rows], moment))
    claimed = _claim(rule, target, reached, moment)
    notes: list[tuple[Ticket, str]] = []
    notifications: list[Notification] = []
    events: list[audit.Entry] = []
    for item in reached:
        if item.ticket.pk in claimed:
            _act(item, rule, target, moment, people, notes, notifications, events)
    audit.record_all(events)
    ticket_services.add_system_notes(notes, at=moment)
    Notification.objects.bulk_create(notifications)
    return len(claimed), last, len(rows) == batch


def _reached(
    rule: EscalationRule, target: str, ids: Sequence[int], moment: datetime
) -> Iterator[_Due]:
    """The tickets (locked, read with their clocks) that reached the rule's level: a percent
    level is computed exactly here, the column only told that it may be near."""
    tickets = with_reference_data(
        list(Ticket.objects.select_related("assignee", "sla_clock__policy").filter(pk__in=ids))
    )
    for ticket in sorted(tickets, key=lambda t: t.pk):
        clock_ = ticket.sla_clock
        due_at: datetime | None = getattr(clock_, f"{target}_due")
        cycle = clock_.next_response_from if target == "next_response" else ticket.created_at
        if due_at is None or cycle is None:
            continue
        if rule.at_percent is not None:
            level_at = sla.percent_moment(clock_, ticket, target, rule.at_percent)
            if level_at is None or level_at > moment:
                continue
        else:
            level_at = due_at + timedelta(minutes=rule.after_breach_minutes or 0)
        yield _Due(ticket=ticket, clock=clock_, cycle=cycle, level_at=level_at)


def _claim(
    rule: EscalationRule, target: str, reached: Sequence[_Due], moment: datetime
) -> set[int]:
    """Insert the log rows; the ids of the tickets whose row this call inserted (a row
    already there, written by another worker, is left alone: that worker acts on it)."""
    if not reached:
        return set()
    meta = Escalation._meta
    names = ("ticket_id", "rule_id", "target", "cycle", "level_at", "escalated_at")
    fields = [cast(Field[Any, Any], meta.get_field(name.removesuffix("_id"))) for name in names]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(getattr(f, "column", ""))) for f in fields)
    row = "(" + ", ".join(["%s"] * len(names)) + ")"
    params: list[Any] = []
    for item in reached:
        values = (item.ticket.pk, rule.pk, target, item.cycle, item.level_at, moment)
        params += [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)]
    unique = ", ".join(quote(name) for name in ("ticket_id", "rule_id", "target", "cycle"))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608
        f"{', '.join([row] * len(reached))} ON CONFLICT ({unique}) DO NOTHING "
        f"RETURNING {quote('ticket_id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(found[0]) for found in cursor.fetchall()}


# --- acting ---------------------------------------------------------------------------------


@dataclass
class _People:
    """Supervisors, managers and when each one's working time starts, read once per sweep."""

    supervisors: dict[int, list[User]] = field(default_factory=dict)
    users: dict[int, User | None] = field(default_factory=dict)
    hours: inbox.WorkingHours = field(default_factory=inbox.WorkingHours)

    def supervisors_of(self, team_id: int | None) -> list[User]:
        if team_id is None:
            return []
        if team_id not in self.supervisors:
            self.supervisors.update(supervisors_by_team([team_id]))
        return self.supervisors[team_id]

    def user(self, pk: int | None) -> User | None:
        if pk is None:
            return None
        if pk not in self.users:
            self.users[pk] = User.objects.filter(pk=pk, is_active=True).first()
        return self.users[pk]


def _manager_of(ticket: Ticket, people: _People) -> User | None:
    """The manager of the ticket's team, when there is one and they are active."""
    team = ticket.team if ticket.team_id else None
    return people.user(team.manager_id) if team is not None else None


def _recipients(
    rule: EscalationRule, ticket: Ticket, manager: User | None, people: _People
) -> list[User | None]:
    """Whom the rule notifies: the assignee (before any reassignment), the team's
    supervisors, the manager."""
    recipients: list[User | None] = []
    if rule.notify_assignee:
        recipients.append(ticket.assignee)
    if rule.notify_supervisors:
        recipients += people.supervisors_of(ticket.team_id)
    if rule.notify_manager:
        recipients.append(manager)
    return recipients


def _change_ticket(rule: EscalationRule, ticket: Ticket, manager: User | None) -> list[str]:
    """Raise the urgency and hand the ticket to the manager, as far as the rule says; what
    changed ("urgency", "assignee")."""
    done: list[str] = []
    note = f"escalation rule {rule.code}"
    if rule.raise_urgency and ticket.urgency in RAISED:
        ticket_services.apply_urgency(
            ticket, RAISED[Urgency(ticket.urgency)], actor=None, note=note
        )
        done.append("urgency")
    if rule.reassign_to_manager and manager is not None and ticket.assignee_id != manager.pk:
        ticket_services.apply_assignee(ticket, manager, actor=None, note=note)
        done.append("assignee")
    return done


def _notifications(
    rule: EscalationRule,
    target: str,
    due_at: datetime,
    ticket: Ticket,
    notified: list[User],
    people: _People,
) -> list[Notification]:
    """The inbox notifications of the level (urgent from the breach on), unsaved."""
    if rule.at_percent is not None:
        kind = Kind.SLA_WARNING
    else:
        kind = Kind.ESCALATED if rule.after_breach_minutes else Kind.SLA_BREACHED
    params = {
        "number": ticket.number, "target": target, "due_at": due_at.isoformat(),
        "rule": rule.code,
    }  # fmt: skip
    return inbox.notifications(
        notified,
        kind=kind,
        ticket=ticket,
        params=params,
        urgent=rule.is_breach_level,
        hours=people.hours,
    )


def _act(
    item: _Due,
    rule: EscalationRule,
    target: str,
    moment: datetime,
    people: _People,
    notes: list[tuple[Ticket, str]],
    notifications: list[Notification],
    events: list[audit.Entry],
) -> None:
    """Act on one ticket (locked); the note, the notifications and the "ticket.escalated"
    audit event are added to `notes`, `notifications` and `events`, inserted with the
    batch's."""
    ticket = item.ticket
    manager = _manager_of(ticket, people)
    recipients = _recipients(rule, ticket, manager, people)
    due_at: datetime = getattr(item.clock, f"{target}_due")
    done = _change_ticket(rule, ticket, manager)
    notified = [user for user in dict.fromkeys(recipients) if user is not None and user.is_active]
    events.append(
        audit.Entry(
            actor=None, action=TICKET_ESCALATED, target=ticket,
            after={
                "rule": rule.code, "target": target, "level": level_name(rule), "due_at": due_at,
                "notified": [user.pk for user in notified], "changed": done,
            },
        )
    )  # fmt: skip
    with translation.override(settings.LANGUAGE_CODE):
        content = _note(rule, target, due_at, ticket, done, notified)
    notes.append((ticket, content))
    notifications += _notifications(rule, target, due_at, ticket, notified, people)


def _note(
    rule: EscalationRule,
    target: str,
    due_at: datetime,
    ticket: Ticket,
    done: list[str],
    notified: list[User],
) -> str:
    """The internal note, in the active language."""
    values = {
        "rule": rule.name,
        "target": str(TARGET_NAMES[target]),
        "due": due_at.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%Y-%m-%d %H:%M"),
        "percent": rule.at_percent,
        "minutes": rule.after_breach_minutes,
    }
    if rule.at_percent is not None:
        lines = [gettext("%(percent)s%% of the %(target)s time is used (due %(due)s).") % values]
    elif not rule.after_breach_minutes:
        lines = [gettext("The %(target)s target was breached at %(due)s.") % values]
    else:
        lines = [
            gettext(
                "The %(target)s target has been breached for %(minutes)s minutes (due %(due)s)."
            )
            % values
        ]
    if "urgency" in done:
        lines.append(
            gettext("Urgency raised to %(urgency)s.") % {"urgency": Urgency(ticket.urgency).label}
        )
    if "assignee" in done and ticket.assignee is not None:
        lines.append(gettext("Reassigned to %(name)s.") % {"name": ticket.assignee.display_name})
    if notified:
        names = ", ".join(user.display_name for user in notified)
        lines.append(gettext("Notified: %(names)s.") % {"names": names})
    lines.append(gettext("Escalation rule: %(rule)s.") % values)
    return " ".join(lines)
