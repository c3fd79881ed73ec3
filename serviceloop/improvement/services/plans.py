"""Improvement plans (优化方案): create, edit, move through PDCA, complete or cancel."""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import User
from serviceloop.analytics import registry
from serviceloop.analytics.scope import Scope, Window
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.errors import Conflict, DomainError, ValidationFailed

from .. import events, numbering
from ..choices import Phase, PlanStatus
from ..models import ImprovementPlan, RootCauseAnalysis
from ..permissions import require_manager
from ..scopes import intersect, leaves_a_rest
from .common import MAX_TITLE, Errors, clean_owner, clean_scope, clean_text, raise_if

PLAN_FIELDS = (
    "code", "title", "problem", "metric", "scope", "baseline_start", "baseline_end",
    "after_start", "after_end", "target", "deadline", "phase", "status", "owner",
    "pilot_scope", "pilot_start",
)  # fmt: skip
EDITABLE_FIELDS = tuple(f for f in PLAN_FIELDS if f not in ("code", "phase", "status"))

# The range a target may take, by the metric's unit.
_TARGET_RANGES: dict[str, tuple[float, float]] = {
    registry.Unit.PERCENT: (0.0, 100.0),
    registry.Unit.SCORE: (1.0, 5.0),
    registry.Unit.NPS: (-100.0, 100.0),
    registry.Unit.MINUTES: (0.0, 10.0**7),
    registry.Unit.COUNT: (0.0, 10.0**9),
}


@dataclass(frozen=True, kw_only=True)
class PlanDraft:
    """A plan as a form or the API gives it: references are ids, scopes are JSON."""

    title: str
    problem: str
    metric: str
    target: float | None
    deadline: date | None
    baseline_start: date | None
    baseline_end: date | None
    scope: Mapping[str, Any] = field(default_factory=dict)
    after_start: date | None = None
    after_end: date | None = None
    owner: int | None = None
    pilot_scope: Mapping[str, Any] = field(default_factory=dict)
    pilot_start: date | None = None
    analyses: Sequence[int] = ()


def draft_of(plan: ImprovementPlan) -> PlanDraft:
    """The plan's current values as a draft (an edit form's start, a PATCH's base)."""
    return PlanDraft(
        title=plan.title,
        problem=plan.problem,
        metric=plan.metric,
        target=plan.target,
        deadline=plan.deadline,
        baseline_start=plan.baseline_start,
        baseline_end=plan.baseline_end,
        scope=dict(plan.scope or {}),
        after_start=plan.after_start,
        after_end=plan.after_end,
        owner=plan.owner_id,
        pilot_scope=dict(plan.pilot_scope or {}),
        pilot_start=plan.pilot_start,
        analyses=list(plan.analyses.values_list("pk", flat=True)),
    )


def _today() -> date:
    return timezone.localdate(clock.now())


def _metric(errors: Errors, key: str) -> registry.Metric | None:
    if not key:
        errors["metric"] = _("This field is required.")
        return None
    found = registry.METRICS.get(key)
    if found is None:
        errors["metric"] = _("Unknown metric.")
    elif not found.plannable:
        errors["metric"] = _("This metric cannot be a plan's goal; choose another.")
        return None
    return found


def _target(errors: Errors, value: float | None, metric: registry.Metric | None) -> float:
    if value is None:
        errors["target"] = _("This field is required.")
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        errors["target"] = _("Enter a number.")
        return 0.0
    if metric is not None:
        low, high = _TARGET_RANGES.get(metric.unit, (-math.inf, math.inf))
        if not low <= value <= high:
            errors["target"] = _("Enter a value from %(low)s to %(high)s.") % {
                "low": f"{low:g}",
                "high": f"{high:g}",
            }
    return float(value)


def _windows(errors: Errors, draft: PlanDraft, today: date) -> None:
    try:
        baseline = Window.checked(draft.baseline_start, draft.baseline_end, prefix="baseline_")
    except ValidationFailed as error:
        errors.update(error.errors)
        baseline = None
    if baseline is not None and baseline.end > today:
        errors["baseline_end"] = _("The baseline must be over: end it today at the latest.")
    if draft.after_end is not None and draft.after_start is None:
        errors["after_start"] = _("Enter a start date.")
    if draft.after_start is not None:
        if draft.after_end is not None:
            try:
                Window.checked(draft.after_start, draft.after_end, prefix="after_")
            except ValidationFailed as error:
                errors.update(error.errors)
        if baseline is not None and draft.after_start <= baseline.end:
            errors["after_start"] = _("The after window must start after the baseline ends.")
    if baseline is not None and draft.pilot_start and draft.pilot_start <= baseline.end:
        errors["pilot_start"] = _("The pilot must start after the baseline ends.")


