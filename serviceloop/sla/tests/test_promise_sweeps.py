"""The promise sweeps: the owner is reminded once, shortly before the due time; at the due
time an open promise becomes missed and its owner and the team's supervisors are told at
once — each exactly once however often the sweeps run."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.inbox.models import Kind, Notification
from serviceloop.sla.promises import (
    miss_overdue_commitments,
    remind_commitment_owners,
)
from serviceloop.sla.tasks import miss_commitments, remind_commitments
from serviceloop.tickets.choices import CommitmentStatus
from serviceloop.tickets.models import Commitment
from serviceloop.tickets.services import create_commitment
from serviceloop.tickets.tests.given import ticket_in
from tests.builders import at_once, make_user

DUE = datetime(2031, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _an_hour_ahead(settings):
    settings.COMMITMENT_REMIND_MINUTES = 60


@pytest.fixture
def promise(agent):
    with time_machine.travel(DUE - timedelta(days=1), tick=False):
        ticket = ticket_in("in_progress", agent=agent)
        return create_commitment(
            ticket=ticket, actor=agent, text="Call back before 10:00", due_at=DUE
        )


def stored(commitment: Commitment) -> Commitment:
    return Commitment.objects.get(pk=commitment.pk)


def notes(kind: Kind) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).order_by("recipient_id"))


# --- the reminder ---------------------------------------------------------------------------


def test_the_owner_is_not_reminded_before_the_window(promise):
    assert remind_commitment_owners(now=DUE - timedelta(minutes=61)) == 0
    assert stored(promise).reminded_at is None
    assert notes(Kind.COMMITMENT_DUE) == []


def test_the_owner_is_reminded_once_within_the_window(promise, agent):
    at = DUE - timedelta(minutes=60)

    assert remind_commitment_owners(now=at) == 1
    assert remind_commitment_owners(now=at + timedelta(minutes=30)) == 0, "never twice"

    assert stored(promise).reminded_at == at
    [note] = notes(Kind.COMMITMENT_DUE)
    assert note.recipient == agent
    assert note.ticket_id == promise.ticket_id
    assert note.params == {"text": "Call back before 10:00", "due_at": DUE.isoformat()}
    assert not note.urgent
    event = AuditEvent.objects.filter(action="commitment.reminded").get()
    assert (event.actor_id, event.target_id, event.ticket_id) == (
        None, str(promise.pk), promise.ticket_id,
    )  # fmt: skip


def test_the_window_is_configurable(promise, settings):
    settings.COMMITMENT_REMIND_MINUTES = 15
    assert remind_commitment_owners(now=DUE - timedelta(minutes=16)) == 0
    assert remind_commitment_owners(now=DUE - timedelta(minutes=15)) == 1


def test_a_promise_already_due_or_settled_is_not_reminded(promise, agent):
    assert remind_commitment_owners(now=DUE) == 0, "at the due time it is missed, not reminded"
    with time_machine.travel(DUE - timedelta(days=1), tick=False):
        ticket = ticket_in("in_progress", agent=agent)
        kept = create_commitment(ticket=ticket, actor=agent, text="Mail the label", due_at=DUE)
        Commitment.objects.filter(pk=kept.pk).update(status=CommitmentStatus.KEPT)
    assert remind_commitment_owners(now=DUE - timedelta(minutes=5)) == 1
    assert stored(kept).reminded_at is None


# --- missed at the due time -----------------------------------------------------------------


def test_a_promise_is_not_missed_a_second_before_its_due_time(promise):
    assert miss_overdue_commitments(now=DUE - timedelta(seconds=1)) == 0
    assert stored(promise).status == CommitmentStatus.OPEN


def test_at_the_due_time_it_is_missed_and_owner_and_supervisor_are_told(
    promise, agent, supervisor, team
):
    other_supervisor = make_user(Role.SUPERVISOR, username="elsewhere")  # in no team of it
    teammate = make_user(Role.AGENT, username="mate", teams=[team])

    assert miss_overdue_commitments(now=DUE) == 1

    missed = stored(promise)
    assert (missed.status, missed.settled_at) == (CommitmentStatus.MISSED, DUE)
    told = notes(Kind.COMMITMENT_MISSED)
    assert {note.recipient for note in told} == {agent, supervisor}
    assert other_supervisor not in {note.recipient for note in told}
    assert teammate not in {note.recipient for note in told}
    assert all(note.urgent and note.deliver_at == DUE for note in told)
    assert all(note.ticket_id == promise.ticket_id for note in told)
    event = AuditEvent.objects.filter(action="commitment.missed").get()
    assert event.actor_id is None
    assert (event.before, event.after) == ({"status": "open"}, {"status": "missed"})


def test_two_sweeps_in_a_row_do_nothing_the_second_time(promise):
    assert remind_commitment_owners(now=DUE - timedelta(minutes=30)) == 1
    assert miss_overdue_commitments(now=DUE + timedelta(minutes=1)) == 1
    events, notified = AuditEvent.objects.count(), Notification.objects.count()

    assert remind_commitment_owners(now=DUE + timedelta(minutes=2)) == 0
    assert miss_overdue_commitments(now=DUE + timedelta(minutes=2)) == 0

    assert (AuditEvent.objects.count(), Notification.objects.count()) == (events, notified)


def test_a_promise_never_reminded_is_still_missed(promise, agent):
    assert miss_overdue_commitments(now=DUE + timedelta(hours=3)) == 1
    assert stored(promise).reminded_at is None
    assert [n.recipient for n in notes(Kind.COMMITMENT_MISSED)] == [agent]  # no supervisor


def test_it_misses_all_due_promises_in_batches(promise, agent):
    with time_machine.travel(DUE - timedelta(days=1), tick=False):
        for n in range(4):
            create_commitment(ticket=promise.ticket, actor=agent, text=f"Promise {n}", due_at=DUE)
    assert miss_overdue_commitments(now=DUE, batch=2) == 5
    assert set(Commitment.objects.values_list("status", flat=True)) == {CommitmentStatus.MISSED}


def test_the_tasks_run_the_sweeps(promise, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with time_machine.travel(DUE - timedelta(minutes=10), tick=False):
        assert remind_commitments.enqueue().return_value == 1
    with time_machine.travel(DUE, tick=False):
        assert miss_commitments.enqueue().return_value == 1
    assert stored(promise).status == CommitmentStatus.MISSED


@pytest.mark.django_db
def test_one_partial_index_finds_the_promises_to_remind():
    due = Commitment.objects.filter(
        status=CommitmentStatus.OPEN, reminded_at__isnull=True, due_at__gt=DUE, due_at__lte=DUE
    )
    sql, params = due.order_by("due_at")[:500].query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # the test table is tiny
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "commitment_remind_due" in plan


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_miss_and_notify_each_promise_exactly_once(promise, agent):
    """On PostgreSQL the second sweep skips the rows the first holds (SKIP LOCKED); on
    SQLite the IMMEDIATE transactions take turns. Either way: each promise missed once."""
    clones = []
    for i in range(299):
        clone = Commitment.objects.get(pk=promise.pk)
        clone.pk = None
        clone.due_at = DUE - timedelta(seconds=i)
        clones.append(clone)
    Commitment.objects.bulk_create(clones)
    counts = at_once(lambda _: miss_overdue_commitments(now=DUE, batch=50))

    assert sum(counts) == 300, counts
    assert Commitment.objects.filter(status=CommitmentStatus.MISSED).count() == 300
    missed = AuditEvent.objects.filter(action="commitment.missed")
    assert missed.values("target_id").distinct().count() == missed.count() == 300
    assert Notification.objects.filter(kind=Kind.COMMITMENT_MISSED).count() == 300
