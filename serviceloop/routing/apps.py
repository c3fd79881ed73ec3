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
        from serviceloop.sla.models import BusinessCalendar, CalendarDate, WorkingPeriod

        from . import shifts
        from .models import TeamRouting
        from .receivers import on_committed

        committed.connect(on_committed, sender=AuditEvent, dispatch_uid="routing.on_committed")
        # a calendar changed in this process is seen at once; other processes follow within
        # REFERENCE_CACHE_SECONDS
        for model in (BusinessCalendar, WorkingPeriod, CalendarDate, TeamRouting):
            uid = f"routing-{model.__name__}"
            post_save.connect(shifts.forget, sender=model, dispatch_uid=uid)
            post_delete.connect(shifts.forget, sender=model, dispatch_uid=f"{uid}-deleted")
