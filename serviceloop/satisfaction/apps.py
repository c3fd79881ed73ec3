from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SatisfactionConfig(AppConfig):
    name = "serviceloop.satisfaction"
    label = "satisfaction"
    verbose_name = _("Satisfaction surveys")

    def ready(self) -> None:
        from serviceloop.audit.models import AuditEvent
        from serviceloop.audit.signals import committed

        from .receivers import on_committed

        committed.connect(on_committed, sender=AuditEvent, dispatch_uid="satisfaction.on_committed")
