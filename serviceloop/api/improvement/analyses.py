"""/api/v1/improvement/analyses: root-cause analyses (根因分析) with their whys, fishbone causes,
evidence and conclusions."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Status

from serviceloop.accounts.models import User
from serviceloop.core.keyset import paginate
from serviceloop.improvement import permissions, queries, services
from serviceloop.improvement.models import AnalysisWhy, FishboneCause, RootCauseAnalysis

from ..common import Id, actor, code_name, page_links, user_ref
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
from .output import analysis_out

router = Router(tags=["improvement"])


def _analyst(request: HttpRequest) -> User:
    user = actor(request)
    permissions.require_analysis_reader(user)
    return user


def _analysis(request: HttpRequest, analysis_id: Id) -> tuple[User, RootCauseAnalysis]:
    user = _analyst(request)
    return user, queries.get_analysis_for(user, analysis_id)


def _one_analysis(analysis: RootCauseAnalysis, user: User) -> dict[str, Any]:
    return analysis_out(queries.get_analysis_for(user, analysis.pk), user)


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
def get_analysis(request: HttpRequest, analysis_id: Id) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    return analysis_out(analysis, user)


@router.patch("/analyses/{analysis_id}", response=AnalysisOut, summary="Change a draft")
def update_analysis(
    request: HttpRequest, analysis_id: Id, payload: AnalysisPatch
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
def delete_analysis(request: HttpRequest, analysis_id: Id) -> Status[None]:
    user, analysis = _analysis(request, analysis_id)
    services.delete_analysis(analysis=analysis, actor=user)
    return Status(204, None)


@router.post("/analyses/{analysis_id}/whys", response={201: AnalysisOut}, summary="Add a why")
def add_why(request: HttpRequest, analysis_id: Id, payload: WhyIn) -> Status[dict[str, Any]]:
    user, analysis = _analysis(request, analysis_id)
    services.add_why(analysis=analysis, actor=user, **payload.model_dump())
    return Status(201, _one_analysis(analysis, user))


def _why(analysis: RootCauseAnalysis, why_id: Id) -> AnalysisWhy:
    why = analysis.whys.filter(pk=why_id).first()
    if why is None:
        raise Http404("why")
    return why


@router.patch("/analyses/{analysis_id}/whys/{why_id}", response=AnalysisOut, summary="Change a why")
def update_why(request: HttpRequest, analysis_id: Id, why_id: Id, payload: WhyIn) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    services.update_why(why=_why(analysis, why_id), actor=user, **payload.model_dump())
    return _one_analysis(analysis, user)


@router.delete(
    "/analyses/{analysis_id}/whys/{why_id}", response=AnalysisOut, summary="Remove a why"
)
def remove_why(request: HttpRequest, analysis_id: Id, why_id: Id) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    services.remove_why(why=_why(analysis, why_id), actor=user)
    return _one_analysis(analysis, user)


def _cause(analysis: RootCauseAnalysis, cause_id: Id) -> FishboneCause:
    cause = analysis.causes.filter(pk=cause_id).first()
    if cause is None:
        raise Http404("cause")
    return cause


@router.post("/analyses/{analysis_id}/causes", response={201: AnalysisOut}, summary="Add a cause")
def add_cause(request: HttpRequest, analysis_id: Id, payload: CauseIn) -> Status[dict[str, Any]]:
    user, analysis = _analysis(request, analysis_id)
    services.add_cause(analysis=analysis, actor=user, **payload.model_dump())
    return Status(201, _one_analysis(analysis, user))


@router.patch(
    "/analyses/{analysis_id}/causes/{cause_id}", response=AnalysisOut, summary="Change a cause"
)
def update_cause(
    request: HttpRequest, analysis_id: Id, cause_id: Id, payload: CauseIn
) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    services.update_cause(cause=_cause(analysis, cause_id), actor=user, **payload.model_dump())
    return _one_analysis(analysis, user)


@router.delete(
    "/analyses/{analysis_id}/causes/{cause_id}", response=AnalysisOut, summary="Remove a cause"
)
def remove_cause(request: HttpRequest, analysis_id: Id, cause_id: Id) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    services.remove_cause(cause=_cause(analysis, cause_id), actor=user)
    return _one_analysis(analysis, user)


@router.post(
    "/analyses/{analysis_id}/evidence",
    response=AnalysisOut,
    summary="Link tickets and feedback items (by number)",
)
def link_evidence(request: HttpRequest, analysis_id: Id, payload: EvidenceIn) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    services.link_evidence(analysis=analysis, actor=user, **payload.model_dump())
    return _one_analysis(analysis, user)


@router.post(
    "/analyses/{analysis_id}/evidence/unlink",
    response=AnalysisOut,
    summary="Unlink tickets and feedback items (by number)",
)
def unlink_evidence(request: HttpRequest, analysis_id: Id, payload: EvidenceIn) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    services.unlink_evidence(analysis=analysis, actor=user, **payload.model_dump())
    return _one_analysis(analysis, user)


@router.post(
    "/analyses/{analysis_id}/conclude", response=AnalysisOut, summary="Write the conclusions"
)
def conclude(request: HttpRequest, analysis_id: Id, payload: ConcludeIn) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    services.conclude_analysis(analysis=analysis, actor=user, conclusions=payload.conclusions)
    return _one_analysis(analysis, user)


@router.post("/analyses/{analysis_id}/reopen", response=AnalysisOut, summary="Back to draft")
def reopen(request: HttpRequest, analysis_id: Id) -> dict[str, Any]:
    user, analysis = _analysis(request, analysis_id)
    services.reopen_analysis(analysis=analysis, actor=user)
    return _one_analysis(analysis, user)
