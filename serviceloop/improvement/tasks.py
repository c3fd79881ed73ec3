"""Background tasks of the improvement app; the periodic one is listed in core.schedule."""

from django.tasks import task

from .services.sweeps import mark_delayed_actions


@task
def mark_delayed_plan_actions() -> int:
    """Mark actions past their planned end delayed and tell plan owners; returns how many."""
    return mark_delayed_actions()
