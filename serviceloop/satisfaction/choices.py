from django.db import models
from django.utils.translation import gettext_lazy as _


class AnswerChannel(models.TextChoices):
    """Where a customer gave their CSAT answer."""

    EMAIL = "email", _("E-mail link")
    PORTAL = "portal", _("Portal")
    API = "api", _("API")


class MailStatus(models.TextChoices):
    """Where the mail of one NPS survey is."""

    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


CSAT_SCORES = range(1, 6)  # 1 very dissatisfied .. 5 very satisfied
NPS_SCORES = range(0, 11)  # 0 not at all likely .. 10 extremely likely
LOW_CSAT = 2  # this score and below open a follow-up
LOW_NPS = 6  # detractors (0-6) open a follow-up
PROMOTERS = range(9, 11)
DETRACTORS = range(0, 7)
