"""Background tasks of customer notifications; the sweep is listed in
serviceloop.core.schedule."""

from django.tasks import task

from . import services, surveys


@task
def send_customer_messages(event_id: int) -> list[str]:
    """Prepare and send the customer messages of one audit event; returns their statuses."""
    return [delivery.status for delivery in services.deliver_event(event_id=event_id)]


@task
def retry_customer_messages() -> int:
    """Send failed customer messages that are due again; returns how many were sent."""
    return services.retry_due_deliveries()


@task
def mail_nps_campaign(campaign_id: int) -> int:
    """Mail the surveys of a campaign just sent; returns how many went out."""
    return surveys.mail_campaign(campaign_id=campaign_id)


@task
def retry_nps_mails() -> int:
    """Send the NPS survey mails that failed and are due again; returns how many went out."""
    return surveys.retry_due_mails()
