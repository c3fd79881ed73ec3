"""The SLA countdowns on the ticket page and in the queue; the targets' states themselves are
tested in serviceloop/sla/tests/test_queries.py."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from serviceloop.sla.tests import given as sla_given
from serviceloop.sla.tests.given import START, create
from serviceloop.web.tests.conftest import signed_in

pytestmark = pytest.mark.django_db

urgent = sla_given.urgent  # the one SLA policy, for critical tickets (autouse; the sla tests')


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
