"""Improvement pages (/desk/improvement/): the PDCA board of plans, a plan with its measured
effect, chart and actions, the plan forms, and root-cause analyses.

Parse, call, render: the forms check shapes, the improvement services enforce the rules and
their refusals land on the forms' fields (nothing is stored then). Actions are updated
inline with htmx (the row comes back); the other forms post and redirect.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from serviceloop.analytics import formatting, registry
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import DomainError
from serviceloop.improvement import display, effect, queries, services
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
    PlanActionNote,
    RootCauseAnalysis,
    stored_scope,
)
from serviceloop.improvement.permissions import manages_improvement, reads_all_improvement
from serviceloop.tickets.models import Category

from ...access import analysis_reader, improvement_manager, plan_reader
from ...forms.improvement import (
    SCOPE_FIELDS,
    ActionForm,
    ActionStatusForm,
    AnalysisForm,
    CauseForm,
    ConcludeForm,
    EvidenceForm,
    PhaseForm,
    PlanForm,
    PlanStatusForm,
    WhyForm,
    apply_nested_errors,
    split_numbers,
)
from ...htmx import HtmxRequest

# --- the board ------------------------------------------------------------------------


@require_GET
@plan_reader
def board(request: HtmxRequest) -> HttpResponse:
    status = request.GET.get("status", PlanStatus.ACTIVE)
    if status not in PlanStatus.values:
        status = PlanStatus.ACTIVE
    mine = request.GET.get("mine") == "1"
    context = {
        "columns": queries.board(request.user, status=status, mine=mine),
        "status": status,
        "statuses": PlanStatus.choices,
        "mine": mine,
        "may_manage": manages_improvement(request.user),
        "may_analyse": reads_all_improvement(request.user),
    }
    return render(request, "improvement/board.html", context)


# --- plans ----------------------------------------------------------------------------


def _plan_context(request: HtmxRequest, plan: ImprovementPlan, **extra: Any) -> dict[str, Any]:
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
    return render(request, "improvement/plan.html", _plan_context(request, plan))


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
    wanted = _int(request.GET.get("analysis"))
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
    context = _plan_context(request, plan, **forms_)
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


def _actions_card(
    request: HtmxRequest, plan: ImprovementPlan, *, status: int = 200, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "improvement/plan.html#actions",
        _plan_context(request, plan, **extra),
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
            _plan_context(request, plan, action_form=form),
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


# --- analyses -------------------------------------------------------------------------


@require_GET
@analysis_reader
def analyses(request: HtmxRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    context = {
        "analyses": queries.analysis_list(request.user, status=status)[:200],
        "status": status,
        "statuses": AnalysisStatus.choices,
        "may_manage": manages_improvement(request.user),
    }
    return render(request, "improvement/analyses.html", context)


def _origin_query(request: HtmxRequest) -> str:
    """The dashboard filters and dates of a "start an analysis" link, kept as they came."""
    pairs = [
        (name, value)
        for name in (*SCOPE_FIELDS, "start", "end")
        for value in request.GET.getlist(name)
        if value
    ]
    return urlencode(pairs)


@require_http_methods(["GET", "POST"])
@improvement_manager
def analysis_new(request: HtmxRequest) -> HttpResponse:
    """Start an analysis; from the dashboard's Pareto bar the link carries the category and
    the dashboard's filters (?category=<id>&teams=…&start=…&end=…)."""
    if request.method == "POST":
        form = AnalysisForm(request.POST)
        if form.is_valid():
            try:
                analysis = services.start_analysis(actor=request.user, draft=form.draft())
            except DomainError as error:
                apply_nested_errors(form, error)
            else:
                messages.success(request, gettext("Analysis started."))
                return redirect("desk:improvement_analysis", analysis_id=analysis.pk)
        return render(request, "improvement/analysis_form.html", {"form": form}, status=422)
    initial: dict[str, Any] = {"origin": _origin_query(request)}
    wanted = _int(request.GET.get("category"))
    category = Category.objects.filter(pk=wanted).first() if wanted else None
    if category is not None:
        initial |= {
            "category": category.pk,
            "title": gettext("Why so many tickets about %(category)s?") % {"category": category},
        }
    tickets = request.GET.getlist("ticket")
    if tickets:
        initial["tickets"] = " ".join(tickets)
    items = request.GET.getlist("feedback")
    if items:
        initial["feedback_items"] = " ".join(items)
    form = AnalysisForm(initial=initial)
    origin = QueryDict(initial["origin"])
    origin_text = ""
    if initial["origin"]:
        scope = {name: origin.getlist(name) for name in SCOPE_FIELDS if origin.getlist(name)}
        try:
            origin_text = stored_scope(scope).describe()
        except (TypeError, ValueError):
            origin_text = ""
    context = {
        "form": form,
        "origin_text": origin_text,
        "origin_start": origin.get("start"),
        "origin_end": origin.get("end"),
    }
    return render(request, "improvement/analysis_form.html", context)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _analysis_context(
    request: HtmxRequest, analysis: RootCauseAnalysis, **extra: Any
) -> dict[str, Any]:
    causes = list(analysis.causes.all())
    bones = [
        (code, label, [c for c in causes if c.category == code])
        for code, label in CauseCategory.choices
    ]
    origin = analysis.origin or {}
    context = {
        "analysis": analysis,
        "whys": list(analysis.whys.all()),
        "bones": bones,
        "root_causes": [c for c in causes if c.is_root_cause],
        "evidence": queries.evidence(analysis, viewer=request.user),
        "feedback_items": list(analysis.feedback_items.order_by("-created_at")[:50]),
        "plans": list(analysis.plans.all()),
        "origin_text": analysis.origin_scope.describe() if origin else "",
        "origin": origin,
        "may_manage": manages_improvement(request.user) and not analysis.is_concluded,
        "may_reopen": manages_improvement(request.user) and analysis.is_concluded,
        "why_form": WhyForm(),
        "cause_form": CauseForm(),
        "evidence_form": EvidenceForm(initial={"operation": "link"}),
        "conclude_form": ConcludeForm(initial={"conclusions": analysis.conclusions}),
        "bone_choices": CauseCategory.choices,
    }
    return context | extra


