"""Fixtures of the follow-up tests: a frozen clock and resolving tickets with their commit
callbacks run (the audit `committed` signal, then the tasks, run in-process)."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
import time_machine

from serviceloop.accounts.models import User
from serviceloop.followups.models import FollowUp, FollowUpRule
from serviceloop.tickets import services as tickets
from serviceloop.tickets.models import Ticket
from tests.builders import make_ticket

NOW = datetime(2031, 3, 3, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as travel:
        yield travel


@pytest.fixture
def committed(django_capture_on_commit_callbacks) -> Callable[[], Any]:
    return partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def rule(db) -> FollowUpRule:
    """The rule with no random share (so only what a test asks for is drawn)."""
    return FollowUpRule.objects.create(random_percent=0)


def resolve(ticket: Ticket, actor: User, committed: Callable[[], Any]) -> Ticket:
    with committed():
        return tickets.transition_ticket(
            ticket=ticket, to="resolved", actor=actor, resolution="Sent a new parcel"
        )


def resolved(agent: User, committed: Callable[[], Any], **fields: Any) -> Ticket:
    """A ticket made by `agent` (assigned to them unless told) and resolved by them."""
    fields.setdefault("assignee", agent.pk)
    return resolve(make_ticket(agent, **fields), agent, committed)


def follow_ups_of(ticket: Ticket) -> list[FollowUp]:
    return list(FollowUp.objects.filter(ticket=ticket).order_by("id"))
