"""Background tasks of the webhooks app; the sweep is listed in serviceloop.core.schedule."""

from django.tasks import task

from . import sending


@task
def deliver_webhooks(uuids: list[str]) -> int:
    """Send the named deliveries now (enqueued when they are queued); returns how many were
    tried. Those another worker holds, or already sent, are left alone."""
    return sending.deliver(uuids)


@task
def deliver_due_webhooks() -> int:
    """The sweep: send every pending delivery whose next attempt is due (first tries the
    queue lost, and retries after their backoff); returns how many were tried."""
    return sending.deliver_due()
