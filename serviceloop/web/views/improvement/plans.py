"""A plan's page with its measured effect and chart, the plan form (new, edit), and changing
its phase or status."""

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from serviceloop.analytics import formatting, registry
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import DomainError
from serviceloop.improvement import display, effect, queries, services
from serviceloop.improvement.choices import ActionStatus, Phase, PlanStatus
from serviceloop.improvement.models import ImprovementPlan, PlanActionNote, RootCauseAnalysis
from serviceloop.improvement.permissions import manages_improvement, reads_all_improvement

from ...access import improvement_manager, plan_reader
from ...forms.improvement import (
    ActionForm,
    PhaseForm,
    PlanForm,
    PlanStatusForm,
    apply_nested_errors,
)
from ...htmx import HtmxRequest
from .analyses import int_or_none


def plan_context(request: HtmxRequest, plan: ImprovementPlan, **extra: Any) -> dict[str, Any]:
    actions = list(
        plan.actions.select_related("team", "person").prefetch_related(
            Prefetch("notes", queryset=PlanActionNote.objects.select_related("author"))
        )
    )
    for action in actions:
        action.plan = plan
    metric = registry.METRICS.get(plan.metric)
    found: effect.PlanEffect | None = None
    problem = ""
    try:
        found = effect.plan_effect(plan)
    except DomainError as error:
        problem = str(error.message)
    history = AuditEvent.objects.filter(
        target_type="improvementplan", target_id=str(plan.pk)
    ).order_by("-occurred_at", "-id")[:20]
    may_manage = manages_improvement(request.user) and plan.is_active
    context = {
        "plan": plan,
        "metric": metric,
        "effect": found,
        "effect_problem": problem,
        "overall": display.figure(metric, found.overall) if found and metric else None,
        "pilot": (
            {
                "pilot": display.figure(metric, found.pilot.pilot),
                "rest": display.figure(metric, found.pilot.rest),
                "did": display.did_figure(metric, found.pilot.did),
            }
            if found and found.pilot and metric
            else None
        ),
        "completion": display.completion(found.completion if found else None),
        "target": registry_display(metric, plan.target),
        "scope_text": plan.scope_value.describe(),
        "pilot_text": plan.pilot_value.describe() if plan.has_pilot else "",
        "actions": actions,
        "progress": queries.progress_of(plan),
        "analyses": list(plan.analyses.all()),
        "history": [(event, display.history_line(event)) for event in history],
        "may_manage": may_manage,
        "may_change_status": manages_improvement(request.user),
        "may_analyse": reads_all_improvement(request.user),
        "plan_statuses": PlanStatus.choices,
        "phase_form": PhaseForm(initial={"phase": plan.phase}),
        "status_form": PlanStatusForm(),
        "action_form": ActionForm(),
        "action_statuses": ActionStatus.choices,
        "phases": Phase.choices,
    }
    return context | extra


def registry_display(metric: registry.Metric | None, value: float | None) -> str:
    return formatting.display(metric, value) if metric else "—"


@require_GET
@plan_reader
def plan_page(request: HtmxRequest, code: str) -> HttpResponse:
    plan = queries.get_plan_for(request.user, code)
    return render(request, "improvement/plan.html", plan_context(request, plan))


@require_GET
@plan_reader
def plan_chart(request: HtmxRequest, code: str) -> HttpResponse:
    """The weekly values of the goal metric for the before/after chart (JSON)."""
    plan = queries.get_plan_for(request.user, code)
    try:
        data = effect.chart_series(plan)
    except DomainError as error:
        return JsonResponse({"detail": str(error.message)}, status=422)
    data["labels"] = {
        "scope": gettext("Whole scope"),
        "pilot": gettext("Pilot"),
        "rest": gettext("Rest of the scope"),
        "baseline": gettext("Baseline"),
        "after": gettext("After"),
        "target": gettext("Target"),
        "n": gettext("n"),
    }
    return JsonResponse(data)


@require_http_methods(["GET", "POST"])
@improvement_manager
def plan_new(request: HtmxRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    wanted = int_or_none(request.GET.get("analysis"))
    source = RootCauseAnalysis.objects.filter(pk=wanted).first() if wanted else None
    if source is not None:
        initial = {"title": source.title, "problem": source.problem, "analyses": [source.pk]}
    form = PlanForm(request.POST or None, initial=initial)
    status = 422 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(actor=request.user, draft=form.draft())
        except DomainError as error:
            apply_nested_errors(form, error)
            status = error.status
        else:
            messages.success(request, gettext("Plan %(code)s created.") % {"code": plan.code})
            return redirect("desk:improvement_plan", code=plan.code)
    return render(
        request, "improvement/plan_form.html", {"form": form, "plan": None}, status=status
    )


@require_http_methods(["GET", "POST"])
@improvement_manager
def plan_edit(request: HtmxRequest, code: str) -> HttpResponse:
    plan = queries.get_plan_for(request.user, code)
    form = PlanForm(request.POST or None, initial=PlanForm.initial_of(plan))
    status = 422 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            services.update_plan(plan=plan, actor=request.user, draft=form.draft())
        except DomainError as error:
            apply_nested_errors(form, error)
            status = error.status
        else:
            messages.success(request, gettext("Plan %(code)s saved.") % {"code": plan.code})
            return redirect("desk:improvement_plan", code=plan.code)
    return render(
        request, "improvement/plan_form.html", {"form": form, "plan": plan}, status=status
    )


def _refused_page(
    request: HtmxRequest, plan: ImprovementPlan, error: DomainError, **forms_: Any
) -> HttpResponse:
    context = plan_context(request, plan, **forms_)
    if not forms_:
        context["page_error"] = str(error.message)
    return render(request, "improvement/plan.html", context, status=error.status)


@require_POST
@improvement_manager
def plan_phase(request: HtmxRequest, code: str) -> HttpResponse:
    plan = queries.get_plan_for(request.user, code)
    form = PhaseForm(request.POST)
    if form.is_valid():
        try:
            plan = services.change_phase(plan=plan, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            apply_nested_errors(form, error)
            return _refused_page(request, plan, error, phase_form=form)
        messages.success(
            request, gettext("Now in the %(phase)s phase.") % {"phase": plan.get_phase_display()}
        )
        return redirect("desk:improvement_plan", code=plan.code)
    return _refused_page(
        request, plan, DomainError(gettext("Choose from the list.")), phase_form=form
    )


@require_POST
@improvement_manager
def plan_status(request: HtmxRequest, code: str) -> HttpResponse:
    plan = queries.get_plan_for(request.user, code)
    form = PlanStatusForm(request.POST)
    if form.is_valid():
        try:
            plan = services.change_plan_status(plan=plan, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            apply_nested_errors(form, error)
            return _refused_page(request, plan, error, status_form=form)
        messages.success(
            request, gettext("The plan is %(status)s.") % {"status": plan.get_status_display()}
        )
        return redirect("desk:improvement_plan", code=plan.code)
    return _refused_page(
        request, plan, DomainError(gettext("Choose from the list.")), status_form=form
    )
