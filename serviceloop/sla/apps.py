from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "serviceloop.sla"
    label = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from serviceloop.tickets import signals as ticket_signals
        from serviceloop.tickets.models import Ticket

        from . import models, receivers, services

        # each ticket's clock moves in the transaction of the ticket's change
        for signal, receiver in (
            (ticket_signals.created, receivers.on_created),
            (ticket_signals.status_changed, receivers.on_status_changed),
            (ticket_signals.targets_changed, receivers.on_targets_changed),
            (ticket_signals.responded, receivers.on_responded),
            (ticket_signals.customer_wrote, receivers.on_customer_wrote),
        ):
            signal.connect(receiver, sender=Ticket, dispatch_uid=f"sla.{receiver.__name__}")
        # a change made in this process is seen at once; other processes follow within
        # REFERENCE_CACHE_SECONDS
        for model in (models.SlaPolicy, models.EscalationRule):
            post_save.connect(services.forget, sender=model, dispatch_uid=f"sla-{model}")
            post_delete.connect(services.forget, sender=model, dispatch_uid=f"sla-d-{model}")
