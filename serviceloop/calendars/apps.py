from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "serviceloop.calendars"
    label = "calendars"
    verbose_name = _("Business calendars")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import models, schedules

        # a calendar changed in this process is seen at once; other processes follow within
        # REFERENCE_CACHE_SECONDS
        for model in (
            models.BusinessCalendar, models.WorkingPeriod, models.CalendarDate,
            models.CalendarTeam,
        ):  # fmt: skip
            name = model.__name__
            post_save.connect(schedules.forget, sender=model, dispatch_uid=f"calendars-{name}")
            post_delete.connect(schedules.forget, sender=model, dispatch_uid=f"calendars-d-{name}")
