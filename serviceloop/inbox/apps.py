from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "serviceloop.inbox"
    label = "inbox"
    verbose_name = _("Staff notifications")

    def ready(self) -> None:
        from serviceloop.audit.models import AuditEvent
        from serviceloop.audit.signals import committed

        from .receivers import on_committed

        committed.connect(on_committed, sender=AuditEvent, dispatch_uid="inbox.on_committed")
