"""Background tasks of customer notifications; the sweep is listed in
serviceloop.core.schedule."""

from django.tasks import task

from . import services


@task
def send_customer_messages(event_id: int) -> list[str]:
    """Prepare and send the customer messages of one audit event; returns their statuses."""
    return [delivery.status for delivery in services.deliver_event(event_id=event_id)]


@task
def retry_customer_messages() -> int:
    """Send failed customer messages that are due again; returns how many were sent."""
    return services.retry_due_deliveries()
