"""What people see of a ticket's clock: each target's state, and the breaching-soon list (on
the pages: serviceloop/web/tests/test_sla_countdowns.py)."""

from datetime import timedelta

import pytest
import time_machine

from serviceloop.sla.queries import breaching_soon, targets_of
from serviceloop.tickets import services
from serviceloop.tickets.models import Ticket

from . import given
from .given import START, create

pytestmark = pytest.mark.django_db

urgent = given.urgent  # the one SLA policy, for critical tickets (autouse)


def states(ticket, minutes):
    ticket = Ticket.objects.get(pk=ticket.pk)
    return {t.code: t.state for t in targets_of(ticket, now=START + timedelta(minutes=minutes))}


def test_a_running_target_is_green_then_amber_at_75_percent_then_red(agent):
    ticket = create(agent)
    assert states(ticket, 10) == {"first_response": "ok", "resolution": "ok"}
    assert states(ticket, 16)["first_response"] == "warning"  # 16 of 20 minutes used
    assert states(ticket, 21)["first_response"] == "breached"


def test_a_decided_target_says_met_or_late(agent):
    ticket = create(agent)
    with time_machine.travel(START + timedelta(minutes=5), tick=False):
        services.add_interaction(
            ticket=ticket, actor=agent, content="On it", channel="web", direction="outbound"
        )
    assert states(ticket, 30)["first_response"] == "met"


def test_the_resolution_clock_shows_paused_while_waiting_on_the_customer(agent):
    ticket = create(agent)
    with time_machine.travel(START + timedelta(minutes=5), tick=False):
        services.transition_ticket(ticket=ticket, to="waiting_customer", actor=agent)
    assert states(ticket, 300)["resolution"] == "paused"


def test_a_ticket_without_a_policy_shows_no_targets(agent):
    assert targets_of(create(agent, urgency="low")) == []


def test_breaching_soon_lists_open_tickets_due_within_two_hours_or_late(agent):
    soon = create(agent)
    create(agent, urgency="low")  # no policy: never breaching
    listed = breaching_soon(Ticket.objects.all(), now=START)
    assert list(listed) == [soon]
    with time_machine.travel(START + timedelta(minutes=5), tick=False):
        services.transition_ticket(ticket=soon, to="resolved", actor=agent, resolution="Fixed")
    # answered? no: the first response target is still running, but a resolved ticket is
    # not open any more
    assert not breaching_soon(Ticket.objects.all(), now=START).exists()
