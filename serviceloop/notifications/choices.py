from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    """Which customer message an audit event calls for (one template per kind and language)."""

    CREATED = "created", _("Ticket received")
    REPLIED = "replied", _("Reply from customer service")
    RESOLVED = "resolved", _("Ticket resolved")
    PROMISED = "promised", _("Promise made")
    RENEGOTIATED = "renegotiated", _("Promise renegotiated")
    REMINDER = "reminder", _("Waiting for the customer's answer")
    CSAT = "csat", _("Satisfaction survey (CSAT)")
    # sent by the satisfaction app to a campaign's sample, not for an event of a ticket
    NPS = "nps", _("Recommendation survey (NPS)")


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class SkipReason(models.TextChoices):
    NO_EMAIL = "no_email", _("The customer has no e-mail address.")
    UNVERIFIED = "unverified", _("The customer's e-mail address is not confirmed yet.")
    NO_PHONE = "no_phone", _("The customer has no phone number.")
    NO_SMS_GATEWAY = "no_sms_gateway", _("No SMS gateway is configured.")
    NO_TEMPLATE = "no_template", _("No active template for this message and language.")
    NOT_PUBLIC = "not_public", _("The change is not visible to the customer.")
