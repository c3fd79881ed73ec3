"""Many tickets created at once, on the real database of the run (PostgreSQL in CI): routing
never gives an agent more open tickets than their capacity, also for an agent of two teams,
and every ticket beyond the capacity waits."""

import pytest
import time_machine
from django.db.models import Count

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.customers.services import CustomerIdentity
from serviceloop.routing import services as routing
from serviceloop.routing.models import AgentProfile, Rule
from serviceloop.tickets import services
from serviceloop.tickets.models import Ticket
from tests.builders import at_once, make_team, make_user

from .given import TUESDAY_10, routed

THREADS = 8
PER_THREAD = 4


@pytest.mark.parametrize("rule", [Rule.ROUND_ROBIN, Rule.LEAST_LOADED])
def test_concurrent_creations_never_exceed_an_agents_capacity(transactional_db, rule):
    front, back = make_team("front"), make_team("back")
    routed(front, rule)
    routed(back, rule)
    dispatcher = make_user(Role.SUPERVISOR, username="dispatcher", teams=[front, back])
    capacities = {
        make_user(Role.AGENT, username="front-only", teams=[front]): 3,
        make_user(Role.AGENT, username="both", teams=[front, back]): 4,  # counted once
        make_user(Role.AGENT, username="back-only", teams=[back]): 2,
    }
    for agent, capacity in capacities.items():
        AgentProfile.objects.create(user=agent, capacity=capacity)

    def create(i: int) -> list[int]:
        team = (front, back)[i % 2]
        made = []
        for j in range(PER_THREAD):
            intake = services.create_ticket(
                actor=dispatcher,
                draft=services.TicketDraft(
                    description=f"parcel {i}-{j} missing",
                    team=team.code,
                    customer=CustomerIdentity(email=f"buyer{i}@example.com"),
                ),
            )
            made.append(intake.ticket.pk)
        return made

    with time_machine.travel(TUESDAY_10):
        made = [pk for pks in at_once(create, THREADS) for pk in pks]

    assert Ticket.objects.count() == len(made) == THREADS * PER_THREAD
    loads = dict(
        Ticket.objects.filter(assignee__isnull=False)
        .values_list("assignee")
        .annotate(n=Count("pk"))
        .order_by()
    )
    assert loads == {agent.pk: capacity for agent, capacity in capacities.items()}
    assert Ticket.objects.filter(assignee__isnull=True).count() == len(made) - 9
    assert AuditEvent.objects.filter(action="ticket.assigned").count() == 9
    assert set(Ticket.objects.values_list("version", flat=True).filter(assignee__isnull=False)) == {
        2
    }


def test_concurrent_sweeps_assign_each_waiting_ticket_once(transactional_db):
    desk = make_team("desk")
    routed(desk, Rule.ROUND_ROBIN)
    dispatcher = make_user(Role.SUPERVISOR, username="dispatcher", teams=[desk])
    for n in range(3):
        AgentProfile.objects.create(
            user=make_user(Role.AGENT, username=f"agent-{n}", teams=[desk]), capacity=5
        )
    with time_machine.travel(TUESDAY_10.replace(day=8)):  # Saturday: all wait
        for n in range(20):
            services.create_ticket(
                actor=dispatcher,
                draft=services.TicketDraft(
                    description=f"backlog {n}",
                    team=desk.code,
                    customer=CustomerIdentity(email="buyer@example.com"),
                ),
            )
    assert not Ticket.objects.filter(assignee__isnull=False).exists()

    with time_machine.travel(TUESDAY_10):
        counts = at_once(lambda i: routing.route_waiting(batch=4), 4)

    assert sum(counts) == 15
    assert Ticket.objects.filter(assignee__isnull=False).count() == 15
    assert AuditEvent.objects.filter(action="ticket.assigned").count() == 15
    in_order = list(Ticket.objects.order_by("created_at", "pk").values_list("assignee", flat=True))
    assert None not in in_order[:15], "the oldest go first"
