"""/api/v1/surveys: CSAT surveys (staff read those of the tickets they see; a customer reads
and answers their own) and NPS campaigns (specialists, supervisors, managers and
administrators create and send them; analysts read them too)."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Status

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.core.errors import NotPermitted
from serviceloop.core.keyset import paginate
from serviceloop.satisfaction import queries, services
from serviceloop.satisfaction.choices import AnswerChannel
from serviceloop.satisfaction.models import CsatSurvey, NpsCampaign, NpsResponse

from .common import CustomerRef, Id, In, Out, PageOut, QueryIn, UserRef, actor, page_links, user_ref

router = Router(tags=["surveys"])


# --- schemas -------------------------------------------------------------------------------


class CsatOut(Out):
    ticket: str = Field(description="The ticket's number")
    customer: CustomerRef
    sent_at: datetime | None = Field(description="When the request was mailed (null: not yet)")
    expires_at: datetime | None
    score: int | None = Field(description="1 very dissatisfied .. 5 very satisfied")
    comment: str
    channel: AnswerChannel | None = Field(description="Where it was answered")
    answered_at: datetime | None
    updated_at: datetime | None = Field(description="When the answer was last changed")
    changeable_until: datetime | None = Field(description="The answer may change until then")


class CsatList(PageOut):
    items: list[CsatOut]


class CsatQuery(QueryIn):
    ticket: str | None = Field(None, max_length=32, description="A ticket number")
    answered: bool | None = Field(None, description="Only answered (true) or unanswered (false)")
    cursor: str | None = None
    limit: int = Field(settings.API_PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE)


class CsatAnswerIn(In):
    score: int = Field(..., ge=1, le=5)
    comment: str | None = Field(
        None, max_length=2_000, description="Left out or null: the comment stays as it is"
    )


class NpsMineOut(Out):
    id: int
    sent_at: datetime | None
    expires_at: datetime | None
    score: int | None = Field(description="0 not at all likely .. 10 extremely likely")
    reason: str
    answered_at: datetime | None


class MineOut(Out):
    csat: list[CsatOut]
    nps: list[NpsMineOut]


class CampaignIn(In):
    name: str = Field(..., min_length=1, max_length=200)
    tiers: list[str] = Field([], description="Customer tier codes; empty: every tier")
    contacted_within_days: int | None = Field(
        None, ge=1, le=3650, description="Only customers with a ticket created in the last N days"
    )
    percent: int = Field(100, ge=1, le=100, description="The random share drawn")
    seed: int | None = Field(
        None, ge=0, le=2_147_483_647, description="The same seed draws the same customers"
    )


class NpsResultsOut(Out):
    sampled: int = Field(description="Customers drawn")
    skipped_no_email: int
    sent: int = Field(description="Customers surveyed (one mail each)")
    mailed: int = Field(description="Mails delivered to the mail server")
    failed: int
    answered: int
    response_rate: float | None = Field(description="% of the surveyed who answered")
    promoters: int = Field(description="Scores 9-10")
    passives: int = Field(description="Scores 7-8")
    detractors: int = Field(description="Scores 0-6")
    nps: float | None = Field(description="% promoters − % detractors; null without answers")


class CampaignOut(Out):
    id: int
    name: str
    tiers: list[str]
    contacted_within_days: int | None
    percent: int
    seed: int
    created_by: UserRef | None
    created_at: datetime
    sent_at: datetime | None
    sent_by: UserRef | None
    results: NpsResultsOut


class CampaignList(PageOut):
    items: list[CampaignOut]


class CampaignQuery(QueryIn):
    cursor: str | None = None
    limit: int = Field(settings.API_PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE)


# --- shaping -------------------------------------------------------------------------------


def csat_out(survey: CsatSurvey) -> dict[str, Any]:
    return {
        "ticket": survey.ticket.number,
        "customer": {"id": survey.customer_id, "name": survey.customer.name},
        "sent_at": survey.sent_at,
        "expires_at": survey.expires_at,
        "score": survey.score,
        "comment": survey.comment,
        "channel": survey.channel or None,
        "answered_at": survey.answered_at,
        "updated_at": survey.updated_at,
        "changeable_until": survey.changeable_until,
    }


def nps_mine_out(response: NpsResponse) -> dict[str, Any]:
    return {
        "id": response.pk,
        "sent_at": response.sent_at,
        "expires_at": response.expires_at,
        "score": response.score,
        "reason": response.reason,
        "answered_at": response.answered_at,
    }


def campaign_out(campaign: NpsCampaign, results: queries.CampaignResults) -> dict[str, Any]:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "tiers": sorted(tier.code for tier in campaign.tiers.all()),
        "contacted_within_days": campaign.contacted_within_days,
        "percent": campaign.percent,
        "seed": campaign.seed,
        "created_by": user_ref(campaign.created_by),
        "created_at": campaign.created_at,
        "sent_at": campaign.sent_at,
        "sent_by": user_ref(campaign.sent_by),
        "results": {name: getattr(results, name) for name in NpsResultsOut.model_fields},
    }


def _customer(request: HttpRequest) -> User:
    user = actor(request)
    if user.role != Role.CUSTOMER:
        raise NotPermitted(_("Only customers answer their own surveys."))
    return user


def _staff(request: HttpRequest) -> User:
    user = actor(request)
    if not user.is_staff_member:
        raise NotPermitted(_("Customers see their own surveys at /api/v1/surveys/mine."))
    return user


# --- CSAT ----------------------------------------------------------------------------------


@router.get("/csat", response=CsatList, summary="CSAT surveys of the tickets I see (staff)")
def list_csat(request: HttpRequest, filters: Query[CsatQuery]) -> dict[str, Any]:
    user = _staff(request)
    surveys = queries.csat_visible_to(user)
    if filters.ticket:
        surveys = surveys.filter(ticket__number=filters.ticket.strip().upper())
    if filters.answered is not None:
        surveys = surveys.filter(answered_at__isnull=not filters.answered)
    page = paginate(surveys, fields=("created_at", "id"), cursor=filters.cursor, size=filters.limit)
    return {"items": [csat_out(s) for s in page.items], **page_links(request, page)}


@router.get("/mine", response=MineOut, summary="My surveys (customers)")
def my_surveys(request: HttpRequest) -> dict[str, Any]:
    user = _customer(request)
    csat = queries.csat_visible_to(user).order_by("-created_at", "-id")[:100]
    nps = queries.nps_responses_of(user)[:100]
    return {"csat": [csat_out(s) for s in csat], "nps": [nps_mine_out(r) for r in nps]}


@router.post(
    "/csat/{number}",
    response=CsatOut,
    summary="Rate my resolved ticket (customers)",
    description=(
        "The first answer is the answer; within 7 days another one changes it (409 after "
        "that, 410 once the survey expired). A score of 2 or less opens a follow-up."
    ),
)
def answer_csat(request: HttpRequest, number: str, payload: CsatAnswerIn) -> dict[str, Any]:
    user = _customer(request)
    survey = queries.get_own_csat(user, number)
    survey = services.answer_csat(
        survey=survey, score=payload.score, comment=payload.comment, via=AnswerChannel.API
    )
    return csat_out(survey)


# --- NPS campaigns -------------------------------------------------------------------------


@router.get("/nps", response=CampaignList, summary="NPS campaigns with their results")
def list_campaigns(request: HttpRequest, filters: Query[CampaignQuery]) -> dict[str, Any]:
    rows = queries.campaign_rows(actor(request))
    page = paginate(rows, fields=("created_at", "id"), cursor=filters.cursor, size=filters.limit)
    return {
        "items": [campaign_out(c, queries.results_of_row(c)) for c in page.items],
        **page_links(request, page),
    }


@router.post("/nps", response={201: CampaignOut}, summary="Create an NPS campaign")
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Status[dict[str, Any]]:
    user = actor(request)
    queries.campaigns_for(user)  # 403 for roles that do not even read campaigns
    campaign = services.create_nps_campaign(actor=user, **payload.model_dump())
    return Status(201, campaign_out(campaign, queries.campaign_results(campaign)))


@router.get("/nps/{campaign_id}", response=CampaignOut, summary="One NPS campaign")
def get_campaign(request: HttpRequest, campaign_id: Id) -> dict[str, Any]:
    campaign = queries.get_campaign_for(actor(request), campaign_id)
    return campaign_out(campaign, queries.campaign_results(campaign))


@router.post(
    "/nps/{campaign_id}/send",
    response=CampaignOut,
    summary="Send an NPS campaign (once)",
    description="Draws the customers and mails each a survey link; 409 when sent already.",
)
def send_campaign(request: HttpRequest, campaign_id: Id) -> dict[str, Any]:
    user = actor(request)
    campaign = queries.get_campaign_for(user, campaign_id)
    campaign = services.send_nps_campaign(campaign=campaign, actor=user)
    campaign = queries.get_campaign_for(user, campaign.pk)
    return campaign_out(campaign, queries.campaign_results(campaign))
