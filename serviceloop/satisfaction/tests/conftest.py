"""Fixtures of the satisfaction tests: a frozen clock, the site's address, a customer with a
portal login, and resolving tickets with their commit callbacks run (the audit `committed`
signal, then the tasks, which the test settings run in-process)."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
import time_machine
from django.core import mail

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.customers.services import CustomerIdentity
from serviceloop.satisfaction.models import CsatSurvey
from serviceloop.satisfaction.services import send_due_csat_requests
from serviceloop.tickets import services as tickets
from serviceloop.tickets.models import Ticket
from tests.builders import make_ticket, make_user

NOW = datetime(2031, 3, 3, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Monday
SITE = "https://help.example.com"


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as travel:
        yield travel


@pytest.fixture(autouse=True)
def site(settings) -> None:
    settings.SITE_URL = SITE
    settings.COMPANY_NAME = "Acme"
    settings.LANGUAGE_CODE = "en"
    settings.SATISFACTION_LINK_DAYS = 30
    settings.SATISFACTION_DELAY_MINUTES = 60


@pytest.fixture
def committed(django_capture_on_commit_callbacks) -> Callable[[], Any]:
    return partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def customer_user(team) -> User:
    """A customer with a portal login (customer record with li.wei@example.com)."""
    return make_user(Role.CUSTOMER, username="li.wei", full_name="Li Wei")


@pytest.fixture
def other_customer_user(team) -> User:
    return make_user(Role.CUSTOMER, username="bob", full_name="Bob Stone")


def resolve(ticket: Ticket, agent: User, committed: Callable[[], Any]) -> Ticket:
    """Resolve `ticket` as `agent` and run what its commit sets off."""
    with committed():
        return tickets.transition_ticket(
            ticket=ticket, to="resolved", actor=agent, resolution="A new parcel was sent."
        )


def resolved_ticket(
    agent: User, committed: Callable[[], Any], *, language: str = "en", **fields: Any
) -> Ticket:
    """A ticket of a customer speaking `language`, resolved by `agent`."""
    if "customer_id" not in fields:
        email = "lina@example.com" if language == "zh-hans" else "alex@example.com"
        name = "李娜" if language == "zh-hans" else "Alex Smith"
        fields["customer"] = CustomerIdentity(email=email, name=name, language=language)
    fields.setdefault("subject", "包裹还没有到" if language == "zh-hans" else "Parcel late")
    return resolve(make_ticket(agent, **fields), agent, committed)


def mail_due_requests(clock: Any, committed: Callable[[], Any], minutes: int = 61) -> list[Any]:
    """Let the delay pass, run the sweep; returns the mails it sent."""
    before = len(mail.outbox)
    clock.shift(minutes * 60)
    with committed():
        send_due_csat_requests()
    return mail.outbox[before:]


def survey_of(ticket: Ticket) -> CsatSurvey:
    return CsatSurvey.objects.get(ticket=ticket)
