"""/api/v1/improvement/plans: improvement plans (优化方案) with their actions and measured
effect."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Status

from serviceloop.accounts.models import User
from serviceloop.core.keyset import paginate
from serviceloop.improvement import effect, permissions, queries, services
from serviceloop.improvement.models import ImprovementPlan, PlanAction

from ..common import Id, actor, page_links
from .output import action_out, effect_out, plan_detail, plan_out
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


def _fresh(plan: ImprovementPlan) -> ImprovementPlan:
    return ImprovementPlan.objects.select_related("owner").get(pk=plan.pk)


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


def _action(request: HttpRequest, code: str, action_id: Id) -> tuple[User, PlanAction]:
    user = _reader(request)
    plan = queries.get_plan_for(user, code)
    return user, queries.get_action_for(user, plan, action_id)


@router.patch("/plans/{code}/actions/{action_id}", response=ActionOut, summary="Replan an action")
def update_action(
    request: HttpRequest, code: str, action_id: Id, payload: ActionPatch
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
    request: HttpRequest, code: str, action_id: Id, payload: ActionStatusIn
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
    request: HttpRequest, code: str, action_id: Id, payload: NoteIn
) -> Status[dict[str, Any]]:
    user, action = _action(request, code, action_id)
    services.add_action_note(action=action, actor=user, text=payload.text)
    return Status(201, action_out(PlanAction.objects.get(pk=action.pk)))


@router.delete(
    "/plans/{code}/actions/{action_id}",
    response={204: None},
    summary="Delete an action without history",
)
def delete_action(request: HttpRequest, code: str, action_id: Id) -> Status[None]:
    user, action = _action(request, code, action_id)
    services.delete_action(action=action, actor=user)
    return Status(204, None)
