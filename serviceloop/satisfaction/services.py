"""Satisfaction use cases: the CSAT survey of a resolved ticket (schedule, request, answer)
and NPS campaigns (create, send, answer).

Mail is never sent here. A CSAT request is the audit event `csat.requested`, which the
notifications app turns into the customer's mail (MessageKind.CSAT); a sent campaign is
`nps_campaign.sent`, after which the notifications app mails its surveys (surveys.py). A low
score (`csat.answered`, `nps.answered` and their updates) has the followups app open a
follow-up once the answer commits.
"""

import math
import random
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import User
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.batches import skip_locked
from serviceloop.core.errors import Conflict, NotPermitted, ValidationFailed
from serviceloop.customers.choices import ContactKind
from serviceloop.customers.language import language_of
from serviceloop.customers.models import Customer, CustomerContact, CustomerTier
from serviceloop.feedback.choices import Source as FeedbackSource
from serviceloop.feedback.services import register_feedback
from serviceloop.tickets.choices import Status
from serviceloop.tickets.models import Ticket

from . import events
from .choices import CSAT_SCORES, NPS_SCORES, AnswerChannel
from .links import link_days
from .models import CsatSurvey, NpsCampaign, NpsResponse, new_nonce
from .permissions import CAMPAIGN_ROLES

MAX_COMMENT = 2_000
MAX_SEED = 2**31 - 1
MAX_CONTACT_DAYS = 3650
SURVEYED_STATUSES = (Status.RESOLVED, Status.CLOSED)
CHUNK = 500  # ids per IN (...) list


def request_delay() -> timedelta:
    """SATISFACTION_DELAY_MINUTES (default 60): how long after the resolution the CSAT
    request is mailed — not in the same minute as the "resolved" mail, and not at all when
    the customer reopens the ticket meanwhile."""
    return timedelta(minutes=settings.SATISFACTION_DELAY_MINUTES)


def _respondent(customer: Customer) -> User | None:
    """Who answers in the audit trail: the customer's portal login, else nobody named."""
    return customer.user if customer.user_id else None


# --- CSAT ----------------------------------------------------------------------------------


def _survey_of(ticket: Ticket) -> CsatSurvey:
    """The ticket's survey, made if missing, locked for this transaction."""
    CsatSurvey.objects.get_or_create(
        ticket_id=ticket.pk, defaults={"customer_id": ticket.customer_id}
    )
    return (
        CsatSurvey.objects.select_for_update(of=("self",))
        .select_related("ticket", "customer__user")
        .get(ticket_id=ticket.pk)
    )


@transaction.atomic
def schedule_csat(*, ticket: Ticket) -> CsatSurvey | None:
    """The ticket was resolved: make its survey (one per ticket, ever) and have the request
    mailed after request_delay(), unless the customer answered already. A resolution after
    a reopen schedules the same survey again. None when the ticket is no longer resolved.
    Audit: csat.scheduled."""
    if not Ticket.objects.filter(pk=ticket.pk, status=Status.RESOLVED).exists():
        return None
    survey = _survey_of(ticket)
    if survey.is_answered:
        return survey
    survey.send_after = clock.now() + request_delay()
    survey.save(update_fields=["send_after"])
    audit.record(
        actor=None,
        action=events.CSAT_SCHEDULED,
        target=survey,
        after={"send_after": survey.send_after},
    )
    return survey


@transaction.atomic
def request_csat(*, ticket: Ticket) -> CsatSurvey:
    """Ask the customer of a resolved (or closed) ticket for their rating now: the survey
    (made if missing) gets its sending time and a link expiry SATISFACTION_LINK_DAYS ahead,
    and the audit event csat.requested has the notifications app mail the five one-click
    links. Nothing is sent for a survey already answered or a ticket reopened meanwhile.
    A second request for the same survey keeps its links (the nonce) valid."""
    survey = _survey_of(ticket)
    if survey.is_answered or survey.ticket.status not in SURVEYED_STATUSES:
        if survey.send_after is not None:
            survey.send_after = None
            survey.save(update_fields=["send_after"])
        return survey
    now = clock.now()
    survey.sent_at = now
    survey.expires_at = now + timedelta(days=link_days())
    survey.requests += 1
    survey.send_after = None
    survey.save(update_fields=["sent_at", "expires_at", "requests", "send_after"])
    audit.record(
        actor=None,
        action=events.CSAT_REQUESTED,
        target=survey,
        after={"sent_at": now, "expires_at": survey.expires_at, "requests": survey.requests},
    )
    return survey


