"""The auto-close sweep: resolved tickets close AUTO_CLOSE_DAYS after their last resolution,
through the status machine, audited as the system's doing, each exactly once however many
workers sweep at once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from serviceloop.audit.models import AuditEvent
from serviceloop.tickets import services, timeline
from serviceloop.tickets.choices import Status
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.services.sweeps import close_resolved_tickets
from serviceloop.tickets.tasks import auto_close_resolved_tickets
from tests.builders import at_once, make_ticket

START = datetime(2031, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _seven_days(settings):
    settings.AUTO_CLOSE_DAYS = 7


def _resolved(agent, *, at: datetime) -> Ticket:
    with time_machine.travel(at, tick=False):
        ticket = make_ticket(agent, subject="Parcel late")
        return services.transition_ticket(
            ticket=ticket, to=Status.RESOLVED, actor=agent, resolution="Parcel delivered"
        )


def test_it_closes_a_ticket_resolved_eight_days_ago(agent):
    ticket = _resolved(agent, at=START - timedelta(days=8))

    with time_machine.travel(START, tick=False):
        assert close_resolved_tickets() == 1

    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.closed_at == START
    assert ticket.resolution == "Parcel delivered"


def test_it_leaves_a_ticket_resolved_six_days_ago(agent):
    ticket = _resolved(agent, at=START - timedelta(days=6))

    with time_machine.travel(START, tick=False):
        assert close_resolved_tickets() == 0

    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.closed_at is None


def test_the_days_count_exactly_from_the_resolution(agent):
    ticket = _resolved(agent, at=START - timedelta(days=7))

    assert close_resolved_tickets(now=START) == 0, "7 days to the second is not yet past"
    assert close_resolved_tickets(now=START + timedelta(seconds=1)) == 1
    ticket.refresh_from_db()
    assert ticket.closed_at == START + timedelta(seconds=1)


def test_the_number_of_days_is_configurable(agent, settings):
    settings.AUTO_CLOSE_DAYS = 3
    ticket = _resolved(agent, at=START - timedelta(days=4))

    assert close_resolved_tickets(now=START) == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_a_reopened_then_resolved_ticket_counts_from_its_last_resolution(agent):
    ticket = _resolved(agent, at=START - timedelta(days=20))
    with time_machine.travel(START - timedelta(days=5), tick=False):
        services.transition_ticket(
            ticket=ticket, to=Status.IN_PROGRESS, actor=agent, reason="Still not arrived"
        )
    with time_machine.travel(START - timedelta(days=2), tick=False):
        services.transition_ticket(
            ticket=ticket, to=Status.RESOLVED, actor=agent, resolution="Found at the depot"
        )

    assert close_resolved_tickets(now=START) == 0
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert close_resolved_tickets(now=START + timedelta(days=5, seconds=1)) == 1


def test_a_reopened_ticket_is_not_closed(agent):
    ticket = _resolved(agent, at=START - timedelta(days=20))
    services.transition_ticket(ticket=ticket, to=Status.IN_PROGRESS, actor=agent, reason="No")

    assert close_resolved_tickets(now=START) == 0
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS


def test_it_leaves_closed_and_open_tickets_untouched(agent):
    closed = _resolved(agent, at=START - timedelta(days=30))
    with time_machine.travel(START - timedelta(days=29), tick=False):
        services.transition_ticket(ticket=closed, to=Status.CLOSED, actor=agent)
    with time_machine.travel(START - timedelta(days=30), tick=False):
        untouched = make_ticket(agent, subject="Still open")
    closed.refresh_from_db()
    before = (closed.version, closed.closed_at)
    events = AuditEvent.objects.count()

    assert close_resolved_tickets(now=START) == 0

    closed.refresh_from_db()
    untouched.refresh_from_db()
    assert (closed.version, closed.closed_at) == before
    assert untouched.status == Status.NEW
    assert AuditEvent.objects.count() == events


def test_the_audit_trail_says_the_system_closed_it(agent):
    ticket = _resolved(agent, at=START - timedelta(days=8))
    version = Ticket.objects.get(pk=ticket.pk).version

    close_resolved_tickets(now=START)

    event = AuditEvent.objects.filter(ticket_id=ticket.pk).latest("id")
    assert event.action == "ticket.transitioned"
    assert event.actor_id is None
    assert event.actor_label == "system"
    assert event.before["status"] == Status.RESOLVED
    assert event.after["status"] == Status.CLOSED
    assert event.note == "auto-closed 7 days after its resolution without a reopen"
    assert event.occurred_at == START
    assert Ticket.objects.get(pk=ticket.pk).version == version + 1


def test_the_customer_timeline_shows_the_system_closing_it(agent):
    ticket = _resolved(agent, at=START - timedelta(days=8))
    close_resolved_tickets(now=START)

    entries = timeline.timeline_of(Ticket.objects.get(pk=ticket.pk), user=agent)

    sentences = [entry.sentence for entry in entries if entry.kind == "status"]
    assert sentences[-1] == "The system changed the status: Resolved → Closed"


def test_it_closes_all_due_tickets_in_batches(agent):
    tickets = [_resolved(agent, at=START - timedelta(days=10, minutes=i)) for i in range(5)]

    assert close_resolved_tickets(now=START, batch=2) == 5

    assert set(Ticket.objects.values_list("status", flat=True)) == {Status.CLOSED}
    closes = AuditEvent.objects.filter(
        action="ticket.transitioned", actor_id=None, after__status=Status.CLOSED
    )
    assert sorted(closes.values_list("ticket_id", flat=True)) == sorted(t.pk for t in tickets)


def test_the_task_runs_the_sweep(agent, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    ticket = _resolved(agent, at=START - timedelta(days=8))

    with time_machine.travel(START, tick=False):
        result = auto_close_resolved_tickets.enqueue()

    assert result.return_value == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


@pytest.mark.django_db
def test_one_partial_index_finds_the_due_tickets():
    due = Ticket.objects.filter(status=Status.RESOLVED, resolved_at__lt=START)
    sql, params = due.order_by("resolved_at")[:500].query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # the test table is tiny
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "ticket_resolved_due" in plan


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_close_each_ticket_exactly_once(agent):
    """On PostgreSQL the second sweep skips the rows the first holds (SKIP LOCKED); on
    SQLite the IMMEDIATE transactions take turns. Either way: each ticket closed once."""
    template = _resolved(agent, at=START - timedelta(days=9))
    template = Ticket.objects.get(pk=template.pk)
    due = 2000
    clones = []
    for i in range(due - 1):
        clone = Ticket.objects.get(pk=template.pk)
        clone.pk = None
        clone.number = f"{template.number}-{i}"
        clone.resolved_at = template.resolved_at - timedelta(seconds=i)
        clones.append(clone)
    Ticket.objects.bulk_create(clones)
    counts = at_once(lambda _: close_resolved_tickets(now=START, batch=200))

    assert sum(counts) == due, counts
    assert Ticket.objects.filter(status=Status.CLOSED).count() == due
    closes = AuditEvent.objects.filter(
        action="ticket.transitioned", actor_id=None, after__status=Status.CLOSED
    )
    assert closes.count() == due
    assert closes.values("ticket_id").distinct().count() == due
