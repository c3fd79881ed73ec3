from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from serviceloop.core import clock


class Kind(models.TextChoices):
    """What a notification is about; each kind has its sentence in `messages.MESSAGES`."""

    ASSIGNED = "assigned", _("Ticket assigned to you")
    CUSTOMER_REPLIED = "customer_replied", _("Customer replied")
    SLA_WARNING = "sla_warning", _("SLA target at risk")
    SLA_BREACHED = "sla_breached", _("SLA target breached")
    ESCALATED = "escalated", _("Ticket escalated")
    COMMITMENT_DUE = "commitment_due", _("Promise due soon")
    COMMITMENT_MISSED = "commitment_missed", _("Promise missed")
    STAFF_SURVEY = "staff_survey", _("Staff survey to answer")
    FOLLOW_UP_OVERDUE = "follow_up_overdue", _("Follow-up call overdue")
    PLAN_ACTION_DELAYED = "plan_action_delayed", _("Improvement action delayed")


class Notification(models.Model):
    """One message to one staff member (the bell). Shown from `deliver_at`: at once when
    urgent, else from the start of the recipient's next working period."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # covered by notification_recipient
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    params = models.JSONField(_("details"), default=dict, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    deliver_at = models.DateTimeField(_("shown from"), default=clock.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-deliver_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-deliver_at", "-id"], name="notification_recipient"),
            models.Index(
                fields=["recipient", "deliver_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"
