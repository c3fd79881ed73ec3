"""Fixtures of the improvement tests. Unless a test travels elsewhere, it runs on a Wednesday
morning in the company's time zone (inside working hours: notifications show at once)."""

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from serviceloop.accounts.choices import Role
from tests.builders import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY_MORNING = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def working_hours() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(WEDNESDAY_MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def specialist(team):
    return make_user(Role.SPECIALIST, username="specialist", full_name="陈专员")


@pytest.fixture
def analyst(db):
    return make_user(Role.ANALYST, username="analyst")


@pytest.fixture
def manager(db):
    return make_user(Role.MANAGER, username="manager")


@pytest.fixture
def customer_user(team):
    return make_user(Role.CUSTOMER, username="li.wei")


@pytest.fixture
def partner(db):
    return make_user(Role.PARTNER, username="partner")
