"""Fixtures of the feedback tests: a user of each role around the support team, and a clock
standing on a Wednesday morning in the company's time zone (inside working hours, so the
staff inbox shows invitations at once)."""

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from tests.builders import make_organisation, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY_MORNING = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(WEDNESDAY_MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def specialist(db) -> User:
    return make_user(Role.SPECIALIST, username="specialist", full_name="孙专员")


@pytest.fixture
def analyst(db) -> User:
    return make_user(Role.ANALYST, username="analyst")


@pytest.fixture
def manager(db) -> User:
    return make_user(Role.MANAGER, username="manager")


@pytest.fixture
def customer_user(team) -> User:
    return make_user(Role.CUSTOMER, username="li.wei", full_name="李伟")


@pytest.fixture
def other_customer_user(team) -> User:
    return make_user(Role.CUSTOMER, username="bob", full_name="Bob Stone")


@pytest.fixture
def partner(db) -> User:
    return make_user(
        Role.PARTNER, username="partner", organisation=make_organisation("顺丰速运", kind="partner")
    )
