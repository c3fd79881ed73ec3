"""/api/v1/improvement: improvement plans (优化方案) with their actions and measured effect,
and root-cause analyses (根因分析).

Specialists, supervisors, managers and administrators manage both; analysts read all;
agents read the plans that concern one of their teams (404 for the others) and no analysis;
customers and partners are refused (403).
"""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Status

from serviceloop.accounts.models import User
from serviceloop.analytics import registry
from serviceloop.core import clock
from serviceloop.core.keyset import paginate
from serviceloop.improvement import display, effect, permissions, queries, services, stats
from serviceloop.improvement.choices import (
    ActionStatus,
    AnalysisStatus,
    CauseCategory,
    Phase,
    PlanStatus,
)
from serviceloop.improvement.models import (
    AnalysisWhy,
    FishboneCause,
    ImprovementPlan,
    PlanAction,
    RootCauseAnalysis,
)

from ..common import (
    CodeName,
    In,
    Out,
    PageOut,
    QueryIn,
    UserRef,
    actor,
    code_name,
    page_links,
    user_ref,
)

router = Router(tags=["improvement"])

Scope = dict[str, list[int | str]]
SCOPE_HELP = (
    "Filters as lists: teams (ids), categories (ids, with their sub-categories), channels, "
    "kinds (codes), tiers (ids); an empty or missing filter means all"
)


def _reader(request: HttpRequest) -> User:
    user = actor(request)
    permissions.require_plan_reader(user)
    return user


def _analyst(request: HttpRequest) -> User:
    user = actor(request)
    permissions.require_analysis_reader(user)
    return user


# --- schemas: plans -------------------------------------------------------------------


class WindowOut(Out):
    start: date
    end: date


class ProgressOut(Out):
    done: int
    total: int = Field(description="Actions not cancelled")
    delayed: int


class NoteOut(Out):
    id: int
    author: UserRef | None
    text: str
    created_at: datetime


class ActionOut(Out):
    id: int
    title: str
    team: CodeName | None
    person: UserRef | None
    planned_start: date
    planned_end: date
    actual_end: date | None
    status: ActionStatus
    notes: list[NoteOut]
    created_at: datetime
    updated_at: datetime


class PlanOut(Out):
    code: str
    title: str
    problem: str
    metric: str = Field(description="Key of the goal metric (GET /api/v1/analytics/metrics)")
    target: float
    deadline: date
    overdue: bool
    scope: Scope
    scope_text: str
    baseline: WindowOut
    after_start: date | None = Field(description="As set; null: from pilot start or Do phase")
    after_end: date | None = Field(description="As set; null: today")
    after: WindowOut | None = Field(description="The after window in effect today")
    pilot_scope: Scope
    pilot_start: date | None
    phase: Phase
    do_started_on: date | None
    status: PlanStatus
    owner: UserRef | None
    analyses: list[int]
    progress: ProgressOut
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class PlanDetail(PlanOut):
    actions: list[ActionOut]


class PlanList(PageOut):
    items: list[PlanOut]


class PlanQuery(QueryIn):
    status: PlanStatus | None = None
    phase: Phase | None = None
    cursor: str | None = None
    limit: int = Field(settings.API_PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE)


class PlanIn(In):
    title: str = Field(..., max_length=200)
    problem: str = Field(..., max_length=20_000)
    metric: str = Field(..., max_length=50, description="A plannable metric's key")
    target: float
    deadline: date
    baseline_start: date
    baseline_end: date
    scope: Scope = Field(default_factory=dict, description=SCOPE_HELP)
    after_start: date | None = None
    after_end: date | None = None
    owner: int | None = Field(None, description="User id; default: you")
    pilot_scope: Scope = Field(default_factory=dict, description=SCOPE_HELP)
    pilot_start: date | None = None
    analyses: list[int] = Field(default_factory=list, description="Root-cause analysis ids")


