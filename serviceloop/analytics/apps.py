from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "serviceloop.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from serviceloop.audit.models import AuditEvent
        from serviceloop.audit.signals import recorded

        from .receivers import on_recorded

        recorded.connect(on_recorded, sender=AuditEvent, dispatch_uid="analytics.on_recorded")
