"""Starting points shared by the ticket service tests: tickets in a given status, and the
row counts that prove a refused request stored nothing."""

import itertools
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.audit.models import AuditEvent
from serviceloop.customers.models import Customer, CustomerContact
from serviceloop.tickets import services
from serviceloop.tickets.models import (
    Attachment,
    Commitment,
    IdempotencyKey,
    Interaction,
    Ticket,
)
from tests.builders import make_ticket, make_user

_texts = itertools.count(1)

# How each status is reached from "new", through the real use case.
_PATHS: dict[str, tuple[str, ...]] = {
    "new": (),
    "in_progress": ("in_progress",),
    "waiting_customer": ("waiting_customer",),
    "resolved": ("resolved",),
    "closed": ("resolved", "closed"),
}
STATUSES = tuple(_PATHS)


def ticket_in(status: str, *, agent: User, **fields: Any) -> Ticket:
    """A ticket created by `agent` and moved to `status` by them."""
    fields.setdefault("description", f"Parcel {next(_texts)} has not arrived")
    ticket = make_ticket(agent, **fields)
    for step in _PATHS[status]:
        ticket = services.transition_ticket(
            ticket=ticket, to=step, actor=agent, resolution="Sent a new parcel"
        )
    return Ticket.objects.get(pk=ticket.pk)


def rows() -> dict[str, int]:
    """How many rows every table a ticket use case may write holds."""
    models = (
        Ticket, Customer, CustomerContact, AuditEvent, Interaction, Commitment, Attachment,
        IdempotencyKey,
    )  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def audit_actions(ticket: Ticket) -> list[str]:
    return list(
        AuditEvent.objects.filter(ticket_id=ticket.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("id")


# --- the loop: missed promises and messages to closed tickets, on the pages and the API ----

SHANGHAI = ZoneInfo("Asia/Shanghai")
DUE = datetime(2031, 3, 4, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(DUE - timedelta(days=1), tick=False) as travel:
        yield travel


@pytest.fixture
def customer_user(team):
    return make_user(Role.CUSTOMER, username="li-wei")
