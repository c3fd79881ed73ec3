"""The codes of the feedback register (反馈信息汇总表) and of staff surveys, with en/zh labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from serviceloop.tickets.choices import Urgency


class Source(models.TextChoices):
    """Who the observation came from (the door it came in through)."""

    CUSTOMER = "customer", _("Customer")
    PARTNER = "partner", _("Partner")
    STAFF = "staff", _("Staff")
    SURVEY = "survey", _("Survey")


class FeedbackType(models.TextChoices):
    PROCESS_GAP = "process_gap", _("Process gap")
    RESOURCE_SHORTAGE = "resource_shortage", _("Resource shortage")
    EXPERIENCE = "experience", _("Experience improvement")


class FeedbackUrgency(models.TextChoices):
    """The ticket urgencies without "critical" (no SLA hangs on a feedback item); same codes
    and labels as tickets.choices.Urgency, so analytics can compare the two."""

    HIGH = Urgency.HIGH.value, Urgency.HIGH.label
    MEDIUM = Urgency.MEDIUM.value, Urgency.MEDIUM.label
    LOW = Urgency.LOW.value, Urgency.LOW.label


class Stage(models.TextChoices):
    """Where in the service process the observation arises."""

    INTAKE = "intake", _("Intake")
    HANDLING = "handling", _("Handling")
    FOLLOW_UP = "follow_up", _("Follow-up")


class Nature(models.TextChoices):
    EFFICIENCY = "efficiency", _("Efficiency")
    QUALITY = "quality", _("Quality")
    COST = "cost", _("Cost")


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")


class QuestionKind(models.TextChoices):
    SCALE_1_5 = "scale_1_5", _("Scale 1–5")
    TEXT = "text", _("Free text")


# The classification a specialist gives an item, each with its choices ("" = not yet).
CLASSIFICATION_CHOICES: dict[str, type[models.TextChoices]] = {
    "type": FeedbackType,
    "urgency": FeedbackUrgency,
    "stage": Stage,
    "nature": Nature,
}
# ... and the two that name rows (by code): the responsible team and the problem category.
CLASSIFICATION_FIELDS = (*CLASSIFICATION_CHOICES, "category", "team")
