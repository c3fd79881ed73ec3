from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "serviceloop.sla"
    label = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import models, services

        # a change made in this process is seen at once; other processes follow within
        # REFERENCE_CACHE_SECONDS
        for model in (models.SlaPolicy, models.EscalationRule):
            post_save.connect(services.forget, sender=model, dispatch_uid=f"sla-{model}")
            post_delete.connect(services.forget, sender=model, dispatch_uid=f"sla-d-{model}")
