"""The codes of root-cause analyses and improvement plans, with en/zh labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AnalysisStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONCLUDED = "concluded", _("Concluded")


class CauseCategory(models.TextChoices):
    """The six bones of the fishbone (Ishikawa) diagram."""

    PEOPLE = "people", _("People")
    METHOD = "method", _("Method")
    MACHINE = "machine", _("Machine (system)")
    MATERIAL = "material", _("Material")
    ENVIRONMENT = "environment", _("Environment")
    MEASUREMENT = "measurement", _("Measurement")


class Phase(models.TextChoices):
    """Plan-Do-Check-Act, in order."""

    PLAN = "plan", _("Plan")
    DO = "do", _("Do")
    CHECK = "check", _("Check")
    ACT = "act", _("Act")


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ActionStatus(models.TextChoices):
    ON_SCHEDULE = "on_schedule", _("On schedule")
    DELAYED = "delayed", _("Delayed")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# An action in one of these is finished: the delay sweep leaves it alone.
FINISHED_ACTION_STATUSES = frozenset({ActionStatus.DONE, ActionStatus.CANCELLED})
