from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import Team

DEFAULT_CAPACITY = 10  # open tickets, for agents without a profile


class Rule(models.TextChoices):
    MANUAL = "manual", _("Manual (a person picks the assignee)")
    ROUND_ROBIN = "round_robin", _("Round-robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


class TeamRouting(models.Model):
    """How a team's new tickets find their assignee (分派). A team without one is manual."""

    team = models.OneToOneField(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="routing"
    )
    rule = models.CharField(_("assignment rule"), max_length=20, choices=Rule.choices)
    use_skills = models.BooleanField(
        _("require skills"),
        default=False,
        help_text=_(
            "Only agents whose skills cover the ticket's category, the customer's language "
            "and tier receive it (an agent without skills of a kind covers all of that kind)."
        ),
    )

    class Meta:
        verbose_name = _("team routing")
        verbose_name_plural = _("team routing")

    def __str__(self) -> str:
        return f"{self.team}: {self.get_rule_display()}"


class AgentProfile(models.Model):
    """An agent's capacity, skills, shift and presence. Agents without one get the defaults:
    DEFAULT_CAPACITY, no skills (they cover everything), their team's calendar."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="agent_profile",
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=DEFAULT_CAPACITY,
        help_text=_("Open tickets at most, for least-loaded and round-robin assignment."),
    )
    is_away = models.BooleanField(_("away"), default=False)
    calendar = models.ForeignKey(
        "calendars.BusinessCalendar",
        verbose_name=_("shift calendar"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("When this agent works. Empty: the hours of their team."),
    )
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_("Empty: any language.")
    )
    categories = models.ManyToManyField(
        "tickets.Category",
        verbose_name=_("categories"),
        blank=True,
        related_name="+",
        help_text=_("Empty: any category. A category covers its sub-categories."),
    )
    tiers = models.ManyToManyField(
        "customers.CustomerTier",
        verbose_name=_("customer tiers"),
        blank=True,
        related_name="+",
        help_text=_("Empty: any tier."),
    )
    last_assigned_at = models.DateTimeField(_("last assigned"), null=True, blank=True)

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")

    def __str__(self) -> str:
        return str(self.user)
