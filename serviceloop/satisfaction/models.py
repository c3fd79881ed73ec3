"""Customer satisfaction: one CSAT survey per resolved ticket (1-5) and NPS campaigns (0-10).

The names of CsatSurvey and its fields are read by the analytics app: keep them.
A survey is answered through a signed link (links.py) that needs no sign-in, in the portal,
or through the API; an answer may be changed for UPDATE_WINDOW after it was first given.
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from serviceloop.core import clock
from serviceloop.core.errors import DomainError
from serviceloop.customers.models import Customer, CustomerTier
from serviceloop.tickets.models import Ticket

from .choices import LOW_CSAT, LOW_NPS, AnswerChannel, MailStatus
from .errors import AnswerLocked, SurveyExpired

# An answer may be changed (a second click, the comment form) this long after it was given.
UPDATE_WINDOW = timedelta(days=7)


def new_nonce() -> str:
    """The random part of a survey's links; a new one invalidates every link sent so far."""
    return secrets.token_urlsafe(12)


class Answerable(models.Model):
    """What CSAT surveys and NPS responses share: the link's secret, its expiry and the
    times of the answer."""

    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    updated_at = models.DateTimeField(_("answer changed"), null=True, blank=True)
    # The feedback item (反馈) the first comment of the answer was registered as.
    feedback_item = models.OneToOneField(
        "feedback.FeedbackItem",
        verbose_name=_("feedback item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        abstract = True

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and (now or clock.now()) >= self.expires_at

    @property
    def changeable_until(self) -> datetime | None:
        """Until when the answer may still be changed (None: not answered yet)."""
        return self.answered_at + UPDATE_WINDOW if self.answered_at else None

    def refusal(self, now: datetime | None = None) -> DomainError | None:
        """Why an answer (or a changed one) would be refused now: SurveyExpired,
        AnswerLocked (answered more than 7 days ago), or None when it is taken."""
        now = now or clock.now()
        if self.is_expired(now):
            return SurveyExpired()
        until = self.changeable_until
        return AnswerLocked() if until is not None and now > until else None

    @property
    def can_answer(self) -> bool:
        """Whether an answer (or a changed one) is taken now."""
        return self.refusal() is None


class CsatSurvey(Answerable):
    """The satisfaction survey (满意度) of one ticket: made when the ticket is resolved,
    mailed after SATISFACTION_DELAY_MINUTES, sent again when the ticket is resolved again and
    the customer has not answered."""

    ticket = models.OneToOneField(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="csat"
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="csat_surveys",
    )
    send_after = models.DateTimeField(
        _("request due"), null=True, blank=True, help_text=_("When the next request is mailed.")
    )
    requests = models.PositiveSmallIntegerField(_("requests sent"), default=0)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(
        _("answered through"), max_length=10, choices=AnswerChannel.choices, blank=True
    )
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("CSAT survey")
        verbose_name_plural = _("CSAT surveys")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="csat_score_1_to_5",
            )
        ]
        indexes = [
            # the sweep that mails the due requests
            models.Index(
                fields=["send_after"],
                condition=Q(send_after__isnull=False),
                name="csat_request_due",
            ),
            models.Index(fields=["customer", "-created_at"], name="csat_customer"),
            models.Index(
                fields=["answered_at"], condition=Q(answered_at__isnull=False), name="csat_answered"
            ),
        ]

    def __str__(self) -> str:
        return f"CSAT {self.ticket_id}"

    @property
    def is_low(self) -> bool:
        return self.score is not None and self.score <= LOW_CSAT


class NpsCampaign(models.Model):
    """One round of the recommendation survey (推荐度) to a sample of customers."""

    name = models.CharField(_("name"), max_length=200)
    tiers = models.ManyToManyField(
        CustomerTier,
        verbose_name=_("customer tiers"),
        blank=True,
        related_name="+",
        help_text=_("Only customers of these tiers; none: every tier (and none)."),
    )
    contacted_within_days = models.PositiveSmallIntegerField(
        _("contacted within (days)"),
        null=True,
        blank=True,
        help_text=_("Only customers with a ticket created in the last N days; empty: anybody."),
    )
    percent = models.PositiveSmallIntegerField(
        _("sample (%)"), default=100, help_text=_("A random share of the matching customers.")
    )
    seed = models.PositiveIntegerField(
        _("random seed"), help_text=_("The same seed draws the same customers.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sampled = models.PositiveIntegerField(_("customers drawn"), default=0)
    skipped_no_email = models.PositiveIntegerField(_("skipped: no e-mail"), default=0)

    class Meta:
        verbose_name = _("NPS campaign")
        verbose_name_plural = _("NPS campaigns")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=1, percent__lte=100), name="nps_percent_1_to_100"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


class NpsResponse(Answerable):
    """One sampled customer of a campaign: the mail sent to them and their answer."""

    campaign = models.ForeignKey(
        NpsCampaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="responses",
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="nps_responses",
    )
    email = models.EmailField(_("sent to"), max_length=254)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    mail_status = models.CharField(
        _("mail"), max_length=10, choices=MailStatus.choices, default=MailStatus.QUEUED
    )
    mail_attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    mail_error = models.TextField(_("last error"), blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("NPS response")
        verbose_name_plural = _("NPS responses")
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer"], name="one_nps_response_per_customer"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=10),
                name="nps_score_0_to_10",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-sent_at"], name="nps_customer"),
            # the mail sweep: failed mails by when they are due again, and unfinished ones
            models.Index(
                fields=["mail_status", "next_attempt_at"],
                condition=Q(mail_status__in=[MailStatus.QUEUED, MailStatus.SENDING])
                | Q(mail_status=MailStatus.FAILED, next_attempt_at__isnull=False),
                name="nps_mail_due",
            ),
        ]

    def __str__(self) -> str:
        return f"NPS {self.campaign_id} {self.customer_id}"

    @property
    def is_low(self) -> bool:
        return self.score is not None and self.score <= LOW_NPS
