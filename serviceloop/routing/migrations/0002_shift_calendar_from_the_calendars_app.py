"""An agent's shift calendar is a calendar of the calendars app now (the same table: only
Django's idea of the model changes)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("calendars", "0001_moved_from_sla"),
        ("routing", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="agentprofile",
                    name="calendar",
                    field=models.ForeignKey(blank=True, help_text="When this agent works. Empty: the hours of their team.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="calendars.businesscalendar", verbose_name="shift calendar"),
                ),
            ],
            database_operations=[],
        ),
    ]
