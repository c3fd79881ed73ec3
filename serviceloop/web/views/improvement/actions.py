"""A plan's actions: adding one, and its status or a note inline (htmx: the row comes back)."""

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from serviceloop.core.errors import DomainError
from serviceloop.improvement import queries, services
from serviceloop.improvement.choices import ActionStatus
from serviceloop.improvement.models import ImprovementPlan, PlanAction, PlanActionNote

from ...access import improvement_manager
from ...forms.improvement import ActionForm, ActionStatusForm, apply_nested_errors
from ...htmx import HtmxRequest
from .plans import plan_context


def _actions_card(
    request: HtmxRequest, plan: ImprovementPlan, *, status: int = 200, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "improvement/plan.html#actions",
        plan_context(request, plan, **extra),
        status=status,
    )


@require_POST
@improvement_manager
def action_new(request: HtmxRequest, code: str) -> HttpResponse:
    plan = queries.get_plan_for(request.user, code)
    form = ActionForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.add_action(plan=plan, actor=request.user, draft=form.draft())
        except DomainError as error:
            apply_nested_errors(form, error)
            status = error.status
        else:
            if not request.htmx:
                messages.success(request, gettext("Action added."))
                return redirect("desk:improvement_plan", code=plan.code)
            return _actions_card(request, plan)
    if not request.htmx:
        return render(
            request,
            "improvement/plan.html",
            plan_context(request, plan, action_form=form),
            status=status,
        )
    return _actions_card(request, plan, status=status, action_form=form)


@require_POST
@improvement_manager
def action_update(request: HtmxRequest, code: str, action_id: int) -> HttpResponse:
    """Inline: a new status (with the actual end when done) and/or a note on one action."""
    plan = queries.get_plan_for(request.user, code)
    action = queries.get_action_for(request.user, plan, action_id)
    form = ActionStatusForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["status"] != action.status or data.get("actual_end"):
                action = services.set_action_status(
                    action=action,
                    actor=request.user,
                    status=data["status"],
                    actual_end=data.get("actual_end"),
                    note=data.get("note", ""),
                )
            elif data.get("note"):
                services.add_action_note(action=action, actor=request.user, text=data["note"])
        except DomainError as error:
            apply_nested_errors(form, error)
            status = error.status
    else:
        status = 422
    if not request.htmx:
        if form.errors:
            messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("desk:improvement_plan", code=plan.code)
    action = (
        PlanAction.objects.select_related("team", "person")
        .prefetch_related(
            Prefetch("notes", queryset=PlanActionNote.objects.select_related("author"))
        )
        .get(pk=action.pk)
    )
    action.plan = plan
    context = {
        "plan": plan,
        "action": action,
        "row_form": form if status != 200 else None,
        "action_statuses": ActionStatus.choices,
        "may_manage": True,
    }
    return render(request, "improvement/plan.html#action-row", context, status=status)
