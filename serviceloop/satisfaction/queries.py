"""Read side of satisfaction: who sees which surveys, and the results of NPS campaigns."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.core.errors import NotPermitted
from serviceloop.customers.models import Customer
from serviceloop.tickets.choices import Status
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.queries import tickets_visible_to

from .choices import DETRACTORS, PROMOTERS, MailStatus
from .models import CsatSurvey, NpsCampaign, NpsResponse
from .permissions import CAMPAIGN_READER_ROLES


def portal_csat_of(ticket: Ticket, user: User) -> CsatSurvey | None:
    """What the portal's ticket page offers `user` to rate: the survey of their own
    resolved or closed ticket (not a colleague's ticket their organisation shares; no query
    for an open ticket)."""
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        return None
    return CsatSurvey.objects.filter(ticket_id=ticket.pk, customer__user=user).first()


def scores_by_ticket(user: User, tickets: Iterable[Ticket]) -> dict[int, int]:
    """The CSAT score the customer gave each of `tickets` (by ticket id), among the surveys
    `user` may see; an unanswered or unseen survey is absent. One query."""
    answered = csat_visible_to(user).filter(
        ticket_id__in=[ticket.pk for ticket in tickets], score__isnull=False
    )
    return {
        ticket_id: score
        for ticket_id, score in answered.values_list("ticket_id", "score")
        if score is not None
    }


def csat_visible_to(user: User) -> QuerySet[CsatSurvey]:
    """Staff see the surveys of the tickets they see; a customer their own surveys (not
    their organisation's: an answer is personal); partners none."""
    surveys = CsatSurvey.objects.select_related("ticket", "customer")
    if not user.is_active:
        return surveys.none()
    if user.is_staff_member:
        if user.sees_all_tickets:
            return surveys
        return surveys.filter(ticket__in=tickets_visible_to(user))
    if user.role == Role.CUSTOMER:
        return surveys.filter(customer__user=user)
    return surveys.none()


def get_own_csat(user: User, number: str) -> CsatSurvey:
    """The survey of the customer's own ticket `number`; 404 for anything else."""
    if user.role != Role.CUSTOMER:
        raise Http404("survey")
    survey = csat_visible_to(user).filter(ticket__number=number.strip().upper()).first()
    if survey is None:
        raise Http404("survey")
    return survey


def nps_responses_of(user: User) -> QuerySet[NpsResponse]:
    """A customer's own NPS surveys, newest first (none for anybody else)."""
    if user.role != Role.CUSTOMER or not user.is_active:
        return NpsResponse.objects.none()
    customer_ids = Customer.objects.filter(user=user).values("pk")
    return NpsResponse.objects.filter(customer_id__in=customer_ids).order_by("-sent_at", "-id")


def campaigns_for(user: User) -> QuerySet[NpsCampaign]:
    """Every campaign, for the roles that read them; NotPermitted for the others."""
    if user.role not in CAMPAIGN_READER_ROLES or not user.is_active:
        raise NotPermitted(_("Your role may not see NPS campaigns."))
    return NpsCampaign.objects.select_related("created_by", "sent_by").prefetch_related("tiers")


def _counts(prefix: str = "") -> dict[str, Count]:
    """The counts of CampaignResults, over responses (`prefix` "responses__" from a
    campaign)."""
    pk = f"{prefix}pk" if prefix else "pk"
    return {
        "sent": Count(pk),
        "mailed": Count(pk, filter=Q(**{f"{prefix}mail_status": MailStatus.SENT})),
        "failed": Count(
            pk, filter=Q(**{f"{prefix}mail_status__in": [MailStatus.FAILED, MailStatus.SKIPPED]})
        ),
        "answered": Count(pk, filter=Q(**{f"{prefix}score__isnull": False})),
        "promoters": Count(pk, filter=Q(**{f"{prefix}score__gte": PROMOTERS.start})),
        "detractors": Count(pk, filter=Q(**{f"{prefix}score__lte": DETRACTORS.stop - 1})),
    }


def campaign_rows(user: User) -> QuerySet[NpsCampaign]:
    """The campaigns `user` may read, each with the counts of its results (one query; see
    results_of_row)."""
    return campaigns_for(user).annotate(**_counts("responses__"))


def results_of_row(campaign: NpsCampaign) -> "CampaignResults":
    """The results of a campaign read through campaign_rows (no query)."""
    names = ("sent", "mailed", "failed", "answered", "promoters", "detractors")
    counts = {name: int(getattr(campaign, name)) for name in names}
    return _results(campaign, counts)


def get_campaign_for(user: User, campaign_id: int) -> NpsCampaign:
    campaign = campaigns_for(user).filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404("campaign")
    return campaign


@dataclass(frozen=True, kw_only=True)
class CampaignResults:
    """How a campaign went. `sent` counts the surveyed customers (one mail each),
    `mailed` those whose mail went out; rates are percentages, None without a base."""

    sampled: int
    skipped_no_email: int
    sent: int
    mailed: int
    failed: int
    answered: int
    promoters: int
    passives: int
    detractors: int

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.answered / self.sent, 1) if self.sent else None

    @property
    def nps(self) -> float | None:
        return nps_score(
            promoters=self.promoters, detractors=self.detractors, answered=self.answered
        )


def nps_score(*, promoters: int, detractors: int, answered: int) -> float | None:
    """NPS = % promoters (9-10) − % detractors (0-6), from -100 to 100; None without answers."""
    if answered <= 0:
        return None
    return round(100 * (promoters - detractors) / answered, 1)


def campaign_results(campaign: NpsCampaign) -> CampaignResults:
    """The campaign's counts and NPS, in one query."""
    counts = NpsResponse.objects.filter(campaign=campaign).aggregate(**_counts())
    return _results(campaign, counts)


def _results(campaign: NpsCampaign, counts: dict[str, int]) -> CampaignResults:
    return CampaignResults(
        sampled=campaign.sampled,
        skipped_no_email=campaign.skipped_no_email,
        passives=counts["answered"] - counts["promoters"] - counts["detractors"],
        **counts,
    )
