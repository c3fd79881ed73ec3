"""Follow-ups (回访): a call back to the customer after resolution — did it work, how
satisfied are they — opened by the rule when a ticket is resolved, or by a low CSAT/NPS score.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import Team
from serviceloop.core import clock
from serviceloop.customers.models import Customer
from serviceloop.satisfaction.models import CsatSurvey, NpsResponse
from serviceloop.tickets.models import Ticket

from .choices import RULE_REASONS, FollowUpStatus, Outcome, Reason

DEFAULT_DUE_HOURS = 48


class FollowUpRule(models.Model):
    """Which resolved tickets get a follow-up, and when it is due. One row (the admin edits
    it); without one the defaults apply."""

    all_complaints = models.BooleanField(_("every complaint"), default=True)
    high_urgency = models.BooleanField(_("every high or critical urgency ticket"), default=True)
    random_percent = models.PositiveSmallIntegerField(
        _("random share of the others (%)"),
        default=10,
        help_text=_("0: none. The draw is fixed per ticket, so it is the same every time."),
    )
    due_hours = models.PositiveSmallIntegerField(_("due after (hours)"), default=DEFAULT_DUE_HOURS)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("follow-up rule")
        verbose_name_plural = _("follow-up rule")
        constraints = [
            models.CheckConstraint(
                condition=Q(random_percent__lte=100), name="follow_up_percent_to_100"
            ),
            models.CheckConstraint(condition=Q(due_hours__gte=1), name="follow_up_due_hours_1"),
        ]

    def __str__(self) -> str:
        return str(_("Follow-up rule"))

    @classmethod
    def current(cls) -> "FollowUpRule":
        """The configured rule, else the defaults (unsaved)."""
        return cls.objects.order_by("pk").first() or cls()


class FollowUp(models.Model):
    """One call back to a customer, about a ticket (or none: a low NPS score of a customer
    without tickets)."""

    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="callbacks",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1-5)"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    csat_survey = models.OneToOneField(
        CsatSurvey,
        verbose_name=_("CSAT survey"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up",
    )
    nps_response = models.OneToOneField(
        NpsResponse,
        verbose_name=_("NPS response"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up",
    )
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    overdue_notified_at = models.DateTimeField(_("overdue notice sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_at", "id"]
        constraints = [
            # the rule opens at most one follow-up per ticket at a time
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(status=FollowUpStatus.OPEN, reason__in=RULE_REASONS),
                name="one_open_rule_follow_up",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="follow_up_satisfaction_1_to_5",
            ),
        ]
        indexes = [
            models.Index(
                fields=["assignee", "due_at"],
                condition=Q(status=FollowUpStatus.OPEN),
                name="follow_up_open_assignee",
            ),
            models.Index(
                fields=["team", "due_at"],
                condition=Q(status=FollowUpStatus.OPEN),
                name="follow_up_open_team",
            ),
            # the overdue sweep
            models.Index(
                fields=["due_at"],
                condition=Q(status=FollowUpStatus.OPEN, overdue_notified_at__isnull=True),
                name="follow_up_overdue_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.ticket_id or self.customer_id}"

    @property
    def is_open(self) -> bool:
        return self.status == FollowUpStatus.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < clock.now()
