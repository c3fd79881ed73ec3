"""The open improvement plans as one line each (code, title, phase, owner, deadline and the
measured effect with its interval and n), for the diagnosis report and the digests."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _g

from serviceloop.core.errors import DomainError
from serviceloop.improvement import display
from serviceloop.improvement.choices import PlanStatus
from serviceloop.improvement.effect import plan_effect
from serviceloop.improvement.models import ImprovementPlan


@dataclass(frozen=True)
class PlanLine:
    code: str
    title: str
    phase: str
    owner: str
    deadline: str
    effect: str
    overdue: bool


def open_plans(teams: tuple[int, ...] | None) -> list[PlanLine]:
    """Active plans, those concerning one of `teams` only (None: every plan)."""
    plans = ImprovementPlan.objects.filter(status=PlanStatus.ACTIVE).select_related("owner")
    if teams is not None:
        plans = plans.filter(Q(all_teams=True) | Q(teams__in=teams)).distinct()
    return [_line(plan) for plan in plans.order_by("deadline", "code")]


def _line(plan: ImprovementPlan) -> PlanLine:
    return PlanLine(
        code=plan.code,
        title=plan.title,
        phase=str(plan.get_phase_display()),
        owner=plan.owner.display_name if plan.owner else "",
        deadline=str(plan.deadline),
        effect=effect_text(plan),
        overdue=plan.is_overdue,
    )


def effect_text(plan: ImprovementPlan) -> str:
    """ "−30 min (95 % CI −45 min to −12 min; n 420 → 380)", or why there is none yet."""
    try:
        effect = plan_effect(plan)
    except DomainError:
        return _g("no data")
    if not effect.has_after:
        return _g("not started")
    shown = display.figure(effect.metric, effect.overall)
    return _g("%(change)s (%(interval)s; n %(before)s → %(after)s)") % {
        "change": shown.change,
        "interval": shown.interval,
        "before": shown.n_before,
        "after": shown.n_after,
    }