class PlanPatch(In):
    """Fields left out stay as they are."""

    title: str = Field(None, max_length=200)  # type: ignore[assignment]
    problem: str = Field(None, max_length=20_000)  # type: ignore[assignment]
    metric: str = Field(None, max_length=50)  # type: ignore[assignment]
    target: float = None  # type: ignore[assignment]
    deadline: date = None  # type: ignore[assignment]
    baseline_start: date = None  # type: ignore[assignment]
    baseline_end: date = None  # type: ignore[assignment]
    scope: Scope = None  # type: ignore[assignment]
    after_start: date | None = None
    after_end: date | None = None
    owner: int = None  # type: ignore[assignment]
    pilot_scope: Scope = None  # type: ignore[assignment]
    pilot_start: date | None = None
    analyses: list[int] = None  # type: ignore[assignment]


class PhaseIn(In):
    phase: Phase
    note: str = Field("", max_length=2000)


class PlanStatusIn(In):
    status: PlanStatus
    note: str = Field("", max_length=2000, description="Required to cancel")


class ActionIn(In):
    title: str = Field(..., max_length=200)
    team: int = Field(description="Responsible team id")
    person: int | None = Field(None, description="Responsible person (a team member) id")
    planned_start: date
    planned_end: date


class ActionPatch(In):
    title: str = Field(None, max_length=200)  # type: ignore[assignment]
    team: int = None  # type: ignore[assignment]
    person: int | None = None
    planned_start: date = None  # type: ignore[assignment]
    planned_end: date = None  # type: ignore[assignment]


class ActionStatusIn(In):
    status: ActionStatus
    actual_end: date | None = Field(None, description="For done; default today")
    note: str = Field("", max_length=2000, description="Added to the notes; required to cancel")


class NoteIn(In):
    text: str = Field(..., max_length=2000)


# --- schemas: effect ------------------------------------------------------------------


class MetricOut(Out):
    key: str
    label: str
    unit: str
    direction: str
    statistic: str


class ComparisonOut(Out):
    before_value: float | None
    after_value: float | None
    change: float | None = Field(description="after − before, in the metric's unit")
    relative_change: float | None = Field(description="change / before (fraction)")
    low: float | None = Field(description="Lower bound of the interval of the change")
    high: float | None
    confidence: float
    n_before: int
    n_after: int
    significant: bool = Field(description="The interval excludes 0")
    method: str
    summary: str = Field(description="In words, with n and the interval")


class DidOut(Out):
    estimate: float | None = Field(description="pilot change − rest change")
    low: float | None
    high: float | None
    confidence: float
    pilot_change: float | None
    rest_change: float | None
    n_pilot_before: int
    n_pilot_after: int
    n_rest_before: int
    n_rest_after: int
    significant: bool
    method: str
    summary: str


class PilotEffectOut(Out):
    pilot: ComparisonOut
    rest: ComparisonOut
    did: DidOut


class EffectOut(Out):
    plan: str
    metric: MetricOut
    baseline: WindowOut
    after: WindowOut | None = Field(description="null: the change has not started")
    target: float
    completion: float | None = Field(description="Target completion (1.0 = met; may exceed 1)")
    overall: ComparisonOut
    pilot: PilotEffectOut | None


# --- schemas: analyses ----------------------------------------------------------------


class WhyOut(Out):
    id: int
    position: int
    question: str
    answer: str


class CauseOut(Out):
    id: int
    category: CauseCategory
    text: str
    is_root_cause: bool


class EvidenceOut(Out):
    linked_tickets: int
    linked_open_tickets: int
    category_tickets: int | None = Field(description="In the category (and below), last days")
    category_days: int
    linked_feedback: int
    feedback_by_status: dict[str, int]


class AnalysisOut(Out):
    id: int
    title: str
    problem: str
    category: CodeName | None
    origin: dict[str, Any] = Field(description="Dashboard filters and dates it started from")
    status: AnalysisStatus
    owner: UserRef | None
    conclusions: str
    whys: list[WhyOut]
    causes: list[CauseOut]
    tickets: list[str] = Field(description="Linked tickets you see")
    feedback_items: list[str]
    evidence: EvidenceOut
    plans: list[str]
    created_at: datetime
    updated_at: datetime
    concluded_at: datetime | None


class AnalysisSummary(Out):
    id: int
    title: str
    category: CodeName | None
    status: AnalysisStatus
    owner: UserRef | None
    updated_at: datetime


