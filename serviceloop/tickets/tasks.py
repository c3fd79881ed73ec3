"""Background tasks of the tickets app (Django's Tasks API); the periodic ones are listed in
serviceloop.core.schedule."""

from django.tasks import task

from .services.sweeps import (
    close_resolved_tickets,
    remind_waiting_customers,
    resolve_unanswered_tickets,
)


@task
def auto_close_resolved_tickets() -> int:
    """Close tickets resolved AUTO_CLOSE_DAYS ago and not reopened; returns how many."""
    return close_resolved_tickets()


@task
def remind_waiting() -> int:
    """Remind customers a ticket has waited on for WAITING_REMINDER_DAYS; returns how many."""
    return remind_waiting_customers()


@task
def resolve_unanswered() -> int:
    """Resolve tickets that waited on the customer WAITING_RESOLVE_DAYS; returns how many."""
    return resolve_unanswered_tickets()
