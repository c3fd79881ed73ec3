"""Background tasks of follow-ups; the overdue sweep is listed in serviceloop.core.schedule."""

from django.tasks import task

from serviceloop.satisfaction.models import CsatSurvey, NpsResponse
from serviceloop.tickets.models import Ticket

from . import services


@task
def follow_up_resolution(ticket_id: int) -> bool:
    """Apply the follow-up rule to a ticket just resolved; returns whether one was opened."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return False
    return services.open_follow_up_after_resolution(ticket=ticket) is not None


@task
def cancel_rule_follow_ups(ticket_id: int) -> int:
    """The ticket was reopened: cancel the rule's open follow-ups; returns how many."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return 0
    return services.cancel_rule_follow_ups(ticket=ticket)


@task
def follow_up_low_csat(survey_id: int) -> bool:
    """A CSAT answer gave a low score: open its follow-up (once); returns whether opened."""
    survey = CsatSurvey.objects.select_related("customer").filter(pk=survey_id).first()
    if survey is None:
        return False
    return services.open_low_score_follow_up(csat_survey=survey) is not None


@task
def follow_up_low_nps(response_id: int) -> bool:
    """An NPS answer gave a low score: open its follow-up (once); returns whether opened."""
    response = NpsResponse.objects.select_related("customer").filter(pk=response_id).first()
    if response is None:
        return False
    return services.open_low_score_follow_up(nps_response=response) is not None


@task
def notify_overdue_follow_ups() -> int:
    """Tell assignees (or supervisors) of overdue follow-ups, once; returns how many."""
    return services.notify_overdue_follow_ups()
