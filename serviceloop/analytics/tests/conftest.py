"""A hand-computed week of tickets (Asia/Shanghai, office-hours calendar 9:00-12:00 and
13:30-18:00 on weekdays), the fixture every metric of the registry is checked against.

- A, Wed 18 Nov 09:00, complaint by phone: first response 09:30 (30 min business and wall),
  resolved 11:00 (120 / 120), one staff response.
- B, Wed 18 Nov 17:00, inquiry by e-mail: first response Thu 10:00 (120 business / 1020
  wall), resolved Thu 15:00 (330 business across the lunch break / 1320 wall), two responses.
- C, Fri 20 Nov 10:00, complaint by phone of A's customer: first response 10:10 (10),
  resolved 10:40, reopened 10:50, resolved again 11:00 (60 / 60), one response.
- D, Fri 20 Nov 09:00, inquiry on the web: no response, open.

A and C are complaints in the same category by the same customer: C is a repeat.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from serviceloop.accounts.choices import Role
from serviceloop.analytics import services as analytics
from serviceloop.customers.models import Customer
from serviceloop.tickets import services
from serviceloop.tickets.choices import Channel, Direction, Kind, Status
from serviceloop.tickets.models import Ticket
from tests.builders import make_ticket, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class Week:
    a: Ticket
    b: Ticket
    c: Ticket
    d: Ticket


def _respond(ticket: Ticket, agent, when: datetime, channel: str = Channel.PHONE) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(when, tick=False):
        services.add_interaction(
            ticket=ticket,
            actor=agent,
            content="We are on it.",
            channel=channel,
            direction=Direction.OUTBOUND,
        )


def _move(ticket: Ticket, agent, when: datetime, to: str) -> Ticket:  # type: ignore[no-untyped-def]
    with time_machine.travel(when, tick=False):
        ticket.refresh_from_db()
        return services.transition_ticket(
            ticket=ticket, to=to, actor=agent, resolution="Done.", reason="It came back."
        )


@pytest.fixture
def week(team, category, agent) -> Week:  # type: ignore[no-untyped-def]
    with time_machine.travel(at(18, 9), tick=False):
        a = make_ticket(agent, kind=Kind.COMPLAINT, channel=Channel.PHONE, category="delivery")
    _respond(a, agent, at(18, 9, 30))
    _move(a, agent, at(18, 11), Status.RESOLVED)

    with time_machine.travel(at(18, 17), tick=False):
        b = make_ticket(agent, kind=Kind.INQUIRY, channel=Channel.EMAIL, category="delivery")
    _respond(b, agent, at(19, 10), Channel.EMAIL)
    _respond(b, agent, at(19, 14), Channel.EMAIL)
    _move(b, agent, at(19, 15), Status.RESOLVED)

    customer = Customer.objects.get(pk=a.customer_id)
    with time_machine.travel(at(20, 10), tick=False):
        c = make_ticket(
            agent,
            kind=Kind.COMPLAINT,
            channel=Channel.PHONE,
            category="delivery",
            customer_id=customer.pk,
            description="Late again",
        )
    _respond(c, agent, at(20, 10, 10))
    _move(c, agent, at(20, 10, 40), Status.RESOLVED)
    _move(c, agent, at(20, 10, 50), Status.IN_PROGRESS)
    _move(c, agent, at(20, 11), Status.RESOLVED)

    with time_machine.travel(at(20, 9), tick=False):
        d = make_ticket(agent, kind=Kind.INQUIRY, channel=Channel.WEB, category="delivery")

    with time_machine.travel(at(25, 10), tick=False):
        analytics.rebuild()
    return Week(a, b, c, d)


@pytest.fixture
def analyst(db):  # type: ignore[no-untyped-def]
    return make_user(Role.ANALYST, username="analyst")