class AnalysisList(PageOut):
    items: list[AnalysisSummary]


class AnalysisQuery(QueryIn):
    status: AnalysisStatus | None = None
    cursor: str | None = None
    limit: int = Field(settings.API_PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE)


class AnalysisIn(In):
    title: str = Field(..., max_length=200)
    problem: str = Field(..., max_length=20_000)
    category: int | None = Field(None, description="Category id")
    tickets: list[str] = Field(default_factory=list, max_length=500)
    feedback_items: list[str] = Field(default_factory=list, max_length=500)
    scope: Scope | None = Field(None, description="Dashboard filters it starts from")
    start: date | None = None
    end: date | None = None
    owner: int | None = None


class AnalysisPatch(In):
    title: str = Field(None, max_length=200)  # type: ignore[assignment]
    problem: str = Field(None, max_length=20_000)  # type: ignore[assignment]
    category: int | None = None
    owner: int = None  # type: ignore[assignment]


class WhyIn(In):
    question: str = Field(..., max_length=2000)
    answer: str = Field("", max_length=2000)


class CauseIn(In):
    category: CauseCategory
    text: str = Field(..., max_length=2000)
    is_root_cause: bool = False


class EvidenceIn(In):
    tickets: list[str] = Field(default_factory=list, max_length=500)
    feedback_items: list[str] = Field(default_factory=list, max_length=500)


class ConcludeIn(In):
    conclusions: str = Field(..., max_length=20_000)


# --- output ---------------------------------------------------------------------------


def _window(span: Any) -> dict[str, Any] | None:
    return {"start": span.start, "end": span.end} if span else None


def _after(plan: ImprovementPlan) -> dict[str, Any] | None:
    window = plan.after_window(timezone.localdate(clock.now()))
    return {"start": window[0], "end": window[1]} if window else None


def plan_out(plan: ImprovementPlan) -> dict[str, Any]:
    progress = queries.progress_of(plan)
    return {
        "code": plan.code,
        "title": plan.title,
        "problem": plan.problem,
        "metric": plan.metric,
        "target": plan.target,
        "deadline": plan.deadline,
        "overdue": plan.is_overdue,
        "scope": plan.scope or {},
        "scope_text": plan.scope_value.describe(),
        "baseline": {"start": plan.baseline_start, "end": plan.baseline_end},
        "after_start": plan.after_start,
        "after_end": plan.after_end,
        "after": _after(plan),
        "pilot_scope": plan.pilot_scope or {},
        "pilot_start": plan.pilot_start,
        "phase": plan.phase,
        "do_started_on": plan.do_started_on,
        "status": plan.status,
        "owner": user_ref(plan.owner),
        "analyses": sorted(a.pk for a in plan.analyses.all()),
        "progress": {"done": progress.done, "total": progress.total, "delayed": progress.delayed},
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
        "closed_at": plan.closed_at,
    }


def action_out(action: PlanAction) -> dict[str, Any]:
    return {
        "id": action.pk,
        "title": action.title,
        "team": code_name(action.team),
        "person": user_ref(action.person),
        "planned_start": action.planned_start,
        "planned_end": action.planned_end,
        "actual_end": action.actual_end,
        "status": action.status,
        "notes": [
            {"id": n.pk, "author": user_ref(n.author), "text": n.text, "created_at": n.created_at}
            for n in action.notes.select_related("author")
        ],
        "created_at": action.created_at,
        "updated_at": action.updated_at,
    }


def plan_detail(plan: ImprovementPlan) -> dict[str, Any]:
    actions = plan.actions.select_related("team", "person")
    return {**plan_out(plan), "actions": [action_out(a) for a in actions]}


def _fresh(plan: ImprovementPlan) -> ImprovementPlan:
    return ImprovementPlan.objects.select_related("owner").get(pk=plan.pk)


