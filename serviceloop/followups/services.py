"""Follow-up use cases (回访): opening them (the rule at resolution, low scores), recording
their outcome, cancelling them when the ticket is reopened, and the overdue sweep."""

import hashlib
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import Team, User
from serviceloop.accounts.queries import supervisors_by_team
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.batches import skip_locked
from serviceloop.core.errors import Conflict, NotPermitted, ValidationFailed
from serviceloop.customers.models import Customer
from serviceloop.inbox.models import Kind as NotificationKind
from serviceloop.inbox.services import notify
from serviceloop.satisfaction.models import CsatSurvey, NpsResponse
from serviceloop.tickets import services as tickets
from serviceloop.tickets.choices import Kind, Status, Urgency
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.reference import catalogue

from . import events
from .choices import RULE_REASONS, SATISFACTION_SCORES, FollowUpStatus, Outcome, Reason
from .models import FollowUp, FollowUpRule
from .permissions import FOLLOW_UP_WORKER_ROLES, SEES_ALL_FOLLOW_UPS_ROLES

MAX_NOTES = 20_000
AUDITED = ("reason", "status", "assignee", "due_at", "outcome", "satisfaction")
OVERDUE_KIND = NotificationKind.FOLLOW_UP_OVERDUE


# --- opening -------------------------------------------------------------------------------


def is_drawn(ticket_id: int, percent: int) -> bool:
    """Whether ticket `ticket_id` falls in a random `percent` share: a hash of the id, so the
    same ticket draws the same way every time (and in tests)."""
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"serviceloop.follow-up:{ticket_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100 < percent


def rule_reason(ticket: Ticket, rule: FollowUpRule) -> Reason | None:
    """Why the rule wants a follow-up of resolved `ticket`, or None."""
    if rule.all_complaints and ticket.kind == Kind.COMPLAINT:
        return Reason.COMPLAINT
    if rule.high_urgency and ticket.urgency in (Urgency.HIGH, Urgency.CRITICAL):
        return Reason.HIGH_URGENCY
    if is_drawn(ticket.pk, rule.random_percent):
        return Reason.RANDOM
    return None


def assignee_for(ticket: Ticket | None) -> User | None:
    """The ticket's assignee while they still work tickets in its team; else nobody (the
    team's queue of follow-ups)."""
    person = ticket.assignee if ticket is not None else None
    if person is None or not person.is_active or person.role not in FOLLOW_UP_WORKER_ROLES:
        return None
    if ticket is None or ticket.team_id is None or ticket.team_id not in person.team_ids:
        return None
    return person


def _team_for(ticket: Ticket | None) -> Team | None:
    if ticket is not None and ticket.team_id is not None:
        return ticket.team
    return catalogue().default_team


def _open(
    *,
    reason: Reason,
    customer: Customer,
    ticket: Ticket | None,
    rule: FollowUpRule,
    csat_survey: CsatSurvey | None = None,
    nps_response: NpsResponse | None = None,
) -> FollowUp | None:
    """Insert one follow-up and audit it; None when a unique constraint says it exists
    already (another worker, a second run of the same event)."""
    now = clock.now()
    follow_up = FollowUp(
        ticket=ticket,
        customer=customer,
        team=_team_for(ticket),
        reason=reason,
        assignee=assignee_for(ticket),
        due_at=now + timedelta(hours=rule.due_hours),
        csat_survey=csat_survey,
        nps_response=nps_response,
        created_at=now,
    )
    try:
        with transaction.atomic():
            follow_up.save(force_insert=True)
    except IntegrityError:
        return None
    audit.record(
        actor=None,
        action=events.FOLLOW_UP_OPENED,
        target=follow_up,
        after=audit.snapshot(follow_up, AUDITED),
    )
    return follow_up