def send_due_csat_requests(*, now: datetime | None = None, batch: int = 200) -> int:
    """The sweep: mail the CSAT requests whose time came (send_after passed). Returns how
    many surveys it looked at. Safe in several workers at once (rows locked, skipped on
    PostgreSQL)."""
    handled = 0
    while True:
        taken = _request_batch(now=now or clock.now(), batch=batch)
        handled += taken
        if taken < batch:
            return handled


@transaction.atomic
def _request_batch(*, now: datetime, batch: int) -> int:
    due = CsatSurvey.objects.filter(send_after__lte=now)  # csat_request_due
    surveys = list(skip_locked(due.select_related("ticket")).order_by("send_after", "id")[:batch])
    for survey in surveys:
        request_csat(ticket=survey.ticket)
    return len(surveys)


def _check_comment(errors: dict[str, Any], text: str | None, field: str) -> None:
    if text is not None and len(text) > MAX_COMMENT:
        errors[field] = _("Use at most 2,000 characters.")


def _lock_answerable[S: (CsatSurvey, NpsResponse)](model: type[S], pk: int, now: datetime) -> S:
    """The survey locked for the answer; SurveyExpired or AnswerLocked when it may not be
    answered (again)."""
    survey = (
        model._default_manager.select_for_update(of=("self",))
        .select_related("customer__user")
        .get(pk=pk)
    )
    refusal = survey.refusal(now)
    if refusal is not None:
        raise refusal
    return survey


@transaction.atomic
def answer_csat(
    *, survey: CsatSurvey, score: int, comment: str | None = None, via: str
) -> CsatSurvey:
    """Record the customer's rating (1-5) and optional comment, given through `via` (the
    e-mail link, the portal, the API). The first answer is the answer; within 7 days of it
    another one changes it (a second click, the comment form) — never a second answer —
    and after that it is refused (AnswerLocked), as is an expired survey (SurveyExpired).
    `comment` None keeps the comment there is. A score of 2 or less has the followups app
    open a follow-up, once (events.gives_low_score). Audit: csat.answered, then
    csat.updated."""
    if via not in AnswerChannel.values:
        raise ValueError(f"unknown answer channel {via!r}")
    errors: dict[str, Any] = {}
    if isinstance(score, bool) or score not in CSAT_SCORES:
        errors["score"] = _("Choose a score from 1 to 5.")
    comment = comment.strip() if comment is not None else None
    _check_comment(errors, comment, "comment")
    if errors:
        raise ValidationFailed(errors)
    now = clock.now()
    survey = _lock_answerable(CsatSurvey, survey.pk, now)
    fields = ["score", "comment", "channel"]
    before = audit.snapshot(survey, fields)
    first = survey.answered_at is None
    survey.score = score
    if comment is not None:
        survey.comment = comment
    survey.channel = via
    if first:
        survey.answered_at = now
        survey.send_after = None  # no request after an answer
        survey.save(update_fields=[*fields, "answered_at", "send_after"])
        audit.record(actor=_respondent(survey.customer), action=events.CSAT_ANSWERED, target=survey,
                     after=audit.snapshot(survey, fields))  # fmt: skip
    else:
        before, after = audit.changed(before, audit.snapshot(survey, fields))
        if after:
            survey.updated_at = now
            survey.save(update_fields=[*fields, "updated_at"])
            audit.record(actor=_respondent(survey.customer), action=events.CSAT_UPDATED,
                         target=survey, before=before, after=after)  # fmt: skip
    if survey.comment:
        _register_comment(survey, survey.comment, tickets=[survey.ticket])
    return survey


# --- NPS -----------------------------------------------------------------------------------


