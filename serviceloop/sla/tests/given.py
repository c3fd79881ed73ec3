"""Starting points shared by the sla tests of what people see of a ticket's clock and the
web's tests of the countdowns (serviceloop/web/tests/test_sla_countdowns.py)."""

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from serviceloop.customers.services import CustomerIdentity
from serviceloop.sla.models import SlaPolicy
from serviceloop.tickets import services

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
