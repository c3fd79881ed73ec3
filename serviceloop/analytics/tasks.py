"""Background tasks of the analytics app; the refresh is a sweep (core.schedule)."""

from django.tasks import task

from .services import refresh_stale


@task
def refresh_analytics() -> int:
    """Recompute the facts of tickets changed since the last run and their days' rollups."""
    return refresh_stale()
