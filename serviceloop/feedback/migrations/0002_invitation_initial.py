"""Staff survey invitations say whether they were made when the survey was first sent: only
those count towards the results' threshold. The invitations there are already count (all
of them did until now); new ones say so when they are made."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="staffsurveyinvitation",
            name="initial",
            field=models.BooleanField(default=True, verbose_name="invited when the survey was sent"),
        ),
        migrations.AlterField(
            model_name="staffsurveyinvitation",
            name="initial",
            field=models.BooleanField(
                default=False, verbose_name="invited when the survey was sent"
            ),
        ),
    ]
