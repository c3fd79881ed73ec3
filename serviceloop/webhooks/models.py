import secrets
from uuid import uuid4

from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock


class EndpointKind(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook (ticket events)")
    SMS = "sms", _("SMS gateway")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    DEAD = "dead", _("Dead letter")


def new_secret() -> str:
    """A signing secret: 32 random bytes, URL-safe, with a prefix that says what it is."""
    return "whsec_" + secrets.token_urlsafe(32)


class Endpoint(models.Model):
    """A URL that receives signed JSON: ticket events (webhook) or text messages to send
    (SMS gateway). The secret is kept as it is: the signature needs it; it is never logged
    nor written to the audit trail."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("URL"), max_length=500, validators=[URLValidator(schemes=["http", "https"])]
    )
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret)
    kind = models.CharField(
        _("kind"), max_length=10, choices=EndpointKind.choices, default=EndpointKind.WEBHOOK
    )
    events = models.JSONField(
        _("events"),
        default=list,
        blank=True,
        help_text=_("Audit action names, e.g. ticket.created; none: every ticket event."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event: str) -> bool:
        """Whether this endpoint subscribes to the event name (no list: to every one)."""
        return not self.events or event in self.events


class Delivery(models.Model):
    """One POST to one endpoint, tried until a 2xx answer or WEBHOOK_MAX_ATTEMPTS failures
    (then a dead letter). While pending, `next_attempt_at` is when it is due — and, while a
    worker is sending it, the end of that worker's claim."""

    uuid = models.UUIDField(_("delivery id"), default=uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        Endpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    # None for text messages. No FK constraint: audit events are append-only and outlive all.
    event = models.ForeignKey(
        AuditEvent,
        verbose_name=_("audit event"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    event_name = models.CharField(_("event"), max_length=64)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=clock.now)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            # the sweep: pending deliveries by the time they are due
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="delivery_due",
            ),
            models.Index(fields=["status", "-created_at"], name="delivery_status"),
        ]
        constraints = [
            # an audit event is queued at most once for an endpoint
            models.UniqueConstraint(
                fields=["endpoint", "event"],
                condition=Q(event__isnull=False),
                name="delivery_once_per_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_name} -> {self.endpoint_id} ({self.status})"
