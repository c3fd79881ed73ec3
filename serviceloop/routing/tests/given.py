"""Building blocks of the routing tests."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import Team, User
from serviceloop.routing.models import Rule, TeamRouting
from serviceloop.tickets.models import Ticket
from tests.builders import make_ticket, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
TUESDAY_10 = datetime(2031, 3, 4, 10, 0, tzinfo=SHANGHAI)
SATURDAY_10 = datetime(2031, 3, 8, 10, 0, tzinfo=SHANGHAI)


def routed(team: Team, rule: str = Rule.ROUND_ROBIN, *, use_skills: bool = False) -> TeamRouting:
    return TeamRouting.objects.create(team=team, rule=rule, use_skills=use_skills)


def agents(team: Team, count: int, prefix: str = "agent") -> list[User]:
    return [
        make_user(Role.AGENT, username=f"{prefix}-{n}", teams=[team]) for n in range(1, count + 1)
    ]


def new_ticket(actor: User, team: Team, **fields: object) -> Ticket:
    ticket = make_ticket(actor, team=team.code, **fields)
    ticket.refresh_from_db()
    return ticket


# The people of the set_away tests, here and through both doors (serviceloop/api/tests and
# serviceloop/web/tests, test_presence.py): an agent in no team, and a customer.


@pytest.fixture
def agent(db):
    return make_user(Role.AGENT, username="agent")


@pytest.fixture
def customer(db):
    return make_user(Role.CUSTOMER, username="buyer")