def _pilot(errors: Errors, draft: PlanDraft, scope: Scope) -> Scope:
    pilot = clean_scope(errors, "pilot_scope", draft.pilot_scope)
    if any(key.startswith("pilot_scope") for key in errors):
        return pilot
    if not pilot:
        if draft.pilot_start is not None:
            errors["pilot_scope"] = _(
                "Choose the pilot's scope (for example one team), or leave the pilot start empty."
            )
        return pilot
    if draft.pilot_start is None:
        errors["pilot_start"] = _("Enter the day the pilot starts.")
    if any(key.startswith("scope") for key in errors):
        return pilot
    part = intersect(scope, pilot)
    if part is None:
        errors["pilot_scope"] = _("The pilot must be a part of the plan's scope.")
    elif not leaves_a_rest(scope, part):
        errors["pilot_scope"] = _(
            "The pilot must leave part of the plan's scope out, to compare it with."
        )
    return pilot


def _analyses(errors: Errors, ids: Sequence[int]) -> list[RootCauseAnalysis]:
    try:
        wanted = {int(pk) for pk in ids}
    except (TypeError, ValueError):
        errors["analyses"] = _("Choose from the list.")
        return []
    found = list(RootCauseAnalysis.objects.filter(pk__in=wanted))
    if len(found) != len(wanted):
        errors["analyses"] = _("Choose from the list.")
    return found


@dataclass(frozen=True)
class _Clean:
    values: dict[str, Any]
    analyses: list[RootCauseAnalysis]


def _clean(draft: PlanDraft, actor: User, current: ImprovementPlan | None) -> _Clean:
    """Every problem of the draft at once, as field errors (nothing is stored)."""
    errors: Errors = {}
    today = _today()
    title = clean_text(errors, "title", draft.title, limit=MAX_TITLE)
    problem = clean_text(errors, "problem", draft.problem)
    metric = _metric(errors, draft.metric)
    target = _target(errors, draft.target, metric)
    scope = clean_scope(errors, "scope", draft.scope)
    _windows(errors, draft, today)
    pilot = _pilot(errors, draft, scope)
    if draft.deadline is None:
        errors["deadline"] = _("This field is required.")
    elif draft.deadline < today and (current is None or draft.deadline != current.deadline):
        errors["deadline"] = _("The deadline must not be in the past.")
    default_owner = current.owner if current is not None and current.owner else actor
    owner = clean_owner(errors, "owner", draft.owner, default_owner)
    analyses = _analyses(errors, draft.analyses)
    raise_if(errors)
    values = {
        "title": title,
        "problem": problem,
        "metric": draft.metric,
        "target": target,
        "scope": scope.to_dict(),
        "baseline_start": draft.baseline_start,
        "baseline_end": draft.baseline_end,
        "after_start": draft.after_start,
        "after_end": draft.after_end,
        "deadline": draft.deadline,
        "owner": owner,
        "pilot_scope": pilot.to_dict(),
        "pilot_start": draft.pilot_start if pilot else None,
    }
    return _Clean(values, analyses)


def refresh_teams(plan: ImprovementPlan) -> None:
    """Keep the teams the plan concerns (scope, pilot, actions) for agents' visibility."""
    teams = set(plan.scope_value.teams) | set(plan.pilot_value.teams)
    teams |= {pk for pk in plan.actions.values_list("team_id", flat=True) if pk is not None}
    all_teams = not plan.scope_value.teams
    if plan.all_teams != all_teams:
        plan.all_teams = all_teams
        plan.save(update_fields=["all_teams"])
    plan.teams.set(sorted(teams))


def _snapshot(plan: ImprovementPlan, analyses: Sequence[RootCauseAnalysis]) -> dict[str, Any]:
    return {
        **audit.snapshot(plan, PLAN_FIELDS),
        "analyses": sorted(a.pk for a in analyses),
    }


@transaction.atomic
def create_plan(*, actor: User, draft: PlanDraft) -> ImprovementPlan:
    """Register a plan in the Plan phase, with its code (IP-<year>-<n>); the owner defaults
    to the actor."""
    require_manager(actor)
    clean = _clean(draft, actor, None)
    now = clock.now()
    plan = ImprovementPlan.objects.create(
        code=numbering.next_code(now),
        created_by=actor,
        created_at=now,
        updated_at=now,
        **clean.values,
    )
    plan.analyses.set(clean.analyses)
    refresh_teams(plan)
    audit.record(
        actor=actor, action=events.PLAN_CREATED, target=plan, after=_snapshot(plan, clean.analyses)
    )
    return plan


