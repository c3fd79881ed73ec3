from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")
    FAULT = "fault", _("Fault report")


class Urgency(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


# Where a request or a contact came from. Customers and partners come in through two doors,
# WEB (the portal) and API, and their tickets and messages carry that door; the others are
# logged by staff (a call, a visit, an e-mail or chat message they register). No e-mail,
# chat or SMS intake reads messages by itself yet. (A comment, not a docstring: a docstring
# would become the enum's description in the OpenAPI document.)
class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web")
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Chat")
    SMS = "sms", _("SMS")
    ONSITE = "onsite", _("On-site visit")
    API = "api", _("API")


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING_CUSTOMER)


class Direction(models.TextChoices):
    INBOUND = "inbound", _("From the customer")
    OUTBOUND = "outbound", _("To the customer")


class InteractionKind(models.TextChoices):
    """What an entry of the conversation is; it alone decides who may read it
    (tickets.queries.customer_visible_kinds)."""

    REPLY = "reply", _("Reply to the customer")
    MESSAGE = "message", _("Message from the customer")
    PARTNER = "partner", _("Message from a partner")
    LOG = "log", _("Logged contact")
    NOTE = "note", _("Internal note")


class Emotion(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Neutral")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    ANGRY = "angry", _("Angry")


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    MISSED = "missed", _("Missed")
    RENEGOTIATED = "renegotiated", _("Renegotiated")


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Number")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes/no")
    CHOICE = "choice", _("Choice")
