"""What people see of a ticket's clock: each target's state, and the breaching-soon list."""

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from serviceloop.customers.services import CustomerIdentity
from serviceloop.sla.models import SlaPolicy
from serviceloop.sla.queries import breaching_soon, targets_of
from serviceloop.tickets import services
from serviceloop.tickets.models import Ticket
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def urgent(db):
    SlaPolicy.objects.all().delete()
    return SlaPolicy.objects.create(
        code="urgent", name_en="Urgent", name_zh="紧急", urgencies=["critical"],
        first_response_minutes=20, next_response_minutes=30, resolution_minutes=240,
        business_time=False,
    )  # fmt: skip


SERIAL = itertools.count(1)


def create(agent, urgency="critical"):
    with time_machine.travel(START, tick=False):
        draft = services.TicketDraft(
            description=f"Machine {next(SERIAL)} down {urgency}", urgency=urgency, channel="web",
            customer=CustomerIdentity(email="li.wei@example.com"),
        )  # fmt: skip
        return services.create_ticket(actor=agent, draft=draft).ticket


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


def test_the_ticket_page_and_the_queue_show_the_countdowns(agent):
    ticket = create(agent)
    client = signed_in(agent)
    with time_machine.travel(START + timedelta(minutes=16), tick=False):
        page = client.get(reverse("desk:ticket", args=[ticket.number])).content.decode()
        queue = client.get(reverse("desk:queue") + "?view=breaching").content.decode()
    assert 'data-sl-target="first_response" data-sl-state="warning"' in page
    assert 'data-sl-target="resolution" data-sl-state="ok"' in page
    assert f'data-number="{ticket.number}"' in queue


def test_the_queue_shows_each_rows_next_due_target_without_a_query_per_row(
    agent, django_assert_max_num_queries
):
    tickets = [create(agent) for _ in range(3)]
    assert len({ticket.pk for ticket in tickets}) == 3
    client = signed_in(agent)
    with time_machine.travel(START + timedelta(minutes=16), tick=False):
        html = client.get(reverse("desk:queue") + "?view=all").content.decode()
        with django_assert_max_num_queries(12) as few:
            client.get(reverse("desk:queue") + "?view=all")
        tickets += [create(agent) for _ in range(10)]  # created at START too
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(reverse("desk:queue") + "?view=all")
    for ticket in tickets[:3]:
        row = html[html.index(f'data-number="{ticket.number}"') :]
        row = row[: row.index("</tr>")]
        assert 'data-sl-target="first_response" data-sl-state="warning"' in row
