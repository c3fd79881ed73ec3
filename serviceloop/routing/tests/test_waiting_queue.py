"""When nobody may take a ticket it waits in the team queue, and is assigned as soon as
someone frees up (the receivers) or at the next sweep (shifts starting, rules changed)."""

import pytest
import time_machine

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core import schedule
from serviceloop.routing import services as routing
from serviceloop.routing.models import AgentProfile, Rule
from serviceloop.routing.tasks import route_waiting_tickets
from serviceloop.tickets import services
from serviceloop.tickets.choices import Status
from serviceloop.tickets.models import Ticket
from tests.builders import make_category, make_team, make_user

from .given import SATURDAY_10, agents, new_ticket, routed

pytestmark = pytest.mark.usefixtures("working_hours")


@pytest.fixture
def one_slot(desk):
    """A round-robin desk whose one agent has room for one open ticket."""
    routed(desk, Rule.ROUND_ROBIN)
    (agent,) = agents(desk, 1)
    AgentProfile.objects.create(user=agent, capacity=1)
    return agent


def test_a_ticket_waits_while_everyone_is_full_and_goes_when_a_ticket_is_resolved(
    desk, dispatcher, one_slot, django_capture_on_commit_callbacks
):
    agent = one_slot
    first = new_ticket(dispatcher, desk)
    waiting = new_ticket(dispatcher, desk)
    assert (first.assignee, waiting.assignee) == (agent, None)

    with django_capture_on_commit_callbacks(execute=True):
        services.transition_ticket(ticket=first, to=Status.RESOLVED, actor=agent, resolution="Ok")

    waiting.refresh_from_db()
    assert waiting.assignee == agent
    assert AuditEvent.objects.filter(action="ticket.assigned", ticket_id=waiting.pk).get().note == (
        "round-robin"
    )


def test_a_waiting_ticket_goes_when_a_ticket_is_taken_from_a_full_agent(
    desk, dispatcher, one_slot, django_capture_on_commit_callbacks
):
    agent = one_slot
    first = new_ticket(dispatcher, desk)
    waiting = new_ticket(dispatcher, desk)

    with django_capture_on_commit_callbacks(execute=True):
        services.assign_ticket(ticket=first, assignee=dispatcher, actor=dispatcher)

    waiting.refresh_from_db()
    assert waiting.assignee == agent


def test_a_waiting_ticket_goes_when_an_agent_is_back(
    desk, dispatcher, django_capture_on_commit_callbacks
):
    routed(desk)
    (agent,) = agents(desk, 1)
    routing.set_away(user=agent, away=True)
    waiting = new_ticket(dispatcher, desk)
    assert waiting.assignee is None

    with django_capture_on_commit_callbacks(execute=True):
        routing.set_away(user=agent, away=False)

    waiting.refresh_from_db()
    assert waiting.assignee == agent


def test_a_ticket_transferred_to_a_routing_team_is_assigned_there(
    desk, dispatcher, django_capture_on_commit_callbacks
):
    routed(desk)
    (agent,) = agents(desk, 1)
    elsewhere = make_team("elsewhere")
    ticket = new_ticket(dispatcher, elsewhere)
    assert ticket.assignee is None

    with django_capture_on_commit_callbacks(execute=True):
        services.transfer_ticket(ticket=ticket, team=desk, actor=dispatcher)

    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_the_sweep_assigns_a_backlog_oldest_first_while_there_is_room(desk, dispatcher):
    routed(desk, Rule.ROUND_ROBIN)
    first, second = agents(desk, 2)
    for agent in (first, second):
        AgentProfile.objects.create(user=agent, capacity=2)
    with time_machine.travel(SATURDAY_10):  # nobody on shift: everything waits
        backlog = [new_ticket(dispatcher, desk, subject=f"Backlog {n}") for n in range(5)]
    assert not Ticket.objects.filter(assignee__isnull=False).exists()

    assert routing.route_waiting(batch=2) == 4  # Tuesday: both on shift, two slots each

    owners = {t.subject: t.assignee for t in Ticket.objects.select_related("assignee")}
    assert [owners[t.subject] for t in backlog] == [first, second, first, second, None]
    assigned = AuditEvent.objects.filter(action="ticket.assigned").order_by("pk")
    assert [event.ticket_id for event in assigned] == [t.pk for t in backlog[:4]]


def test_the_sweep_passes_over_a_ticket_nobody_has_the_skills_for(desk, dispatcher):
    routed(desk, Rule.ROUND_ROBIN, use_skills=True)
    (courier,) = agents(desk, 1)
    logistics = make_category("logistics")
    AgentProfile.objects.create(user=courier).categories.add(logistics)
    with time_machine.travel(SATURDAY_10):
        odd = new_ticket(dispatcher, desk, category=make_category("billing").code)
        fitting = new_ticket(dispatcher, desk, category=logistics.code)

    assert routing.route_waiting(batch=1) == 1

    odd.refresh_from_db()
    fitting.refresh_from_db()
    assert (odd.assignee, fitting.assignee) == (None, courier)


def test_the_sweep_leaves_manual_teams_and_other_teams_alone(desk, dispatcher):
    manual = make_team("manual")
    routed(manual, Rule.MANUAL)
    make_user(Role.AGENT, username="manual-agent", teams=[manual])
    routed(desk)
    (agent,) = agents(desk, 1)
    with time_machine.travel(SATURDAY_10):
        by_hand = new_ticket(dispatcher, manual)
        ours = new_ticket(dispatcher, desk)

    assert routing.route_waiting(team_ids=[manual.pk]) == 0
    assert routing.route_waiting() == 1

    by_hand.refresh_from_db()
    ours.refresh_from_db()
    assert (by_hand.assignee, ours.assignee) == (None, agent)


def test_the_sweep_is_a_registered_task(desk, dispatcher):
    routed(desk)
    (agent,) = agents(desk, 1)
    with time_machine.travel(SATURDAY_10):
        waiting = new_ticket(dispatcher, desk)

    assert schedule.SWEEPS["route_waiting_tickets"] == (
        "serviceloop.routing.tasks.route_waiting_tickets"
    )
    result = route_waiting_tickets.enqueue()

    assert result.return_value == 1
    waiting.refresh_from_db()
    assert waiting.assignee == agent


def test_the_sweep_skips_closed_and_resolved_tickets(desk, dispatcher):
    routed(desk)
    with time_machine.travel(SATURDAY_10):
        done = new_ticket(dispatcher, desk)
        services.transition_ticket(
            ticket=done, to=Status.RESOLVED, actor=dispatcher, resolution="Answered"
        )
    agents(desk, 1)

    assert routing.route_waiting() == 0
    done.refresh_from_db()
    assert done.assignee is None
