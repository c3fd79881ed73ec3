from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "serviceloop.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from serviceloop.audit.models import AuditEvent
        from serviceloop.audit.signals import committed

        from . import models, services

        committed.connect(
            services.queue_ticket_event, sender=AuditEvent, dispatch_uid="webhooks-ticket-event"
        )
        # a change made in this process is seen at once; other processes follow within
        # REFERENCE_CACHE_SECONDS
        post_save.connect(services.forget, sender=models.Endpoint, dispatch_uid="webhooks-save")
        post_delete.connect(services.forget, sender=models.Endpoint, dispatch_uid="webhooks-delete")