def _require_campaigner(actor: User) -> None:
    if actor.role not in CAMPAIGN_ROLES or not actor.is_active:
        raise NotPermitted(_("Your role may not run NPS campaigns."))


@transaction.atomic
def create_nps_campaign(
    *,
    actor: User,
    name: str,
    tiers: Sequence[str] = (),
    contacted_within_days: int | None = None,
    percent: int = 100,
    seed: int | None = None,
) -> NpsCampaign:
    """A campaign to send later: who is sampled — customers of `tiers` (codes; none: all),
    with a ticket created in the last `contacted_within_days` days (None: anybody), a
    random `percent` (1-100) of them drawn with `seed` (None: a random one; the same seed
    draws the same customers). Audit: nps_campaign.created."""
    _require_campaigner(actor)
    name = name.strip()
    errors: dict[str, Any] = {}
    if not name:
        errors["name"] = _("This field is required.")
    elif len(name) > 200:
        errors["name"] = _("Use at most 200 characters.")
    if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 100:
        errors["percent"] = _("Enter a whole number from 1 to 100.")
    if contacted_within_days is not None and not 1 <= contacted_within_days <= MAX_CONTACT_DAYS:
        errors["contacted_within_days"] = _("Enter a number of days from 1 to 3650.")
    if seed is not None and not 0 <= seed <= MAX_SEED:
        errors["seed"] = _("Enter a whole number from 0 to 2147483647.")
    codes = list(dict.fromkeys(code.strip() for code in tiers if code.strip()))
    found = list(CustomerTier.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {tier.code for tier in found})
    if unknown:
        errors["tiers"] = _("There is no customer tier with the code %(code)s.") % {
            "code": unknown[0]
        }
    if errors:
        raise ValidationFailed(errors)
    campaign = NpsCampaign.objects.create(
        name=name,
        contacted_within_days=contacted_within_days,
        percent=percent,
        seed=secrets.randbelow(MAX_SEED) if seed is None else seed,
        created_by=actor,
    )
    campaign.tiers.set(found)
    audit.record(
        actor=actor,
        action=events.NPS_CAMPAIGN_CREATED,
        target=campaign,
        after={
            "name": name, "tiers": sorted(codes), "contacted_within_days": contacted_within_days,
            "percent": percent, "seed": campaign.seed,
        },
    )  # fmt: skip
    return campaign


def sample_customers(campaign: NpsCampaign, *, now: datetime | None = None) -> list[int]:
    """The ids of the customers `campaign` draws, ascending: those matching its tiers and
    recent contact, then ceil(percent %) of them drawn with its seed (deterministic)."""
    customers = Customer.objects.all()
    tier_ids = list(campaign.tiers.values_list("pk", flat=True))
    if tier_ids:
        customers = customers.filter(tier_id__in=tier_ids)
    if campaign.contacted_within_days:
        since = (now or clock.now()) - timedelta(days=campaign.contacted_within_days)
        recent = Ticket.objects.filter(customer_id=OuterRef("pk"), created_at__gte=since)
        customers = customers.filter(Exists(recent))
    matching = sorted(customers.values_list("pk", flat=True))
    wanted = math.ceil(len(matching) * campaign.percent / 100)
    # Not for security: a reproducible draw (the seed is shown on the campaign).
    drawn = random.Random(campaign.seed).sample(matching, wanted)  # noqa: S311
    return sorted(drawn)


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def email_addresses(customer_ids: Sequence[int]) -> dict[int, str]:
    """Each customer's address: the primary verified e-mail contact, else their login's
    address. Customers without one are missing (an unverified address is not used)."""
    found: dict[int, str] = {}
    contacts = (
        CustomerContact.objects.filter(
            customer_id__in=customer_ids, kind=ContactKind.EMAIL, verified_at__isnull=False
        )
        .order_by("customer_id", "-is_primary", "id")
        .values_list("customer_id", "value")
    )
    for customer_id, value in contacts:
        found.setdefault(customer_id, value)
    missing = [pk for pk in customer_ids if pk not in found]
    if missing:
        logins = Customer.objects.filter(pk__in=missing, user__is_active=True).values_list(
            "pk", "user__email"
        )
        found.update({pk: email for pk, email in logins if email})
    return found


