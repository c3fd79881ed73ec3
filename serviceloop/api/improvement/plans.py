"""/api/v1/improvement: improvement plans (优化方案) with their actions and measured effect,
and root-cause analyses (根因分析).

Specialists, supervisors, managers and administrators manage both; analysts read all;
agents read the plans that concern one of their teams (404 for the others) and no analysis;
customers and partners are refused (403).
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Status

from serviceloop.accounts.models import User
from serviceloop.core.keyset import paginate
from serviceloop.improvement import effect, permissions, queries, services
from serviceloop.improvement.models import (
    AnalysisWhy,
    FishboneCause,
    ImprovementPlan,
    PlanAction,
    RootCauseAnalysis,
)

from ..common import actor, code_name, page_links, user_ref
from .analysis_schemas import (
    AnalysisIn,
    AnalysisList,
    AnalysisOut,
    AnalysisPatch,
    AnalysisQuery,
    CauseIn,
    ConcludeIn,
    EvidenceIn,
    WhyIn,
)
from .output import action_out, analysis_out, effect_out, plan_detail, plan_out
from .plan_schemas import (
    ActionIn,
    ActionOut,
    ActionPatch,
    ActionStatusIn,
    EffectOut,
    NoteIn,
    PhaseIn,
    PlanDetail,
    PlanIn,
    PlanList,
    PlanPatch,
    PlanQuery,
    PlanStatusIn,
)

router = Router(tags=["improvement"])


def _reader(request: HttpRequest) -> User:
    user = actor(request)
    permissions.require_plan_reader(user)
    return user


def _analyst(request: HttpRequest) -> User:
    user = actor(request)
    permissions.require_analysis_reader(user)
    return user


def _fresh(plan: ImprovementPlan) -> ImprovementPlan:
    return ImprovementPlan.objects.select_related("owner").get(pk=plan.pk)


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
