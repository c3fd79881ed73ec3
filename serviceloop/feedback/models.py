"""The feedback register (反馈信息汇总表) and anonymous staff surveys.

Anonymity is a property of the tables, not of the screens: an anonymous feedback item has no
submitter, and a staff survey answer has neither a user nor a time finer than the day (its
key is random, so not even the order of answering can be read from it). The invitation
only says whether its user has answered, never when.

Nor can the database's bookkeeping tell: the invitation is marked answered in one
transaction and the answer stored in another (surveys.answer_staff_survey), and each of the
two rewrites every row of its survey, so that on PostgreSQL all invitations carry one row
version (xmin) and all answers another, and no row stands out as the latest.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import Team
from serviceloop.core import clock
from serviceloop.customers.models import Customer, Organisation
from serviceloop.tickets.models import Category, Ticket

from .choices import (
    FeedbackStatus,
    FeedbackType,
    FeedbackUrgency,
    Nature,
    Source,
    Stage,
)


class FeedbackItem(models.Model):
    """One observation from a customer, a partner or a staff member (反馈), classified by a
    specialist and followed to a decision. The analytics and improvement apps link to it."""

    number = models.CharField(_("feedback number"), max_length=32, editable=False)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    type = models.CharField(_("type"), max_length=20, choices=FeedbackType.choices, blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=FeedbackUrgency.choices, default=FeedbackUrgency.MEDIUM
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, blank=True)
    nature = models.CharField(_("nature"), max_length=10, choices=Nature.choices, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_items",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_items",
    )
    tickets = models.ManyToManyField(
        Ticket, verbose_name=_("tickets"), blank=True, related_name="feedback_items"
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_items",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("partner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_items",
    )
    # NULL when a staff member chose to stay anonymous: nothing else records who it was.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW
    )
    rejection_reason = models.TextField(_("reason for rejecting"), blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=clock.now, editable=False)
    classified_at = models.DateTimeField(_("classified"), null=True, blank=True, editable=False)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("classified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A text answer of a staff survey that a specialist turned into this item.
    staff_survey_answer = models.ForeignKey(
        "StaffSurveyAnswer",
        verbose_name=_("staff survey answer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_items",
    )
    survey_question = models.CharField(_("survey question"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("feedback item")
        verbose_name_plural = _("feedback items")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="feedback_created"),
            models.Index(fields=["status", "-created_at"], name="feedback_status"),
            models.Index(fields=["team", "-created_at"], name="feedback_team"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="feedback_number_unique"),
            # a survey answer's text becomes at most one item per question
            models.UniqueConstraint(
                fields=["staff_survey_answer", "survey_question"],
                condition=Q(staff_survey_answer__isnull=False),
                name="feedback_one_item_per_survey_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_anonymous(self) -> bool:
        return self.source == Source.STAFF and self.submitted_by_id is None

    @property
    def is_classified(self) -> bool:
        return bool(self.type and self.stage and self.nature)


class FeedbackNumberCounter(models.Model):
    """Last feedback number handed out per day (see numbering)."""

    day = models.DateField(primary_key=True)
    last_value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last_value}"


class StaffSurvey(models.Model):
    """An anonymous survey of one team's members. `questions` is a list of
    {key, text_en, text_zh, kind: scale_1_5 | text} (checked by surveys.clean_questions)."""

    title = models.CharField(_("title"), max_length=200)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="staff_surveys"
    )
    questions = models.JSONField(_("questions"), default=list)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("staff survey")
        verbose_name_plural = _("staff surveys")
        ordering = ["-opens_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def is_open_at(self, moment: datetime) -> bool:
        return self.opens_at <= moment < self.closes_at


class StaffSurveyInvitation(models.Model):
    """Who was asked, and whether they answered — deliberately not when (see the module).
    `initial`: asked when the survey was first sent. Only those count towards the results'
    threshold, so that members added afterwards (dummies of an administrator, say) cannot
    make a few real answers look like many."""

    survey = models.ForeignKey(StaffSurvey, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_survey_invitations"
    )
    answered = models.BooleanField(_("answered"), default=False)
    initial = models.BooleanField(_("invited when the survey was sent"), default=False)

    class Meta:
        verbose_name = _("staff survey invitation")
        verbose_name_plural = _("staff survey invitations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="one_invitation_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.user_id}"


class StaffSurveyAnswer(models.Model):
    """One person's answers, without the person: a random key, the survey, the day."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(StaffSurvey, on_delete=models.CASCADE, related_name="answers")
    answers = models.JSONField(_("answers"), default=dict)
    answered_on = models.DateField(_("answered on"))

    class Meta:
        verbose_name = _("staff survey answer")
        verbose_name_plural = _("staff survey answers")

    def __str__(self) -> str:
        return f"{self.survey_id} {self.answered_on}"
