# A separate migration: PostgreSQL alters no table in the transaction that updated its rows.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0002_contact_verification'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='customercontact',
            constraint=models.CheckConstraint(condition=models.Q(('is_primary', False), ('verified_at__isnull', False), _connector='OR'), name='contact_primary_is_verified'),
        ),
    ]
