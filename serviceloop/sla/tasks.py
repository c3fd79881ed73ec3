"""Background tasks of the sla app (Django's Tasks API); the periodic ones are listed in
serviceloop.core.schedule."""

from django.tasks import task

from .escalation import escalate_due_tickets as sweep


@task
def escalate_due_tickets() -> int:
    """Record breaches and act on every escalation level now due; returns how many levels."""
    return sweep()
