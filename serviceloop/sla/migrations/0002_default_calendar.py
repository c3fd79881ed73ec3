from datetime import time

from django.conf import settings
from django.db import migrations

# Monday to Friday, 09:00-12:00 and 13:30-18:00, with the mainland China public holidays
# and make-up working days. Administrators change it or add calendars per team.
PERIODS = ((time(9), time(12)), (time(13, 30), time(18)))


def create_default_calendar(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    WorkingPeriod = apps.get_model("sla", "WorkingPeriod")
    if BusinessCalendar.objects.filter(is_default=True).exists():
        return
    calendar = BusinessCalendar.objects.create(
        code="office-hours",
        name_en="Office hours",
        name_zh="工作时间",
        time_zone=settings.TIME_ZONE,
        holiday_region="CN",
        is_default=True,
    )
    WorkingPeriod.objects.bulk_create(
        WorkingPeriod(calendar=calendar, weekday=weekday, starts=starts, ends=ends)
        for weekday in range(5)
        for starts, ends in PERIODS
    )


def remove_default_calendar(apps, schema_editor):
    apps.get_model("sla", "BusinessCalendar").objects.filter(code="office-hours").delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_calendars")]

    operations = [migrations.RunPython(create_default_calendar, remove_default_calendar)]
