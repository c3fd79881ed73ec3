from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "serviceloop.followups"
    label = "followups"
    verbose_name = _("Follow-ups")

    def ready(self) -> None:
        from serviceloop.audit.models import AuditEvent
        from serviceloop.audit.signals import committed

        from .receivers import on_committed

        committed.connect(on_committed, sender=AuditEvent, dispatch_uid="followups.on_committed")
