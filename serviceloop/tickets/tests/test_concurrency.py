"""Many threads at once, on the real database of the run (SQLite file or PostgreSQL):
numbers stay unique, no ticket is lost, and neither retries nor double submissions create a
second ticket."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.customers.services import CustomerIdentity
from serviceloop.tickets import services
from serviceloop.tickets.models import Ticket
from tests.builders import make_team, make_user

THREADS = 8


def _in_threads(work, count: int) -> list:
    """Run work(i) for i in range(count) across THREADS threads, each with its own
    connection, started together."""
    barrier = threading.Barrier(min(THREADS, count))

    def run(i: int):
        try:
            if i < THREADS:
                barrier.wait(timeout=30)
            return work(i)
        finally:
            connection.close()

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(run, range(count)))


@pytest.fixture
def partner(transactional_db):
    make_team("front-desk", default=True)
    return make_user(Role.PARTNER)


@time_machine.travel(datetime(2031, 5, 6, 10, 0, tzinfo=UTC))  # one day, whatever the hour
def test_it_gives_every_concurrent_ticket_its_own_number(partner):
    per_thread = 25

    def create_many(i: int) -> list[str]:
        numbers = []
        for j in range(per_thread):
            intake = services.create_ticket(
                actor=partner,
                draft=services.TicketDraft(
                    description=f"parcel {i}-{j} missing",
                    customer=CustomerIdentity(email=f"buyer{i % 3}@example.com"),
                ),
            )
            assert intake.created
            numbers.append(intake.ticket.number)
        return numbers

    told = [number for numbers in _in_threads(create_many, THREADS) for number in numbers]

    stored = list(Ticket.objects.values_list("number", flat=True))
    assert len(told) == THREADS * per_thread
    assert sorted(stored) == sorted(told), "every ticket a client was told about is stored"
    assert len(set(stored)) == len(stored)
    counters = sorted(int(number.rsplit("-", 1)[1]) for number in stored)
    # (PostgreSQL sequences outlive a test's data, so the day may not start at 1 here)
    assert counters == list(range(counters[0], counters[0] + len(stored))), "none skipped"
    assert AuditEvent.objects.filter(action="ticket.created").count() == len(stored)


def test_it_creates_one_ticket_for_concurrent_retries_with_one_idempotency_key(partner):
    draft = services.TicketDraft(
        description="Refund not received", customer=CustomerIdentity(email="new@example.com")
    )

    def submit(_i: int):
        return services.create_ticket(actor=partner, draft=draft, idempotency_key="order-77")

    intakes = _in_threads(submit, THREADS)

    assert Ticket.objects.count() == 1
    assert {intake.ticket.number for intake in intakes} == {Ticket.objects.get().number}
    assert sum(intake.created for intake in intakes) == 1


def test_it_creates_one_ticket_for_a_double_submission_without_key(partner):
    draft = services.TicketDraft(
        description="The same complaint, sent twice", customer=CustomerIdentity(phone="13800138000")
    )

    def submit(_i: int):
        return services.create_ticket(actor=partner, draft=draft)

    intakes = _in_threads(submit, THREADS)

    assert Ticket.objects.count() == 1
    assert sum(intake.created for intake in intakes) == 1
    assert all(intake.duplicate for intake in intakes if not intake.created)
