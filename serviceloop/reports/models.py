from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from serviceloop.core import clock


class DigestKind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly digest")
    MONTHLY = "monthly", _("Monthly digest")


class DigestRun(models.Model):
    """One digest mailed to one person for one period: the row is claimed before sending,
    so that each period's digest goes out once (a failed send removes it: the next sweep
    tries again)."""

    kind = models.CharField(_("kind"), max_length=10, choices=DigestKind.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), default=clock.now)

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start", "recipient"], name="one_digest_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_start} → {self.recipient_id}"
