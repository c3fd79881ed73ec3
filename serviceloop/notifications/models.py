"""Customer notifications: the editable message templates and one delivery row per message.

A Delivery is unique per (audit event, channel): whatever runs a notification twice — a
retried task, two workers — finds the row and sends nothing more.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from serviceloop.core import clock
from serviceloop.tickets.models import Ticket

from .choices import DeliveryChannel, DeliveryStatus, MessageKind, SkipReason

PLACEHOLDERS_HELP = _(
    "Django template syntax, e.g. {{ ticket_number }}. Placeholders: customer_name, "
    "ticket_number, subject, status, tracking_url, company_name, reply (the answer or the "
    "last question), resolution, promise, due_at, reason, waiting_resolve_days. Dates are "
    "shown in the customer's time zone and language; format them with "
    '{{ due_at|date:"Y-m-d H:i" }}.'
)


class MailTemplate(models.Model):
    """What the customer receives for one kind of message in one language (admin-editable)."""

    kind = models.CharField(_("message"), max_length=20, choices=MessageKind.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(
        _("subject"), max_length=200, help_text=_("One line; the same placeholders as below.")
    )
    body = models.TextField(_("text"), help_text=PLACEHOLDERS_HELP)
    sms = models.CharField(
        _("SMS text"),
        max_length=500,
        blank=True,
        help_text=_("Short text for customers reached by SMS; empty: the subject."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive: this message is not sent.")
    )
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("customer message template")
        verbose_name_plural = _("customer message templates")
        ordering = ["kind", "language"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="one_template_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"


class Delivery(models.Model):
    """One message to a customer on one channel, for one audit event."""

    event_id = models.BigIntegerField(_("audit event"))
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("message"), max_length=20, choices=MessageKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=DeliveryChannel.choices)
    to = models.CharField(_("to"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    reason = models.CharField(
        _("reason skipped"), max_length=20, choices=SkipReason.choices, blank=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    queued_at = models.DateTimeField(_("queued"), default=clock.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer message")
        verbose_name_plural = _("customer messages")
        ordering = ["-queued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event_id", "channel"], name="one_delivery_per_event")
        ]
        indexes = [
            models.Index(fields=["ticket", "queued_at"], name="delivery_ticket"),
            # the retry sweep: failed deliveries by when they are due again
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=Q(status=DeliveryStatus.FAILED, next_attempt_at__isnull=False),
                name="delivery_retry_due",
            ),
            # ... and the unfinished ones a lost task or a dead worker left behind
            models.Index(
                fields=["status", "queued_at"],
                condition=Q(status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]),
                name="delivery_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} {self.to}"
