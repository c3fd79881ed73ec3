"""The business calendars now belong to the calendars app (its migration 0001 took them
over with their tables): the sla app forgets them, the tables stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("calendars", "0001_moved_from_sla"),
        ("routing", "0002_shift_calendar_from_the_calendars_app"),
        ("sla", "0007_default_escalation_rules"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="businesscalendar", name="teams"),
                migrations.DeleteModel(name="CalendarTeam"),
                migrations.DeleteModel(name="WorkingPeriod"),
                migrations.DeleteModel(name="CalendarDate"),
                migrations.DeleteModel(name="BusinessCalendar"),
            ],
            database_operations=[],
        ),
    ]