def comparison_out(metric: registry.Metric, comparison: stats.Comparison) -> dict[str, Any]:
    words = display.figure(metric, comparison)
    return {
        "before_value": comparison.before_value,
        "after_value": comparison.after_value,
        "change": comparison.change,
        "relative_change": comparison.relative_change,
        "low": comparison.low,
        "high": comparison.high,
        "confidence": comparison.confidence,
        "n_before": comparison.n_before,
        "n_after": comparison.n_after,
        "significant": comparison.significant,
        "method": comparison.method,
        "summary": (
            f"{words.before} (n = {words.n_before}) → {words.after} (n = {words.n_after}): "
            f"{words.change}, {words.interval}; {words.verdict}"
        ),
    }


def did_out(metric: registry.Metric, did: stats.DifferenceInDifferences) -> dict[str, Any]:
    words = display.did_figure(metric, did)
    return {
        "estimate": did.estimate,
        "low": did.low,
        "high": did.high,
        "confidence": did.confidence,
        "pilot_change": did.pilot_change,
        "rest_change": did.rest_change,
        "n_pilot_before": did.n_pilot_before,
        "n_pilot_after": did.n_pilot_after,
        "n_rest_before": did.n_rest_before,
        "n_rest_after": did.n_rest_after,
        "significant": did.significant,
        "method": did.method,
        "summary": (
            f"{words.estimate}, {words.interval} (n = {', '.join(map(str, words.ns))}); "
            f"{words.verdict}"
        ),
    }


def effect_out(plan: ImprovementPlan, found: effect.PlanEffect) -> dict[str, Any]:
    metric = found.metric
    pilot = None
    if found.pilot is not None:
        pilot = {
            "pilot": comparison_out(metric, found.pilot.pilot),
            "rest": comparison_out(metric, found.pilot.rest),
            "did": did_out(metric, found.pilot.did),
        }
    return {
        "plan": plan.code,
        "metric": {
            "key": metric.key,
            "label": str(metric.label),
            "unit": metric.unit,
            "direction": metric.direction,
            "statistic": metric.statistic,
        },
        "baseline": _window(found.baseline),
        "after": _window(found.after),
        "target": found.target,
        "completion": found.completion,
        "overall": comparison_out(metric, found.overall),
        "pilot": pilot,
    }


def analysis_out(analysis: RootCauseAnalysis, user: User) -> dict[str, Any]:
    evidence = queries.evidence(analysis, viewer=user, limit=500)
    return {
        "id": analysis.pk,
        "title": analysis.title,
        "problem": analysis.problem,
        "category": code_name(analysis.category),
        "origin": analysis.origin or {},
        "status": analysis.status,
        "owner": user_ref(analysis.owner),
        "conclusions": analysis.conclusions,
        "whys": [
            {"id": w.pk, "position": w.position, "question": w.question, "answer": w.answer}
            for w in analysis.whys.all()
        ],
        "causes": [
            {"id": c.pk, "category": c.category, "text": c.text, "is_root_cause": c.is_root_cause}
            for c in analysis.causes.all()
        ],
        "tickets": [t.number for t in evidence.tickets],
        "feedback_items": list(
            analysis.feedback_items.order_by("number").values_list("number", flat=True)
        ),
        "evidence": {
            "linked_tickets": evidence.linked_tickets,
            "linked_open_tickets": evidence.linked_open_tickets,
            "category_tickets": evidence.category_tickets,
            "category_days": evidence.category_days,
            "linked_feedback": evidence.linked_feedback,
            "feedback_by_status": {code: n for code, _label, n in evidence.feedback_by_status},
        },
        "plans": sorted(analysis.plans.values_list("code", flat=True)),
        "created_at": analysis.created_at,
        "updated_at": analysis.updated_at,
        "concluded_at": analysis.concluded_at,
    }


def _analysis(request: HttpRequest, analysis_id: int) -> tuple[User, RootCauseAnalysis]:
    user = _analyst(request)
    return user, queries.get_analysis_for(user, analysis_id)


def _one_analysis(analysis: RootCauseAnalysis, user: User) -> dict[str, Any]:
    return analysis_out(queries.get_analysis_for(user, analysis.pk), user)


# --- plans ----------------------------------------------------------------------------


