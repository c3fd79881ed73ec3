"""Background tasks of routing (Django's Tasks API); the sweep is listed in
serviceloop.core.schedule, the other is enqueued by the receivers in apps.py."""

from django.tasks import task

from . import services


@task
def route_waiting_tickets() -> int:
    """The periodic pass over every team queue with an automatic rule (shifts that started,
    new members, changed rules); returns how many tickets were assigned."""
    return services.route_waiting()


@task
def route_freed_queues(ticket_id: int | None = None, agent_id: int | None = None) -> int:
    """Capacity freed up (a ticket resolved, closed, taken from someone or transferred; an
    agent back): route the queues of the teams concerned; returns how many were assigned."""
    teams = services.teams_freed_by(ticket_id=ticket_id, agent_id=agent_id)
    return services.route_waiting(team_ids=teams) if teams else 0
