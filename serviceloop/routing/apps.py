from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "serviceloop.routing"
    label = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from serviceloop.audit.models import AuditEvent
        from serviceloop.audit.signals import committed
        from serviceloop.tickets import signals as ticket_signals
        from serviceloop.tickets.models import Ticket

        from . import shifts
        from .models import TeamRouting
        from .receivers import on_committed, on_ticket_created

        ticket_signals.created.connect(
            on_ticket_created, sender=Ticket, dispatch_uid="routing.on_ticket_created"
        )
        committed.connect(on_committed, sender=AuditEvent, dispatch_uid="routing.on_committed")
        # a rule changed in this process is seen at once; other processes follow within
        # REFERENCE_CACHE_SECONDS
        post_save.connect(shifts.forget, sender=TeamRouting, dispatch_uid="routing-TeamRouting")
        post_delete.connect(
            shifts.forget, sender=TeamRouting, dispatch_uid="routing-TeamRouting-deleted"
        )
