"""The calendar tables take the names of their app (calendars_*) now that the sla app has let
go of them (sla 0008)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("calendars", "0001_moved_from_sla"),
        ("sla", "0008_calendars_moved_out"),
    ]

    operations = [
        migrations.AlterModelTable(name="businesscalendar", table=None),
        migrations.AlterModelTable(name="calendarteam", table=None),
        migrations.AlterModelTable(name="workingperiod", table=None),
        migrations.AlterModelTable(name="calendardate", table=None),
    ]