@transaction.atomic
def open_follow_up_after_resolution(*, ticket: Ticket) -> FollowUp | None:
    """What the rule (FollowUpRule) decides for a ticket just resolved: a follow-up for a
    complaint, a high or critical urgency, or a ticket in the random share; at most one open
    follow-up per ticket. None when the rule wants none, the ticket is no longer resolved
    (reopened meanwhile) or it has an open follow-up already. Audit: follow_up.opened."""
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("assignee", "customer", "team")
        .get(pk=ticket.pk)
    )
    if ticket.status != Status.RESOLVED:
        return None
    rule = FollowUpRule.current()
    reason = rule_reason(ticket, rule)
    if reason is None:
        return None
    if FollowUp.objects.filter(ticket=ticket, status=FollowUpStatus.OPEN).exists():
        return None
    return _open(reason=reason, customer=ticket.customer, ticket=ticket, rule=rule)


@transaction.atomic
def open_low_score_follow_up(
    *,
    csat_survey: CsatSurvey | None = None,
    nps_response: NpsResponse | None = None,
) -> FollowUp | None:
    """A follow-up for a low CSAT score (about its ticket) or a low NPS score (about the
    customer's latest ticket, or none). Once per survey, whatever happens to the answer
    later (a second run finds the first one's). Run by the worker once the answer committed
    (receivers.py). Audit: follow_up.opened."""
    rule = FollowUpRule.current()
    if csat_survey is not None:
        if FollowUp.objects.filter(csat_survey=csat_survey).exists():
            return None
        ticket = Ticket.objects.select_related("assignee", "team").get(pk=csat_survey.ticket_id)
        return _open(
            reason=Reason.LOW_CSAT,
            customer=csat_survey.customer,
            ticket=ticket,
            rule=rule,
            csat_survey=csat_survey,
        )
    if nps_response is None:
        raise ValueError("a CSAT survey or an NPS response")
    if FollowUp.objects.filter(nps_response=nps_response).exists():
        return None
    latest = (
        Ticket.objects.select_related("assignee", "team")
        .filter(customer_id=nps_response.customer_id)
        .order_by("-created_at", "-id")
        .first()
    )
    return _open(
        reason=Reason.LOW_NPS,
        customer=nps_response.customer,
        ticket=latest,
        rule=rule,
        nps_response=nps_response,
    )


@transaction.atomic
def cancel_rule_follow_ups(*, ticket: Ticket) -> int:
    """The ticket was reopened: the open follow-ups the rule made for its resolution have
    nothing to check any more (the next resolution decides again). Follow-ups of low scores
    stay. Returns how many were cancelled. Audit: follow_up.cancelled."""
    stale = list(
        FollowUp.objects.select_for_update().filter(
            ticket=ticket, status=FollowUpStatus.OPEN, reason__in=RULE_REASONS
        )
    )
    for follow_up in stale:
        follow_up.status = FollowUpStatus.CANCELLED
        follow_up.save(update_fields=["status"])
        audit.record(
            actor=None, action=events.FOLLOW_UP_CANCELLED, target=follow_up,
            before={"status": FollowUpStatus.OPEN}, after={"status": FollowUpStatus.CANCELLED},
            note="the ticket was reopened",
        )  # fmt: skip
    return len(stale)


# --- recording the outcome -----------------------------------------------------------------


def may_work(user: User, follow_up: FollowUp) -> bool:
    """Whether `user` may record `follow_up`: ticket workers of its team, its assignee, and
    managers and administrators for any."""
    if not user.is_active or user.role not in FOLLOW_UP_WORKER_ROLES:
        return False
    if user.role in SEES_ALL_FOLLOW_UPS_ROLES:
        return True
    return follow_up.assignee_id == user.pk or follow_up.team_id in user.team_ids


