from django.db import migrations

# The promises of the source process: "urgent: reply within 10 minutes; important within 24
# hours; general within 72 hours". Calendar time, as the promises are worded; administrators
# switch a policy to business time or add their own.
POLICIES = [
    # code, English, Chinese, urgencies, first response, next response, resolution (minutes)
    ("urgent", "Urgent", "紧急", ["critical"], 10, 60, 24 * 60),
    ("important", "Important", "重要", ["high"], 24 * 60, 24 * 60, 3 * 24 * 60),
    ("general", "General", "一般", [], 72 * 60, 72 * 60, 7 * 24 * 60),
]


def create_policies(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    if SlaPolicy.objects.exists():
        return
    for position, (code, en, zh, urgencies, first, following, resolution) in enumerate(POLICIES):
        SlaPolicy.objects.create(
            code=code, name_en=en, name_zh=zh, position=position * 10, urgencies=urgencies,
            first_response_minutes=first, next_response_minutes=following,
            resolution_minutes=resolution, business_time=False,
        )  # fmt: skip


def remove_policies(apps, schema_editor):
    codes = [code for code, *_ in POLICIES]
    apps.get_model("sla", "SlaPolicy").objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_sla_policies")]

    operations = [migrations.RunPython(create_policies, remove_policies)]
