"""The bell through the real queue: an assignment that commits enqueues the notifying, and
the worker (not the request) makes the notification."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from serviceloop.inbox import queries
from serviceloop.inbox.models import Kind, Notification
from serviceloop.tickets import services
from tests.builders import make_ticket

pytestmark = pytest.mark.django_db(transaction=True)

WEDNESDAY_MORNING = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_worker_tells_the_new_assignee(configured_queue, agent, supervisor):
    with time_machine.travel(WEDNESDAY_MORNING, tick=True):
        ticket = make_ticket(supervisor)

        services.assign_ticket(ticket=ticket, assignee=agent, actor=supervisor)

        assert not Notification.objects.exists()  # enqueued, not done in the request
        call_command("worker", "--burst", verbosity=0)

        (notification,) = Notification.objects.all()
        assert (notification.recipient_id, notification.kind) == (agent.pk, Kind.ASSIGNED)
        assert notification.ticket_id == ticket.pk
        assert queries.unread_count(agent) == 1
