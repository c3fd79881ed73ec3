"""The actions of a plan (措施): add, replan, set their status, note problems met."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import Team, User
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.errors import Conflict, DomainError

from .. import events
from ..choices import ActionStatus
from ..models import ImprovementPlan, PlanAction, PlanActionNote
from .common import MAX_TITLE, Errors, clean_text, raise_if
from .plans import lock_active, refresh_teams

ACTION_FIELDS = ("title", "team", "person", "planned_start", "planned_end", "actual_end", "status")
MAX_ACTIONS = 100


@dataclass(frozen=True, kw_only=True)
class ActionDraft:
    title: str
    team: int | None
    person: int | None = None
    planned_start: date | None = None
    planned_end: date | None = None


def _today() -> date:
    return timezone.localdate(clock.now())


def _clean(draft: ActionDraft) -> dict[str, object]:
    errors: Errors = {}
    title = clean_text(errors, "title", draft.title, limit=MAX_TITLE)
    team = None
    if draft.team is None:
        errors["team"] = _("This field is required.")
    else:
        team = Team.objects.filter(pk=draft.team, is_active=True).first()
        if team is None:
            errors["team"] = _("Choose from the list.")
    person = None
    if draft.person is not None:
        person = User.objects.filter(pk=draft.person, is_active=True).first()
        if person is None or not person.is_staff_member:
            errors["person"] = _("There is no active staff member with this id.")
        elif team is not None and team.pk not in person.team_ids:
            errors["person"] = _("Choose a member of the responsible team.")
    if draft.planned_start is None:
        errors["planned_start"] = _("Enter a start date.")
    if draft.planned_end is None:
        errors["planned_end"] = _("Enter an end date.")
    elif draft.planned_start is not None and draft.planned_end < draft.planned_start:
        errors["planned_end"] = _("The end date must not be before the start date.")
    raise_if(errors)
    return {
        "title": title,
        "team": team,
        "person": person,
        "planned_start": draft.planned_start,
        "planned_end": draft.planned_end,
    }


def _lock(action: PlanAction, actor: User) -> PlanAction:
    """The action locked for a change, after its plan (in that order, as everywhere)."""
    plan = lock_active(action.plan, actor)
    locked = PlanAction.objects.select_for_update().get(pk=action.pk, plan=plan)
    locked.plan = plan
    return locked


@transaction.atomic
def add_action(*, plan: ImprovementPlan, actor: User, draft: ActionDraft) -> PlanAction:
    """Add an action with its responsible team (and person, a member of it) and dates."""
    locked = lock_active(plan, actor)
    values = _clean(draft)
    if locked.actions.count() >= MAX_ACTIONS:
        raise DomainError(_("A plan has at most 100 actions."), field="title")
    now = clock.now()
    action = PlanAction.objects.create(plan=locked, created_at=now, updated_at=now, **values)
    refresh_teams(locked)
    audit.record(
        actor=actor,
        action=events.PLAN_ACTION_ADDED,
        target=action,
        after={"plan": locked.code, **audit.snapshot(action, ACTION_FIELDS)},
    )
    return action


@transaction.atomic
def update_action(*, action: PlanAction, actor: User, draft: ActionDraft) -> PlanAction:
    """Change an action's title, responsibility or dates. A delayed action given a planned
    end from today on is back on schedule (and a new delay will be told again)."""
    locked = _lock(action, actor)
    values = _clean(draft)
    before = audit.snapshot(locked, ACTION_FIELDS)
    for name, value in values.items():
        setattr(locked, name, value)
    fields = [*values, "updated_at"]
    assert locked.planned_end is not None
    if locked.status == ActionStatus.DELAYED and locked.planned_end >= _today():
        locked.status, locked.delay_notified_at = ActionStatus.ON_SCHEDULE, None
        fields += ["status", "delay_notified_at"]
    locked.updated_at = clock.now()
    locked.save(update_fields=fields)
    refresh_teams(locked.plan)
    before, after = audit.changed(before, audit.snapshot(locked, ACTION_FIELDS))
    if after:
        audit.record(
            actor=actor,
            action=events.PLAN_ACTION_UPDATED,
            target=locked,
            before=before,
            after=after,
        )
    return locked


def _add_note(action: PlanAction, actor: User, text: str) -> PlanActionNote:
    note = PlanActionNote.objects.create(
        action=action, author=actor, text=text, created_at=clock.now()
    )
    audit.record(
        actor=actor,
        action=events.PLAN_ACTION_NOTED,
        target=action,
        after={"note": note.pk, "text": text},
    )
    return note


@transaction.atomic
def set_action_status(
    *,
    action: PlanAction,
    actor: User,
    status: str,
    actual_end: date | None = None,
    note: str = "",
) -> PlanAction:
    """Set an action on schedule, delayed, done (on `actual_end`, default today, not in the
    future) or cancelled; `note` (a problem met, a reason) is added to its notes."""
    locked = _lock(action, actor)
    errors: Errors = {}
    if status not in ActionStatus.values:
        errors["status"] = _("Choose from the list.")
    text = clean_text(errors, "note", note, required=status == ActionStatus.CANCELLED, limit=2000)
    if status == ActionStatus.DONE:
        actual_end = actual_end or _today()
        if actual_end > _today():
            errors["actual_end"] = _("The actual end must not be in the future.")
    elif actual_end is not None:
        errors["actual_end"] = _("Only a done action has an actual end.")
    raise_if(errors)
    if status == locked.status and actual_end == locked.actual_end:
        raise Conflict(_("The action already has this status."))
    before = audit.snapshot(locked, ["status", "actual_end"])
    # delay_notified_at stays: set back on schedule without a new planned end, an action
    # past its end is delayed again by the sweep, but its owner is not told twice.
    locked.status, locked.actual_end = status, actual_end
    locked.updated_at = clock.now()
    locked.save(update_fields=["status", "actual_end", "updated_at"])
    before, after = audit.changed(before, audit.snapshot(locked, ["status", "actual_end"]))
    audit.record(
        actor=actor,
        action=events.PLAN_ACTION_STATUS_CHANGED,
        target=locked,
        before=before,
        after=after,
    )
    if text:
        _add_note(locked, actor, text)
    return locked


@transaction.atomic
def add_action_note(*, action: PlanAction, actor: User, text: str) -> PlanActionNote:
    """Record a problem met while carrying out the action (notes are never changed)."""
    locked = _lock(action, actor)
    errors: Errors = {}
    text = clean_text(errors, "text", text, limit=2000)
    raise_if(errors)
    locked.updated_at = clock.now()
    locked.save(update_fields=["updated_at"])
    return _add_note(locked, actor, text)


@transaction.atomic
def delete_action(*, action: PlanAction, actor: User) -> None:
    """Remove an action entered by mistake: one without notes that is not done (any other
    is cancelled instead, so that its history stays)."""
    locked = _lock(action, actor)
    if locked.status == ActionStatus.DONE or locked.notes.exists():
        raise Conflict(_("This action has a history; cancel it instead of deleting it."))
    audit.record(
        actor=actor,
        action=events.PLAN_ACTION_DELETED,
        target=locked,
        before={"plan": locked.plan.code, **audit.snapshot(locked, ACTION_FIELDS)},
    )
    plan = locked.plan
    locked.delete()
    refresh_teams(plan)
