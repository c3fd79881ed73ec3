"""Mail to customers goes over real SMTP to an aiosmtpd server on loopback; the on-commit
callbacks of a block run as a real commit would run them (the audit `committed` signal, then
the task, which the test settings run in-process)."""

from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.customers.services import CustomerIdentity
from serviceloop.tickets.models import Ticket
from serviceloop.webhooks import services as webhooks
from tests.builders import make_ticket, make_user

from .smtp import Sink, mailers_for, smtp_sink

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock_at_now() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=True) as travel:
        yield travel


@pytest.fixture(autouse=True)
def site(settings) -> None:
    settings.SITE_URL = "https://help.example.com"
    settings.COMPANY_NAME = "Acme"
    settings.DEFAULT_FROM_EMAIL = "Acme service <service@acme.example>"
    settings.LANGUAGE_CODE = "en"
    settings.TIME_ZONE = "Asia/Shanghai"
    settings.WAITING_RESOLVE_DAYS = 7


@pytest.fixture(autouse=True)
def _no_cached_gateways() -> Iterator[None]:
    """The webhooks app caches the active endpoints per process; a test's rolled-back SMS
    gateway must not outlive it."""
    webhooks.forget()
    yield
    webhooks.forget()


@pytest.fixture
def smtp(settings) -> Iterator[Sink]:
    with smtp_sink() as sink:
        settings.MAILERS = mailers_for(sink.port)
        yield sink


@pytest.fixture
def customer_user(db) -> User:
    """A customer with a portal login (and so a customer record, without a language)."""
    return make_user(Role.CUSTOMER, username="alex", full_name="Alex Smith")


@pytest.fixture
def committed(django_capture_on_commit_callbacks) -> Callable[[], Any]:
    return partial(django_capture_on_commit_callbacks, execute=True)


CUSTOMERS = {
    "en": CustomerIdentity(email="alex@example.com", name="Alex Smith", language="en"),
    "zh-hans": CustomerIdentity(email="lina@example.com", name="李娜", language="zh-hans"),
}
SUBJECTS = {"en": "My parcel has not arrived", "zh-hans": "包裹还没有到"}


def new_ticket(agent: User, language: str, committed: Callable[[], Any], **fields: Any) -> Ticket:
    """A ticket of the customer speaking `language`, its acknowledgement sent."""
    fields.setdefault("customer", CUSTOMERS[language])
    fields.setdefault("subject", SUBJECTS[language])
    fields.setdefault("description", SUBJECTS[language] + " (order 4711)")
    with committed():
        return make_ticket(agent, **fields)