@router.get("/plans", response=PlanList, summary="List improvement plans (newest first)")
def list_plans(request: HttpRequest, filters: Query[PlanQuery]) -> dict[str, Any]:
    user = _reader(request)
    plans = queries.with_progress(queries.plans_visible_to(user)).select_related("owner")
    if filters.status:
        plans = plans.filter(status=filters.status)
    if filters.phase:
        plans = plans.filter(phase=filters.phase)
    plans = plans.prefetch_related("analyses")
    page = paginate(plans, fields=("created_at", "id"), cursor=filters.cursor, size=filters.limit)
    return {"items": [plan_out(p) for p in page.items], **page_links(request, page)}


@router.post("/plans", response={201: PlanDetail}, summary="Create a plan (in the Plan phase)")
def create_plan(
    request: HttpRequest, response: HttpResponse, payload: PlanIn
) -> Status[dict[str, Any]]:
    user = actor(request)
    plan = services.create_plan(actor=user, draft=services.PlanDraft(**payload.model_dump()))
    response["Location"] = reverse("api-v1:get_plan", args=[plan.code])
    return Status(201, plan_detail(_fresh(plan)))


@router.get("/plans/{code}", response=PlanDetail, summary="One plan with its actions")
def get_plan(request: HttpRequest, code: str) -> dict[str, Any]:
    user = _reader(request)
    return plan_detail(queries.get_plan_for(user, code))


@router.patch("/plans/{code}", response=PlanDetail, summary="Change a plan's values")
def update_plan(request: HttpRequest, code: str, payload: PlanPatch) -> dict[str, Any]:
    user = _reader(request)
    plan = queries.get_plan_for(user, code)
    values = {**services.draft_of(plan).__dict__, **payload.model_dump(exclude_unset=True)}
    plan = services.update_plan(plan=plan, actor=user, draft=services.PlanDraft(**values))
    return plan_detail(_fresh(plan))


@router.delete("/plans/{code}", response={204: None}, summary="Delete a plan still in Plan")
def delete_plan(request: HttpRequest, code: str) -> Status[None]:
    user = _reader(request)
    services.delete_plan(plan=queries.get_plan_for(user, code), actor=user)
    return Status(204, None)


@router.post("/plans/{code}/phase", response=PlanDetail, summary="Move to a PDCA phase")
def change_phase(request: HttpRequest, code: str, payload: PhaseIn) -> dict[str, Any]:
    user = _reader(request)
    plan = services.change_phase(
        plan=queries.get_plan_for(user, code), actor=user, phase=payload.phase, note=payload.note
    )
    return plan_detail(_fresh(plan))


@router.post(
    "/plans/{code}/status", response=PlanDetail, summary="Complete, cancel or reopen a plan"
)
def change_status(request: HttpRequest, code: str, payload: PlanStatusIn) -> dict[str, Any]:
    user = _reader(request)
    plan = services.change_plan_status(
        plan=queries.get_plan_for(user, code),
        actor=user,
        status=payload.status,
        note=payload.note,
    )
    return plan_detail(_fresh(plan))


@router.get(
    "/plans/{code}/effect",
    response=EffectOut,
    summary="The measured effect now",
    description=(
        "The goal metric over the scope in the baseline and after windows (tickets created "
        "in each) with the change, its 95 % interval, significance and both n; the target "
        "completion; with a pilot, pilot against the rest of the scope (difference in "
        "differences). Values are null and n 0 where a window has no data."
    ),
)
def plan_effect(request: HttpRequest, code: str) -> dict[str, Any]:
    user = _reader(request)
    plan = queries.get_plan_for(user, code)
    return effect_out(plan, effect.plan_effect(plan))


