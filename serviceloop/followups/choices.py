from django.db import models
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    """Why a follow-up (回访) was opened."""

    COMPLAINT = "complaint", _("Complaint")
    HIGH_URGENCY = "high_urgency", _("High urgency")
    RANDOM = "random", _("Random sample")
    LOW_CSAT = "low_csat", _("Low satisfaction score")
    LOW_NPS = "low_nps", _("Low recommendation score")


# The reasons the rule applies when a ticket is resolved (at most one open per ticket).
RULE_REASONS = (Reason.COMPLAINT, Reason.HIGH_URGENCY, Reason.RANDOM)


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Outcome(models.TextChoices):
    SOLVED = "solved", _("Solved")
    NOT_SOLVED = "not_solved", _("Not solved")


SATISFACTION_SCORES = range(1, 6)
