"""Background tasks of the sla app (Django's Tasks API); the periodic ones are listed in
serviceloop.core.schedule."""

from django.tasks import task

from .escalation import escalate_due_tickets as sweep
from .promises import miss_overdue_commitments, remind_commitment_owners


@task
def escalate_due_tickets() -> int:
    """Record breaches and act on every escalation level now due; returns how many levels."""
    return sweep()


@task
def remind_commitments() -> int:
    """Remind owners of promises due within COMMITMENT_REMIND_MINUTES; returns how many."""
    return remind_commitment_owners()


@task
def miss_commitments() -> int:
    """Mark overdue open promises missed and tell owners and supervisors; returns how many."""
    return miss_overdue_commitments()
