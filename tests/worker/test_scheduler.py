"""The scheduler enqueues every registered sweep on the configured queue, once per tick, and
not again while its previous run still waits."""

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus

from serviceloop.core import schedule
from serviceloop.tickets.tasks import auto_close_resolved_tickets

from .conftest import backend

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_registered_sweep_is_a_task():
    tasks = schedule.sweep_tasks()

    assert set(tasks) == set(schedule.SWEEPS)
    assert tasks["auto_close_resolved_tickets"] is auto_close_resolved_tickets


def test_it_enqueues_each_registered_sweep(configured_queue):
    scheduler = schedule.Scheduler()

    assert scheduler.enqueue_due() == list(schedule.SWEEPS)

    for name, path in schedule.SWEEPS.items():
        stored = backend().get_result(scheduler.pending[name].id)
        assert stored.status == TaskResultStatus.READY
        assert stored.task.module_path == path


def test_it_does_not_pile_up_a_sweep_still_waiting(configured_queue):
    scheduler = schedule.Scheduler()
    scheduler.enqueue_due()
    first = {name: result.id for name, result in scheduler.pending.items()}

    assert scheduler.enqueue_due() == [], "the first runs still wait in the queue"

    call_command("worker", "--burst", "--no-sweeps", verbosity=0)  # the queue runs them
    assert scheduler.enqueue_due() == list(schedule.SWEEPS)
    assert all(scheduler.pending[name].id != first[name] for name in first)


def test_a_wrong_entry_in_the_registry_stops_the_worker_at_start(monkeypatch):
    monkeypatch.setitem(schedule.SWEEPS, "broken", "serviceloop.tickets.services.sweeps.Status")

    with pytest.raises(TypeError, match="not a task"):
        schedule.Scheduler()
