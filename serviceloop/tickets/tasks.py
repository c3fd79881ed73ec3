"""Background tasks of the tickets app (Django's Tasks API); the periodic ones are listed in
serviceloop.core.schedule."""

from django.tasks import task

from .services.sweeps import close_resolved_tickets


@task
def auto_close_resolved_tickets() -> int:
    """Close tickets resolved AUTO_CLOSE_DAYS ago and not reopened; returns how many."""
    return close_resolved_tickets()
