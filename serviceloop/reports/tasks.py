"""Background tasks of the reports app; the digests are a sweep (core.schedule)."""

from django.tasks import task

from .digests import send_due_digests


@task
def send_digests() -> int:
    """Mail the weekly and monthly digests that are due; returns how many went out."""
    return send_due_digests()