@router.get("/plans/{code}/actions", response=list[ActionOut], summary="The plan's actions")
def list_actions(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    user = _reader(request)
    plan = queries.get_plan_for(user, code)
    return [action_out(a) for a in plan.actions.select_related("team", "person")]


@router.post("/plans/{code}/actions", response={201: ActionOut}, summary="Add an action")
def add_action(request: HttpRequest, code: str, payload: ActionIn) -> Status[dict[str, Any]]:
    user = _reader(request)
    action = services.add_action(
        plan=queries.get_plan_for(user, code),
        actor=user,
        draft=services.ActionDraft(**payload.model_dump()),
    )
    return Status(201, action_out(action))


def _action(request: HttpRequest, code: str, action_id: int) -> tuple[User, PlanAction]:
    user = _reader(request)
    plan = queries.get_plan_for(user, code)
    return user, queries.get_action_for(user, plan, action_id)


@router.patch("/plans/{code}/actions/{action_id}", response=ActionOut, summary="Replan an action")
def update_action(
    request: HttpRequest, code: str, action_id: int, payload: ActionPatch
) -> dict[str, Any]:
    user, action = _action(request, code, action_id)
    values = {
        "title": action.title,
        "team": action.team_id,
        "person": action.person_id,
        "planned_start": action.planned_start,
        "planned_end": action.planned_end,
        **payload.model_dump(exclude_unset=True),
    }
    action = services.update_action(action=action, actor=user, draft=services.ActionDraft(**values))
    return action_out(action)


@router.post("/plans/{code}/actions/{action_id}/status", response=ActionOut, summary="Set a status")
def set_action_status(
    request: HttpRequest, code: str, action_id: int, payload: ActionStatusIn
) -> dict[str, Any]:
    user, action = _action(request, code, action_id)
    action = services.set_action_status(action=action, actor=user, **payload.model_dump())
    return action_out(action)


@router.post(
    "/plans/{code}/actions/{action_id}/notes",
    response={201: ActionOut},
    summary="Note a problem met (notes are never changed)",
)
def add_note(
    request: HttpRequest, code: str, action_id: int, payload: NoteIn
) -> Status[dict[str, Any]]:
    user, action = _action(request, code, action_id)
    services.add_action_note(action=action, actor=user, text=payload.text)
    return Status(201, action_out(PlanAction.objects.get(pk=action.pk)))


@router.delete(
    "/plans/{code}/actions/{action_id}",
    response={204: None},
    summary="Delete an action without history",
)
def delete_action(request: HttpRequest, code: str, action_id: int) -> Status[None]:
    user, action = _action(request, code, action_id)
    services.delete_action(action=action, actor=user)
    return Status(204, None)


# --- analyses -------------------------------------------------------------------------


@router.get("/analyses", response=AnalysisList, summary="List root-cause analyses")
def list_analyses(request: HttpRequest, filters: Query[AnalysisQuery]) -> dict[str, Any]:
    user = _analyst(request)
    rows = queries.analyses_visible_to(user).select_related("owner", "category")
    if filters.status:
        rows = rows.filter(status=filters.status)
    page = paginate(rows, fields=("updated_at", "id"), cursor=filters.cursor, size=filters.limit)
    items = [
        {
            "id": a.pk,
            "title": a.title,
            "category": code_name(a.category),
            "status": a.status,
            "owner": user_ref(a.owner),
            "updated_at": a.updated_at,
        }
        for a in page.items
    ]
    return {"items": items, **page_links(request, page)}


@router.post("/analyses", response={201: AnalysisOut}, summary="Start an analysis")
def start_analysis(
    request: HttpRequest, response: HttpResponse, payload: AnalysisIn
) -> Status[dict[str, Any]]:
    user = actor(request)
    analysis = services.start_analysis(
        actor=user, draft=services.AnalysisDraft(**payload.model_dump())
    )
    response["Location"] = reverse("api-v1:get_analysis", args=[analysis.pk])
    return Status(201, analysis_out(analysis, user))


@router.get("/analyses/{analysis_id}", response=AnalysisOut, summary="One analysis")
def get_analysis(request: HttpRequest, analysis_id: int) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    return analysis_out(analysis, user)


@router.patch("/analyses/{analysis_id}", response=AnalysisOut, summary="Change a draft")
def update_analysis(
    request: HttpRequest, analysis_id: int, payload: AnalysisPatch
) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    values = {
        "title": analysis.title,
        "problem": analysis.problem,
        "category": analysis.category_id,
        "owner": analysis.owner_id,
        **payload.model_dump(exclude_unset=True),
    }
    analysis = services.update_analysis(analysis=analysis, actor=user, **values)
    return _one_analysis(analysis, user)


@router.delete("/analyses/{analysis_id}", response={204: None}, summary="Delete a draft")
def delete_analysis(request: HttpRequest, analysis_id: int) -> Status[None]:
    user, analysis = _analysis(request, analysis_id)
    services.delete_analysis(analysis=analysis, actor=user)
    return Status(204, None)


@router.post("/analyses/{analysis_id}/whys", response={201: AnalysisOut}, summary="Add a why")
def add_why(request: HttpRequest, analysis_id: int, payload: WhyIn) -> Status[dict[str, Any]]:
    user, analysis = _analysis(request, analysis_id)
    services.add_why(analysis=analysis, actor=user, **payload.model_dump())
    return Status(201, _one_analysis(analysis, user))


def _why(analysis: RootCauseAnalysis, why_id: int) -> AnalysisWhy:
    why = analysis.whys.filter(pk=why_id).first()
    if why is None:
        raise Http404("why")
    return why


@router.patch("/analyses/{analysis_id}/whys/{why_id}", response=AnalysisOut, summary="Change a why")
def update_why(
    request: HttpRequest, analysis_id: int, why_id: int, payload: WhyIn
) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    services.update_why(why=_why(analysis, why_id), actor=user, **payload.model_dump())
    return _one_analysis(analysis, user)


@router.delete(
    "/analyses/{analysis_id}/whys/{why_id}", response=AnalysisOut, summary="Remove a why"
)
def remove_why(request: HttpRequest, analysis_id: int, why_id: int) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    services.remove_why(why=_why(analysis, why_id), actor=user)
    return _one_analysis(analysis, user)


def _cause(analysis: RootCauseAnalysis, cause_id: int) -> FishboneCause:
    cause = analysis.causes.filter(pk=cause_id).first()
    if cause is None:
        raise Http404("cause")
    return cause


@router.post("/analyses/{analysis_id}/causes", response={201: AnalysisOut}, summary="Add a cause")
def add_cause(request: HttpRequest, analysis_id: int, payload: CauseIn) -> Status[dict[str, Any]]:
    user, analysis = _analysis(request, analysis_id)
    services.add_cause(analysis=analysis, actor=user, **payload.model_dump())
    return Status(201, _one_analysis(analysis, user))


@router.patch(
    "/analyses/{analysis_id}/causes/{cause_id}", response=AnalysisOut, summary="Change a cause"
)
def update_cause(
    request: HttpRequest, analysis_id: int, cause_id: int, payload: CauseIn
) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    services.update_cause(cause=_cause(analysis, cause_id), actor=user, **payload.model_dump())
    return _one_analysis(analysis, user)


@router.delete(
    "/analyses/{analysis_id}/causes/{cause_id}", response=AnalysisOut, summary="Remove a cause"
)
def remove_cause(request: HttpRequest, analysis_id: int, cause_id: int) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    services.remove_cause(cause=_cause(analysis, cause_id), actor=user)
    return _one_analysis(analysis, user)


@router.post(
    "/analyses/{analysis_id}/evidence",
    response=AnalysisOut,
    summary="Link tickets and feedback items (by number)",
)
def link_evidence(request: HttpRequest, analysis_id: int, payload: EvidenceIn) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    services.link_evidence(analysis=analysis, actor=user, **payload.model_dump())
    return _one_analysis(analysis, user)


@router.post(
    "/analyses/{analysis_id}/evidence/unlink",
    response=AnalysisOut,
    summary="Unlink tickets and feedback items (by number)",
)
def unlink_evidence(request: HttpRequest, analysis_id: int, payload: EvidenceIn) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    services.unlink_evidence(analysis=analysis, actor=user, **payload.model_dump())
    return _one_analysis(analysis, user)


@router.post(
    "/analyses/{analysis_id}/conclude", response=AnalysisOut, summary="Write the conclusions"
)
def conclude(request: HttpRequest, analysis_id: int, payload: ConcludeIn) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    services.conclude_analysis(analysis=analysis, actor=user, conclusions=payload.conclusions)
    return _one_analysis(analysis, user)


@router.post("/analyses/{analysis_id}/reopen", response=AnalysisOut, summary="Back to draft")
def reopen(request: HttpRequest, analysis_id: int) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    services.reopen_analysis(analysis=analysis, actor=user)
    return _one_analysis(analysis, user)
