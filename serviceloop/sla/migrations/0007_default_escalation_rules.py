from django.db import migrations
from django.db.models import F

# The levels of the source process: warn the assignee when three quarters of a target's time
# are used; at the breach tell the team's supervisors and raise the urgency; two hours after
# a resolution breach hand the ticket to the department's manager. Administrators edit them.
RULES = [
    # code, English, Chinese, target, percent, minutes after the breach, actions
    ("warn-75", "Warning at 75 %", "75% 预警", "", 75, None, {"notify_assignee": True}),
    (
        "breach", "Breached: supervisors", "超时：通知主管", "", None, 0,
        {"notify_supervisors": True, "raise_urgency": True},
    ),
    (
        "breach-2h", "2 hours late: manager", "超时 2 小时：转经理", "resolution", None, 120,
        {"reassign_to_manager": True, "notify_manager": True},
    ),
]  # fmt: skip

OPEN_STATUSES = ["new", "in_progress", "waiting_customer"]


def create_rules(apps, schema_editor):
    EscalationRule = apps.get_model("sla", "EscalationRule")
    if EscalationRule.objects.exists():
        return
    for position, (code, en, zh, target, percent, after, actions) in enumerate(RULES):
        EscalationRule.objects.create(
            code=code, name_en=en, name_zh=zh, position=position * 10, target=target,
            at_percent=percent, after_breach_minutes=after, **actions,
        )  # fmt: skip


def mark_running_clocks(apps, schema_editor):
    """Clocks made before the escalation marks: each running target is marked at its due
    time (their percent warnings come with the breach; new tickets get them on time)."""
    TicketClock = apps.get_model("sla", "TicketClock")
    running = TicketClock.objects.filter(ticket__status__in=OPEN_STATUSES)
    running.filter(first_response_due__isnull=False, ticket__first_response_at__isnull=True).update(
        first_response_warn_at=F("first_response_due")
    )
    running.filter(next_response_due__isnull=False).update(
        next_response_warn_at=F("next_response_due")
    )
    running.filter(resolution_due__isnull=False, paused_at__isnull=True).update(
        resolution_warn_at=F("resolution_due")
    )


def remove_rules(apps, schema_editor):
    codes = [code for code, *_ in RULES]
    apps.get_model("sla", "EscalationRule").objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0006_escalation_rules")]

    operations = [
        migrations.RunPython(create_rules, remove_rules),
        migrations.RunPython(mark_running_clocks, migrations.RunPython.noop),
    ]
