"""A team "desk" that routes automatically and the one who types its tickets in; the
office hours of the default calendar (Monday to Friday, Asia/Shanghai)."""

import pytest
import time_machine

from serviceloop.accounts.choices import Role
from serviceloop.routing import shifts
from tests.builders import make_team, make_user

from .given import TUESDAY_10


@pytest.fixture(autouse=True)
def _fresh_schedules():
    shifts.forget()
    yield
    shifts.forget()


@pytest.fixture
def working_hours():
    """Tuesday 10:00 in Shanghai; the clock goes on ticking (assignments get distinct times)."""
    with time_machine.travel(TUESDAY_10):
        yield


@pytest.fixture
def desk(db):
    return make_team("desk")


@pytest.fixture
def dispatcher(desk):
    """Who types the tickets in: a supervisor of the team (supervisors are not routed to)."""
    return make_user(Role.SUPERVISOR, username="dispatcher", teams=[desk])
