"""Background tasks of the satisfaction app; the sweeps are listed in serviceloop.core.schedule."""

from django.tasks import task

from serviceloop.tickets.models import Ticket

from . import services


@task
def schedule_csat(ticket_id: int) -> bool:
    """Make (once) the CSAT survey of a ticket just resolved and time its request; returns
    whether a survey is waiting to be sent."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return False
    survey = services.schedule_csat(ticket=ticket)
    return survey is not None and survey.send_after is not None


@task
def send_due_csat_requests() -> int:
    """Mail the CSAT requests that are due; returns how many surveys were looked at."""
    return services.send_due_csat_requests()
