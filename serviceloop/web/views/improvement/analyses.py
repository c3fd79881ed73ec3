"""Root-cause analyses: the list, starting one (from the dashboard's Pareto bar too), its page
and its title, problem, category and owner."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from serviceloop.core.errors import DomainError
from serviceloop.improvement import queries, services
from serviceloop.improvement.choices import AnalysisStatus, CauseCategory
from serviceloop.improvement.models import RootCauseAnalysis, stored_scope
from serviceloop.improvement.permissions import manages_improvement
from serviceloop.tickets.models import Category

from ...access import analysis_reader, improvement_manager
from ...forms.improvement import (
    SCOPE_FIELDS,
    AnalysisForm,
    CauseForm,
    ConcludeForm,
    EvidenceForm,
    WhyForm,
    apply_nested_errors,
)
from ...htmx import HtmxRequest


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
    wanted = int_or_none(request.GET.get("category"))
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


def int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def analysis_context(
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
    return render(request, "improvement/analysis.html", analysis_context(request, analysis))


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
