"""Read side of analyses and plans: who sees which, the PDCA board, live evidence counts."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from serviceloop.accounts.models import User
from serviceloop.analytics.registry import category_ids_with_descendants
from serviceloop.core import clock
from serviceloop.feedback.choices import FeedbackStatus
from serviceloop.tickets.choices import OPEN_STATUSES
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.queries import tickets_visible_to

from .choices import ActionStatus, AnalysisStatus, Phase, PlanStatus
from .models import ImprovementPlan, PlanAction, RootCauseAnalysis
from .permissions import TEAM_PLAN_READER_ROLES, reads_all_improvement, uses_improvement

EVIDENCE_DAYS = 90
BOARD_LIMIT = 200  # cards per board


# --- visibility -----------------------------------------------------------------------


def plans_visible_to(user: User) -> QuerySet[ImprovementPlan]:
    """The one rule of plan visibility: managers of improvement and analysts see every plan;
    agents the plans that concern one of their teams (a scope without teams concerns all);
    customers and partners none."""
    plans = ImprovementPlan.objects.all()
    if reads_all_improvement(user):
        return plans
    if uses_improvement(user) and user.role in TEAM_PLAN_READER_ROLES:
        # a subquery, not a join: counts annotated on the result stay right
        concerned = ImprovementPlan.teams.through.objects.filter(team_id__in=user.team_ids)
        return plans.filter(Q(all_teams=True) | Q(pk__in=concerned.values("improvementplan_id")))
    return plans.none()


def get_plan_for(user: User, code: str) -> ImprovementPlan:
    """One plan by its code, or 404 when the user does not see it."""
    plan = (
        plans_visible_to(user)
        .select_related("owner", "created_by")
        .filter(code=str(code).strip().upper())
        .first()
    )
    if plan is None:
        raise Http404("plan")
    return plan


def analyses_visible_to(user: User) -> QuerySet[RootCauseAnalysis]:
    if reads_all_improvement(user):
        return RootCauseAnalysis.objects.all()
    return RootCauseAnalysis.objects.none()


def get_analysis_for(user: User, analysis_id: int) -> RootCauseAnalysis:
    analysis = (
        analyses_visible_to(user)
        .select_related("owner", "category", "created_by")
        .filter(pk=analysis_id)
        .first()
    )
    if analysis is None:
        raise Http404("analysis")
    return analysis


def get_action_for(user: User, plan: ImprovementPlan, action_id: int) -> PlanAction:
    action = plan.actions.select_related("team", "person").filter(pk=action_id).first()
    if action is None:
        raise Http404("action")
    action.plan = plan
    return action


# --- lists ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    done: int
    total: int  # cancelled actions do not count
    delayed: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def with_progress(plans: QuerySet[ImprovementPlan]) -> QuerySet[ImprovementPlan]:
    """Each plan with `actions_done`, `actions_total`, `actions_delayed` (one query)."""
    return plans.annotate(
        actions_total=Count("actions", filter=~Q(actions__status=ActionStatus.CANCELLED)),
        actions_done=Count("actions", filter=Q(actions__status=ActionStatus.DONE)),
        actions_delayed=Count("actions", filter=Q(actions__status=ActionStatus.DELAYED)),
    )


def progress_of(plan: ImprovementPlan) -> Progress:
    if hasattr(plan, "actions_total"):  # annotated by with_progress
        return Progress(
            getattr(plan, "actions_done"),  # noqa: B009
            getattr(plan, "actions_total"),  # noqa: B009
            getattr(plan, "actions_delayed"),  # noqa: B009
        )
    counts = plan.actions.aggregate(
        total=Count("pk", filter=~Q(status=ActionStatus.CANCELLED)),
        done=Count("pk", filter=Q(status=ActionStatus.DONE)),
        delayed=Count("pk", filter=Q(status=ActionStatus.DELAYED)),
    )
    return Progress(counts["done"], counts["total"], counts["delayed"])


@dataclass(frozen=True)
class Card:
    plan: ImprovementPlan
    progress: Progress

    @property
    def overdue(self) -> bool:
        return self.plan.is_overdue


@dataclass(frozen=True)
class Column:
    phase: str
    label: str
    cards: list[Card]


def board(user: User, *, status: str = PlanStatus.ACTIVE, mine: bool = False) -> list[Column]:
    """The plans the user sees with `status`, by PDCA phase, soonest deadline first: one
    query, whatever the number of plans (up to BOARD_LIMIT)."""
    plans = with_progress(plans_visible_to(user).filter(status=status)).select_related("owner")
    if mine:
        plans = plans.filter(owner=user)
    by_phase: dict[str, list[Card]] = {phase: [] for phase in Phase.values}
    for plan in plans.order_by("deadline", "code")[:BOARD_LIMIT]:
        by_phase[plan.phase].append(Card(plan, progress_of(plan)))
    return [Column(phase, str(label), by_phase[phase]) for phase, label in Phase.choices]


def analysis_list(user: User, *, status: str | None = None) -> QuerySet[RootCauseAnalysis]:
    analyses = analyses_visible_to(user).select_related("owner", "category")
    if status in AnalysisStatus.values:
        analyses = analyses.filter(status=status)
    return analyses.annotate(
        ticket_count=Count("tickets", distinct=True),
        feedback_count=Count("feedback_items", distinct=True),
    ).order_by("-updated_at", "-id")


# --- evidence -------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """Counts read live from the linked rows and the starting category."""

    linked_tickets: int
    linked_open_tickets: int
    category_tickets: int | None  # tickets in the category (and below) in the last 90 days
    category_days: int
    feedback_by_status: list[tuple[str, str, int]]  # (code, label, count), every status
    linked_feedback: int
    tickets: list[Ticket]  # the linked ones the viewer may see, newest first


def evidence(analysis: RootCauseAnalysis, *, viewer: User, limit: int = 50) -> Evidence:
    linked = analysis.tickets.all()
    counts = linked.aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATUSES))
    )
    category_tickets = None
    if analysis.category_id is not None:
        since = clock.now() - timedelta(days=EVIDENCE_DAYS)
        ids = category_ids_with_descendants([analysis.category_id])
        category_tickets = Ticket.objects.filter(category_id__in=ids, created_at__gte=since).count()
    tally = dict(
        analysis.feedback_items.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    by_status = [(code, str(label), tally.get(code, 0)) for code, label in FeedbackStatus.choices]
    visible = (
        tickets_visible_to(viewer)
        .filter(root_cause_analyses=analysis)
        .order_by("-created_at")[:limit]
    )
    return Evidence(
        linked_tickets=counts["total"],
        linked_open_tickets=counts["open"],
        category_tickets=category_tickets,
        category_days=EVIDENCE_DAYS,
        feedback_by_status=by_status,
        linked_feedback=sum(tally.values()),
        tickets=list(visible),
    )