@require_GET
@analysis_reader
def analysis_page(request: HtmxRequest, analysis_id: int) -> HttpResponse:
    analysis = queries.get_analysis_for(request.user, analysis_id)
    return render(request, "improvement/analysis.html", _analysis_context(request, analysis))


@require_http_methods(["GET", "POST"])
@improvement_manager
def analysis_edit(request: HtmxRequest, analysis_id: int) -> HttpResponse:
    analysis = queries.get_analysis_for(request.user, analysis_id)
    initial = {
        "title": analysis.title,
        "problem": analysis.problem,
        "category": analysis.category_id,
        "owner": analysis.owner_id,
    }
    form = AnalysisForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_analysis(
                analysis=analysis,
                actor=request.user,
                title=data["title"],
                problem=data["problem"],
                category=data.get("category"),
                owner=data.get("owner"),
            )
        except DomainError as error:
            apply_nested_errors(form, error)
        else:
            return redirect("desk:improvement_analysis", analysis_id=analysis.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "analysis": analysis}
    return render(request, "improvement/analysis_form.html", context, status=status)


def _after(
    request: HtmxRequest,
    analysis: RootCauseAnalysis,
    form: forms.Form,
    form_name: str,
    work: Callable[[dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """Run one change of the analysis page's forms: redirect when it worked, else the page
    again with the form's errors."""
    status = 422
    if form.is_valid():
        try:
            work(form.cleaned_data)
        except DomainError as error:
            apply_nested_errors(form, error)
            status = error.status
        else:
            messages.success(request, done)
            return redirect("desk:improvement_analysis", analysis_id=analysis.pk)
    context = _analysis_context(request, analysis, **{form_name: form})
    context["page_error"] = " ".join(str(e) for e in form.non_field_errors())
    return render(request, "improvement/analysis.html", context, status=status)


@require_POST
@improvement_manager
def why_add(request: HtmxRequest, analysis_id: int) -> HttpResponse:
    analysis = queries.get_analysis_for(request.user, analysis_id)
    return _after(
        request,
        analysis,
        WhyForm(request.POST),
        "why_form",
        lambda data: services.add_why(analysis=analysis, actor=request.user, **data),
        gettext("Why added."),
    )


@require_POST
@improvement_manager
def why_change(request: HtmxRequest, analysis_id: int, why_id: int) -> HttpResponse:
    analysis = queries.get_analysis_for(request.user, analysis_id)
    why = _part_of(AnalysisWhy, why_id, analysis)
    return _change_part(
        request,
        analysis,
        WhyForm,
        "why_form",
        update=lambda data: services.update_why(why=why, actor=request.user, **data),
        remove=lambda: services.remove_why(why=why, actor=request.user),
        messages=(gettext("Why saved."), gettext("Why removed.")),
    )


@require_POST
@improvement_manager
def cause_add(request: HtmxRequest, analysis_id: int) -> HttpResponse:
    analysis = queries.get_analysis_for(request.user, analysis_id)
    return _after(
        request,
        analysis,
        CauseForm(request.POST),
        "cause_form",
        lambda data: services.add_cause(analysis=analysis, actor=request.user, **data),
        gettext("Cause added."),
    )


@require_POST
@improvement_manager
def cause_change(request: HtmxRequest, analysis_id: int, cause_id: int) -> HttpResponse:
    analysis = queries.get_analysis_for(request.user, analysis_id)
    cause = _part_of(FishboneCause, cause_id, analysis)
    return _change_part(
        request,
        analysis,
        CauseForm,
        "cause_form",
        update=lambda data: services.update_cause(cause=cause, actor=request.user, **data),
        remove=lambda: services.remove_cause(cause=cause, actor=request.user),
        messages=(gettext("Cause saved."), gettext("Cause removed.")),
    )


def _part_of[Part: (AnalysisWhy, FishboneCause)](
    model: type[Part], part_id: int, analysis: RootCauseAnalysis
) -> Part:
    part = model.objects.filter(pk=part_id, analysis=analysis).first()
    if part is None:
        raise PermissionDenied
    return part


def _change_part(
    request: HtmxRequest,
    analysis: RootCauseAnalysis,
    form_class: type[forms.Form],
    form_name: str,
    *,
    update: Callable[[dict[str, Any]], Any],
    remove: Callable[[], Any],
    messages: tuple[str, str],
) -> HttpResponse:
    """Save or (with `remove` in the form) take out one why or cause of an analysis."""
    saved, removed = messages
    if request.POST.get("remove"):
        return _after(
            request, analysis, forms.Form(request.POST), "_unused", lambda _: remove(), removed
        )
    return _after(request, analysis, form_class(request.POST), form_name, update, saved)


@require_POST
@improvement_manager
def evidence_change(request: HtmxRequest, analysis_id: int) -> HttpResponse:
    analysis = queries.get_analysis_for(request.user, analysis_id)

    def work(data: dict[str, Any]) -> Any:
        use = services.link_evidence if data["operation"] == "link" else services.unlink_evidence
        return use(
            analysis=analysis,
            actor=request.user,
            tickets=split_numbers(data.get("tickets", "")),
            feedback_items=split_numbers(data.get("feedback_items", "")),
        )

    return _after(
        request,
        analysis,
        EvidenceForm(request.POST),
        "evidence_form",
        work,
        gettext("Evidence updated."),
    )


@require_POST
@improvement_manager
def analysis_conclude(request: HtmxRequest, analysis_id: int) -> HttpResponse:
    analysis = queries.get_analysis_for(request.user, analysis_id)
    return _after(
        request,
        analysis,
        ConcludeForm(request.POST),
        "conclude_form",
        lambda data: services.conclude_analysis(analysis=analysis, actor=request.user, **data),
        gettext("Analysis concluded."),
    )


@require_POST
@improvement_manager
def analysis_reopen(request: HtmxRequest, analysis_id: int) -> HttpResponse:
    analysis = queries.get_analysis_for(request.user, analysis_id)
    return _after(
        request,
        analysis,
        forms.Form(request.POST),
        "_unused",
        lambda data: services.reopen_analysis(analysis=analysis, actor=request.user),
        gettext("Analysis reopened."),
    )


P = "improvement/"
urlpatterns: list[URLPattern] = [
    path(P, board, name="improvement_board"),
    path(f"{P}plans/new/", plan_new, name="improvement_plan_new"),
    path(f"{P}plans/<str:code>/", plan_page, name="improvement_plan"),
    path(f"{P}plans/<str:code>/edit/", plan_edit, name="improvement_plan_edit"),
    path(f"{P}plans/<str:code>/chart.json", plan_chart, name="improvement_plan_chart"),
    path(f"{P}plans/<str:code>/phase/", plan_phase, name="improvement_plan_phase"),
    path(f"{P}plans/<str:code>/status/", plan_status, name="improvement_plan_status"),
    path(f"{P}plans/<str:code>/actions/", action_new, name="improvement_action_new"),
    path(
        f"{P}plans/<str:code>/actions/<int:action_id>/",
        action_update,
        name="improvement_action_update",
    ),
    path(f"{P}analyses/", analyses, name="improvement_analyses"),
    path(f"{P}analyses/new/", analysis_new, name="improvement_analysis_new"),
    path(f"{P}analyses/<int:analysis_id>/", analysis_page, name="improvement_analysis"),
    path(f"{P}analyses/<int:analysis_id>/edit/", analysis_edit, name="improvement_analysis_edit"),
    path(f"{P}analyses/<int:analysis_id>/whys/", why_add, name="improvement_why_add"),
    path(
        f"{P}analyses/<int:analysis_id>/whys/<int:why_id>/",
        why_change,
        name="improvement_why_change",
    ),
    path(f"{P}analyses/<int:analysis_id>/causes/", cause_add, name="improvement_cause_add"),
    path(
        f"{P}analyses/<int:analysis_id>/causes/<int:cause_id>/",
        cause_change,
        name="improvement_cause_change",
    ),
    path(
        f"{P}analyses/<int:analysis_id>/evidence/",
        evidence_change,
        name="improvement_evidence",
    ),
    path(
        f"{P}analyses/<int:analysis_id>/conclude/",
        analysis_conclude,
        name="improvement_analysis_conclude",
    ),
    path(
        f"{P}analyses/<int:analysis_id>/reopen/",
        analysis_reopen,
        name="improvement_analysis_reopen",
    ),
]
