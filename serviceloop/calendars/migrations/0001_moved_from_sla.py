"""The business calendars move from the sla app to an app of their own (they are used by SLA
targets, routing's shifts and the staff inbox alike). Only Django's idea of the models
changes here: the tables keep their names until 0002 renames them, and the content types
(hence admin permissions and log entries) follow to the new app."""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("businesscalendar", "calendarteam", "workingperiod", "calendardate")
WEEKDAYS = [
    (0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"),
    (5, "Saturday"), (6, "Sunday"),
]  # fmt: skip


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(
        ContentType.objects.filter(app_label="calendars").values_list("model", flat=True)
    )
    ContentType.objects.filter(app_label="sla", model__in=set(MOVED) - taken).update(
        app_label="calendars"
    )


def return_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="calendars", model__in=MOVED).update(app_label="sla")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_relations"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sla", "0007_default_escalation_rules"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="BusinessCalendar",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name_en", models.CharField(max_length=100, verbose_name="name (English)")),
                        ("name_zh", models.CharField(max_length=100, verbose_name="name (Chinese)")),
                        ("code", models.SlugField(unique=True, verbose_name="code")),
                        ("time_zone", models.CharField(default="Asia/Shanghai", max_length=64, verbose_name="time zone")),
                        ("holiday_region", models.CharField(blank=True, choices=[("", "None (only the dates below)"), ("CN", "Mainland China (public holidays and make-up working days)")], max_length=2, verbose_name="public holidays")),
                        ("is_default", models.BooleanField(default=False, help_text="Used by teams that have none.", verbose_name="default calendar")),
                    ],
                    options={
                        "verbose_name": "business calendar",
                        "verbose_name_plural": "business calendars",
                        "ordering": ["code"],
                        "db_table": "sla_businesscalendar",
                        "constraints": [models.UniqueConstraint(condition=models.Q(("is_default", True)), fields=("is_default",), name="one_default_calendar")],
                    },
                ),
                migrations.CreateModel(
                    name="CalendarTeam",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("calendar", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="calendars.businesscalendar")),
                        ("team", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="calendar_link", to="accounts.team", verbose_name="team")),
                    ],
                    options={
                        "verbose_name": "team of the calendar",
                        "verbose_name_plural": "teams of the calendar",
                        "db_table": "sla_calendarteam",
                    },
                ),
                migrations.AddField(
                    model_name="businesscalendar",
                    name="teams",
                    field=models.ManyToManyField(blank=True, related_name="business_calendars", through="calendars.CalendarTeam", to="accounts.team", verbose_name="teams"),
                ),
                migrations.CreateModel(
                    name="WorkingPeriod",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("weekday", models.PositiveSmallIntegerField(choices=WEEKDAYS, verbose_name="weekday")),
                        ("starts", models.TimeField(verbose_name="from")),
                        ("ends", models.TimeField(verbose_name="until")),
                        ("calendar", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="periods", to="calendars.businesscalendar")),
                    ],
                    options={
                        "verbose_name": "working period",
                        "verbose_name_plural": "working periods",
                        "ordering": ["weekday", "starts"],
                        "db_table": "sla_workingperiod",
                        "constraints": [models.CheckConstraint(condition=models.Q(("ends__gt", models.F("starts"))), name="period_ends_after_it_starts")],
                    },
                ),
                migrations.CreateModel(
                    name="CalendarDate",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("date", models.DateField(verbose_name="date")),
                        ("kind", models.CharField(choices=[("holiday", "Closed (holiday)"), ("workday", "Working day (make-up day)")], max_length=10, verbose_name="kind")),
                        ("hours_of", models.PositiveSmallIntegerField(choices=WEEKDAYS, default=0, help_text="For working days: whose working periods apply.", verbose_name="with the hours of")),
                        ("name", models.CharField(blank=True, max_length=100, verbose_name="name")),
                        ("calendar", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="dates", to="calendars.businesscalendar")),
                    ],
                    options={
                        "verbose_name": "special date",
                        "verbose_name_plural": "special dates",
                        "ordering": ["date"],
                        "db_table": "sla_calendardate",
                        "constraints": [models.UniqueConstraint(fields=("calendar", "date"), name="one_entry_per_date")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, return_content_types),
    ]
