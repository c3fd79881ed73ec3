from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from serviceloop.core.models import BilingualName


class SlaPolicy(BilingualName):
    """Response and resolution promises for the tickets its conditions match (服务时限).

    Policies are tried in `position` order; the first active one whose every set condition
    matches applies. An empty condition matches anything; a category matches itself and
    its sub-categories. Targets are minutes of business time in the team's calendar, or of
    calendar time when `business_time` is off; an empty target is no promise.
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    urgencies = models.JSONField(_("urgencies"), default=list, blank=True)
    kinds = models.JSONField(_("kinds"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    tier = models.ForeignKey(
        "customers.CustomerTier",
        verbose_name=_("customer tier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (minutes)"), null=True, blank=True
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response within (minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (minutes)"), null=True, blank=True
    )
    business_time = models.BooleanField(
        _("count business time"),
        default=True,
        help_text=_("Off: the targets run day and night, weekends and holidays included."),
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["position", "id"]


class TicketClock(models.Model):
    """A ticket's SLA state: the policy that applies, the current due times, the pause of
    the resolution clock, and whether each target was met (None: not decided yet)."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="sla_clock"
    )
    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("SLA policy"), on_delete=models.SET_NULL, null=True
    )
    first_response_due = models.DateTimeField(_("first response due"), null=True)
    next_response_due = models.DateTimeField(_("next response due"), null=True)
    next_response_from = models.DateTimeField(_("customer waiting since"), null=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True)
    paused_at = models.DateTimeField(_("resolution clock paused since"), null=True)
    paused_minutes = models.FloatField(_("minutes paused"), default=0)
    first_response_breached = models.BooleanField(_("first response late"), null=True)
    next_response_breached = models.BooleanField(_("a next response late"), default=False)
    resolution_breached = models.BooleanField(_("resolution late"), null=True)
    # The escalation sweep's marks: set while the target runs (undecided, ticket open, not
    # paused), None otherwise, so that its indexes hold running targets only. The value is
    # the moment of the earliest percent level of the active escalation rules (or the due
    # time when there is none).
    first_response_warn_at = models.DateTimeField(_("first response warning"), null=True)
    next_response_warn_at = models.DateTimeField(_("next response warning"), null=True)
    resolution_warn_at = models.DateTimeField(_("resolution warning"), null=True)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        indexes = [
            # the escalation sweeps: what is due, among the undecided targets
            models.Index(
                fields=["first_response_due"],
                condition=Q(first_response_breached__isnull=True),
                name="clock_first_response_open",
            ),
            models.Index(
                fields=["next_response_due"],
                condition=Q(next_response_due__isnull=False),
                name="clock_next_response_open",
            ),
            models.Index(
                fields=["resolution_due"],
                condition=Q(resolution_breached__isnull=True, paused_at__isnull=True),
                name="clock_resolution_open",
            ),
            # the escalation sweep: percent levels and breach levels of running targets
            *(
                index
                for target in ("first_response", "next_response", "resolution")
                for index in (
                    models.Index(
                        fields=[f"{target}_warn_at", "ticket"],
                        condition=Q(**{f"{target}_warn_at__isnull": False}),
                        name=f"clock_{target}_warn",
                    ),
                    models.Index(
                        fields=[f"{target}_due", "ticket"],
                        condition=Q(**{f"{target}_warn_at__isnull": False}),
                        name=f"clock_{target}_running",
                    ),
                )
            ),
        ]

    def __str__(self) -> str:
        return f"SLA clock of ticket {self.ticket_id}"


class EscalationTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class EscalationRule(BilingualName):
    """One level of escalation (升级): when a target is near or past its due time, tell
    people and act. Fires once per ticket, target and wait (a new customer message starts a
    new wait for the next response).

    The level is either `at_percent` of the target's span (from the ticket's creation, or
    from the customer's message for a next response, to the due time, counted in the
    policy's measure: business or calendar time) or `after_breach_minutes` past the due time
    (0: at the breach).
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    target = models.CharField(
        _("target"),
        max_length=20,
        choices=EscalationTarget.choices,
        blank=True,
        help_text=_("Empty: every target."),
    )
    at_percent = models.PositiveSmallIntegerField(
        _("at percent of the time"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("For example 75: when three quarters of the time to the due time are used."),
    )
    after_breach_minutes = models.PositiveIntegerField(
        _("minutes after the breach"),
        null=True,
        blank=True,
        help_text=_("0: at the breach; 120: two hours after it."),
    )
    notify_assignee = models.BooleanField(_("notify the assignee"), default=False)
    notify_supervisors = models.BooleanField(_("notify the team's supervisors"), default=False)
    notify_manager = models.BooleanField(_("notify the team's manager"), default=False)
    raise_urgency = models.BooleanField(
        _("raise the urgency"), default=False, help_text=_("One step: low, medium, high, critical.")
    )
    reassign_to_manager = models.BooleanField(_("reassign to the team's manager"), default=False)

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(at_percent__isnull=False, after_breach_minutes__isnull=True)
                | Q(at_percent__isnull=True, after_breach_minutes__isnull=False),
                name="escalation_rule_one_trigger",
            ),
            models.CheckConstraint(
                condition=Q(at_percent__isnull=True) | Q(at_percent__gte=1, at_percent__lte=100),
                name="escalation_rule_percent_range",
            ),
        ]

    def clean(self) -> None:
        if (self.at_percent is None) == (self.after_breach_minutes is None):
            raise ValidationError(
                _("Give either a percent of the time or minutes after the breach, not both.")
            )

    @property
    def is_breach_level(self) -> bool:
        return self.after_breach_minutes is not None

    def applies_to(self, target: str) -> bool:
        return not self.target or self.target == target

    @property
    def targets(self) -> list[str]:
        return [self.target] if self.target else list(EscalationTarget.values)


class Escalation(models.Model):
    """One level reached by one ticket: the log row whose insertion claims the work, so
    that a level is never acted on twice for the same wait, whatever the number of workers."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="escalations",
        db_index=False,  # covered by one_escalation_per_level
    )
    rule = models.ForeignKey(
        EscalationRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.CharField(_("target"), max_length=20, choices=EscalationTarget.choices)
    # the start of the wait: the ticket's creation, or the customer's message for a next
    # response (each message after an answer is a new wait)
    cycle = models.DateTimeField(_("waiting since"))
    level_at = models.DateTimeField(_("level reached at"))
    escalated_at = models.DateTimeField(_("escalated"))

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["escalated_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "rule", "target", "cycle"], name="one_escalation_per_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target} {self.rule_id}"