@transaction.atomic
def send_nps_campaign(*, campaign: NpsCampaign, actor: User) -> NpsCampaign:
    """Draw the campaign's customers and survey each once: one NpsResponse per customer
    (a link valid SATISFACTION_LINK_DAYS), mailed by a task after the commit. Customers
    without an e-mail address are skipped and counted. A campaign is sent once (Conflict
    the second time). Audit: nps_campaign.sent."""
    _require_campaigner(actor)
    locked = NpsCampaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.is_sent:
        raise Conflict(_("This campaign was sent already."))
    now = clock.now()
    expires_at = now + timedelta(days=link_days())
    drawn = sample_customers(locked, now=now)
    surveyed = 0
    for chunk in _chunks(drawn):
        addresses = email_addresses(chunk)
        customers = Customer.objects.select_related("user").filter(pk__in=list(addresses))
        rows = [
            NpsResponse(
                campaign=locked, customer=customer, email=addresses[customer.pk],
                language=language_of(customer), nonce=new_nonce(), sent_at=now,
                expires_at=expires_at,
            )
            for customer in customers
        ]  # fmt: skip
        NpsResponse.objects.bulk_create(rows)
        surveyed += len(rows)
    locked.sent_at, locked.sent_by = now, actor
    locked.sampled, locked.skipped_no_email = len(drawn), len(drawn) - surveyed
    locked.save(update_fields=["sent_at", "sent_by", "sampled", "skipped_no_email"])
    audit.record(
        actor=actor,
        action=events.NPS_CAMPAIGN_SENT,
        target=locked,
        after={
            "sampled": len(drawn),
            "surveyed": surveyed,
            "skipped_no_email": len(drawn) - surveyed,
        },
    )
    return locked


@transaction.atomic
def answer_nps(*, response: NpsResponse, score: int, reason: str = "") -> NpsResponse:
    """Record how likely the customer recommends us (0-10) and why. The same rules as a
    CSAT answer: changed within 7 days of the first answer, refused after that or once the
    link expired. A score of 6 or less has the followups app open a follow-up, once. Audit:
    nps.answered, then nps.updated."""
    errors: dict[str, Any] = {}
    if isinstance(score, bool) or score not in NPS_SCORES:
        errors["score"] = _("Choose a score from 0 to 10.")
    reason = reason.strip()
    _check_comment(errors, reason, "reason")
    if errors:
        raise ValidationFailed(errors)
    now = clock.now()
    response = _lock_answerable(NpsResponse, response.pk, now)
    fields = ["score", "reason"]
    before = audit.snapshot(response, fields)
    response.score, response.reason = score, reason
    actor = _respondent(response.customer)
    if response.answered_at is None:
        response.answered_at = now
        response.save(update_fields=[*fields, "answered_at"])
        audit.record(actor=actor, action=events.NPS_ANSWERED, target=response,
                     after=audit.snapshot(response, fields))  # fmt: skip
    else:
        before, after = audit.changed(before, audit.snapshot(response, fields))
        if after:
            response.updated_at = now
            response.save(update_fields=[*fields, "updated_at"])
            audit.record(actor=actor, action=events.NPS_UPDATED, target=response, before=before,
                         after=after)  # fmt: skip
    if response.reason:
        latest = response.customer.tickets.order_by("-created_at").first()
        _register_comment(response, response.reason, tickets=[latest] if latest else [])
    return response


def _register_comment(answer: CsatSurvey | NpsResponse, text: str, tickets: list[Any]) -> None:
    """The first comment of an answer becomes a feedback item (source: survey) in the
    register, linked to the ticket; a changed comment later stays on the answer only."""
    if answer.feedback_item_id is not None:
        return
    scale = "CSAT" if isinstance(answer, CsatSurvey) else "NPS"
    answer.feedback_item = register_feedback(
        source=FeedbackSource.SURVEY,
        title=f"{scale} {answer.score}: {text[:120]}",
        text=text,
        actor=None,
        customer=answer.customer,
        tickets=tickets,
    )
    answer.save(update_fields=["feedback_item"])
