"""The work on an analysis page: its five whys, its fishbone causes, the evidence (tickets
and feedback), concluding and reopening. Each form posts and redirects, or shows the page
again with its errors."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from serviceloop.core.errors import DomainError
from serviceloop.improvement import queries, services
from serviceloop.improvement.models import AnalysisWhy, FishboneCause, RootCauseAnalysis

from ...access import improvement_manager
from ...forms.improvement import (
    CauseForm,
    ConcludeForm,
    EvidenceForm,
    WhyForm,
    apply_nested_errors,
    split_numbers,
)
from ...htmx import HtmxRequest
from .analyses import analysis_context


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
    context = analysis_context(request, analysis, **{form_name: form})
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
