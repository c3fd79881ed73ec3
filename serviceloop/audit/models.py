from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from serviceloop.core import clock


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")


class AuditEvent(models.Model):
    """Who changed what, when, with the changed fields before and after (审计记录).

    Rows are only ever inserted: the model, its queryset, the admin and database triggers
    (migration 0002) all refuse updates and deletes.
    """

    occurred_at = models.DateTimeField(_("time"), default=clock.now)
    # No FK constraint: an event outlives the user or object it mentions.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    actor_label = models.CharField(_("actor name"), max_length=150)
    action = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(_("object type"), max_length=32)
    target_id = models.CharField(_("object id"), max_length=64)
    ticket_id = models.BigIntegerField(_("ticket id"), null=True, blank=True)
    before = models.JSONField(_("before"), default=dict)
    after = models.JSONField(_("after"), default=dict)
    note = models.TextField(_("note"), blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["ticket_id", "occurred_at"], name="audit_ticket_time"),
            models.Index(fields=["target_type", "target_id", "occurred_at"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")