def _lock(plan: ImprovementPlan) -> ImprovementPlan:
    return ImprovementPlan.objects.select_for_update().get(pk=plan.pk)


def lock_active(plan: ImprovementPlan, actor: User) -> ImprovementPlan:
    """The plan locked for a change; completed and cancelled plans do not change."""
    require_manager(actor)
    locked = _lock(plan)
    if locked.status != PlanStatus.ACTIVE:
        raise Conflict(_("This plan is closed; reopen it to change it."))
    return locked


@transaction.atomic
def update_plan(*, plan: ImprovementPlan, actor: User, draft: PlanDraft) -> ImprovementPlan:
    """Replace the plan's editable values with the draft's (checked as at creation)."""
    locked = lock_active(plan, actor)
    clean = _clean(draft, actor, locked)
    before = _snapshot(locked, list(locked.analyses.all()))
    for name, value in clean.values.items():
        setattr(locked, name, value)
    locked.updated_at = clock.now()
    locked.save(update_fields=[*clean.values, "updated_at"])
    locked.analyses.set(clean.analyses)
    refresh_teams(locked)
    before, after = audit.changed(before, _snapshot(locked, clean.analyses))
    if after:
        audit.record(
            actor=actor, action=events.PLAN_UPDATED, target=locked, before=before, after=after
        )
    return locked


@transaction.atomic
def change_phase(
    *, plan: ImprovementPlan, actor: User, phase: str, note: str = ""
) -> ImprovementPlan:
    """Move the plan to another PDCA phase (any: a cycle goes round, and a step may be taken
    back). The first move into Do dates the start of the change, which the after window
    counts from when it is not set."""
    locked = lock_active(plan, actor)
    if phase not in Phase.values:
        raise DomainError(_("Choose from the list."), field="phase")
    if phase == locked.phase:
        raise Conflict(_("The plan is already in this phase."))
    errors: Errors = {}
    note = clean_text(errors, "note", note, required=False, limit=2000)
    raise_if(errors)
    before = {"phase": locked.phase}
    locked.phase = phase
    fields = ["phase", "updated_at"]
    if phase == Phase.DO and locked.do_started_on is None:
        locked.do_started_on = _today()
        fields.append("do_started_on")
    locked.updated_at = clock.now()
    locked.save(update_fields=fields)
    audit.record(
        actor=actor,
        action=events.PLAN_PHASE_CHANGED,
        target=locked,
        before=before,
        after={"phase": phase, "do_started_on": locked.do_started_on},
        note=note,
    )
    return locked


@transaction.atomic
def change_plan_status(
    *, plan: ImprovementPlan, actor: User, status: str, note: str = ""
) -> ImprovementPlan:
    """Complete or cancel an active plan (cancelling needs the reason), or reopen a closed
    one. A closed plan keeps its values and its effect stays measurable."""
    require_manager(actor)
    locked = _lock(plan)
    if status not in PlanStatus.values:
        raise DomainError(_("Choose from the list."), field="status")
    if status == locked.status:
        raise Conflict(_("The plan already has this status."))
    errors: Errors = {}
    note = clean_text(errors, "note", note, required=status == PlanStatus.CANCELLED, limit=2000)
    raise_if(errors)
    before = {"status": locked.status}
    locked.status = status
    locked.closed_at = None if status == PlanStatus.ACTIVE else clock.now()
    locked.updated_at = clock.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    audit.record(
        actor=actor,
        action=events.PLAN_STATUS_CHANGED,
        target=locked,
        before=before,
        after={"status": status},
        note=note,
    )
    return locked


@transaction.atomic
def delete_plan(*, plan: ImprovementPlan, actor: User) -> None:
    """Remove a plan still in the Plan phase without actions (a mistake); any other plan is
    cancelled instead, so that its history stays."""
    locked = lock_active(plan, actor)
    if locked.phase != Phase.PLAN or locked.actions.exists():
        raise Conflict(
            _("Only a plan in the Plan phase without actions can be deleted; cancel it.")
        )
    audit.record(
        actor=actor,
        action=events.PLAN_DELETED,
        target=locked,
        before=_snapshot(locked, list(locked.analyses.all())),
    )
    locked.delete()