@transaction.atomic
def record_follow_up(
    *,
    follow_up: FollowUp,
    actor: User,
    outcome: str,
    satisfaction: int | None = None,
    notes: str = "",
) -> FollowUp:
    """Record what the call back found and close the follow-up.

    `outcome` solved or not_solved; `satisfaction` 1-5 or None (not asked); `notes` go to
    the ticket's timeline as an internal note. "Not solved" needs notes (what is still
    wrong) and reopens a resolved ticket with them as the reason (tickets'
    transition_ticket); a closed ticket stays closed (closed is final: a new request is
    needed). Audit: follow_up.recorded (+ the ticket's own events).
    """
    if actor.role not in FOLLOW_UP_WORKER_ROLES:
        raise NotPermitted(_("Your role may not record follow-ups."))
    if not may_work(actor, follow_up):
        raise NotPermitted(_("This follow-up belongs to another team."))
    notes = notes.strip()
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose a valid value.")
    if satisfaction is not None and satisfaction not in SATISFACTION_SCORES:
        errors["satisfaction"] = _("Choose a score from 1 to 5.")
    if len(notes) > MAX_NOTES:
        errors["notes"] = _("Use at most 20,000 characters.")
    elif outcome == Outcome.NOT_SOLVED and not notes:
        errors["notes"] = _("Say what is still not solved.")
    if errors:
        raise ValidationFailed(errors)
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("ticket")
        .get(pk=follow_up.pk)
    )
    if follow_up.status != FollowUpStatus.OPEN:
        raise Conflict(_("This follow-up is no longer open."))
    before = audit.snapshot(follow_up, AUDITED)
    follow_up.status = FollowUpStatus.DONE
    follow_up.outcome = outcome
    follow_up.satisfaction = satisfaction
    follow_up.notes = notes
    follow_up.done_at = clock.now()
    follow_up.done_by = actor
    follow_up.save(
        update_fields=["status", "outcome", "satisfaction", "notes", "done_at", "done_by"]
    )
    before, after = audit.changed(before, audit.snapshot(follow_up, AUDITED))
    audit.record(actor=actor, action=events.FOLLOW_UP_RECORDED, target=follow_up, before=before,
                 after=after, note=notes)  # fmt: skip
    ticket = follow_up.ticket
    if ticket is not None and notes:
        label = Outcome(outcome).label
        tickets.add_interaction(
            ticket=ticket, actor=actor, is_internal=True,
            content=str(_("Follow-up (%(outcome)s): %(notes)s")) % {
                "outcome": label, "notes": notes
            },
        )  # fmt: skip
    if ticket is not None and outcome == Outcome.NOT_SOLVED:
        ticket.refresh_from_db(fields=["status"])
        if ticket.status == Status.RESOLVED:
            tickets.transition_ticket(
                ticket=ticket, to=Status.IN_PROGRESS, actor=actor, reason=notes
            )
    return follow_up


# --- the overdue sweep ---------------------------------------------------------------------


def notify_overdue_follow_ups(*, now: datetime | None = None, batch: int = 200) -> int:
    """Tell the assignee of each open follow-up past its due time — the team's supervisors
    when nobody has it — once: `overdue_notified_at` is stamped in the same transaction.
    Returns how many follow-ups were notified about."""
    handled = 0
    while True:
        taken = _notify_batch(now=now, batch=batch)
        handled += taken
        if taken < batch:  # nothing due is left, or other workers hold the rest
            return handled


def _locked(due: QuerySet[FollowUp], batch: int) -> list[FollowUp]:
    return list(skip_locked(due).order_by("due_at", "id")[:batch])


@transaction.atomic
def _notify_batch(*, now: datetime | None, batch: int) -> int:
    now = now or clock.now()
    due = FollowUp.objects.filter(
        status=FollowUpStatus.OPEN, overdue_notified_at__isnull=True, due_at__lt=now
    ).select_related("ticket", "assignee", "customer")  # follow_up_overdue_due
    rows = _locked(due, batch)
    if not rows:
        return 0
    unassigned = [row.team_id for row in rows if row.assignee is None or not row.assignee.is_active]
    supervisors = supervisors_by_team(unassigned)
    entries = []
    for row in rows:
        if row.assignee is not None and row.assignee.is_active:
            recipients: list[User] = [row.assignee]
        else:
            recipients = supervisors.get(row.team_id or 0, [])
        number = row.ticket.number if row.ticket is not None else row.customer.name
        notify(
            recipients, kind=OVERDUE_KIND, ticket=row.ticket,
            params={"number": number, "follow_up": row.pk,
                    "due_at": row.due_at.isoformat()},
        )  # fmt: skip
        entries.append(
            audit.Entry(actor=None, action=events.FOLLOW_UP_OVERDUE, target=row,
                        after={"due_at": row.due_at, "notified": [u.pk for u in recipients]})
        )  # fmt: skip
    FollowUp.objects.filter(pk__in=[row.pk for row in rows]).update(overdue_notified_at=now)
    audit.record_all(entries)
    return len(rows)
