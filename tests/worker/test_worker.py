"""`serviceloop worker` works the real queue on the real database of the run: as a process
of its own (then stopped with SIGTERM), and in burst mode."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus, task

from serviceloop.audit.models import AuditEvent
from serviceloop.tickets import tasks
from serviceloop.tickets.choices import Status
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.tasks import auto_close_resolved_tickets

from .conftest import TEST_REDIS_URL, backend, use_queue

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    """The test database of this run, for another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = f"{db['USER']}:{db['PASSWORD']}@" if db["PASSWORD"] else f"{db['USER']}@"
    return f"postgres://{user}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker(queue: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DATA_DIR": str(django_settings.DATA_DIR),
        "TASKS_BACKEND": queue,
        "SWEEP_SECONDS": "3600",
        "AUTO_CLOSE_DAYS": "7",
    }
    if queue == "redis":
        env["REDIS_URL"] = TEST_REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "serviceloop", "worker"],
        cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def _wait_for(result, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = backend().get_result(result.id).status
        if status not in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
            return status
        time.sleep(0.1)
    raise AssertionError(f"the worker did not run task {result.id} within {seconds} s")


@pytest.mark.parametrize("queue", ["database", "redis"])
def test_the_worker_process_runs_an_enqueued_task_and_stops_on_sigterm(
    queue, settings, monkeypatch, due_ticket
):
    use_queue(settings, queue)
    # The task as this queue's backend makes it: tasks.py was imported under TASKS_BACKEND,
    # and with redis that is the Task class of the django-tasks backport, which the
    # database queue refuses. The worker process imports it under its own setting.
    sweep = task(auto_close_resolved_tickets.func)
    monkeypatch.setattr(tasks, "auto_close_resolved_tickets", sweep)
    worker = _start_worker(queue)
    try:
        result = sweep.enqueue()

        assert _wait_for(result) == TaskResultStatus.SUCCESSFUL
        assert Ticket.objects.get(pk=due_ticket.pk).status == Status.CLOSED
        closed_by_the_system = AuditEvent.objects.filter(
            ticket_id=due_ticket.pk, actor_id=None, action="ticket.transitioned"
        )
        assert [event.after["status"] for event in closed_by_the_system] == [Status.CLOSED]
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output
    assert "serviceloop worker: stopped" in output


def test_the_worker_process_enqueues_the_sweeps_on_start(settings, due_ticket):
    """Nothing enqueued by anyone: the worker's own scheduler closes the due ticket."""
    use_queue(settings, "database")
    worker = _start_worker("database")
    try:
        deadline = time.monotonic() + 30
        while Ticket.objects.get(pk=due_ticket.pk).status != Status.CLOSED:
            assert time.monotonic() < deadline, "the sweep did not run"
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGINT)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output


def test_burst_mode_runs_what_is_queued_and_the_sweeps_then_exits(configured_queue, due_ticket):
    waiting = auto_close_resolved_tickets.enqueue()

    call_command("worker", "--burst", verbosity=0)

    assert backend().get_result(waiting.id).status == TaskResultStatus.SUCCESSFUL
    assert Ticket.objects.get(pk=due_ticket.pk).status == Status.CLOSED
    closes = AuditEvent.objects.filter(ticket_id=due_ticket.pk, after__status=Status.CLOSED)
    assert closes.count() == 1, "the second run found nothing left to close"


def test_without_a_queue_the_sweeps_run_in_the_worker_itself(settings, due_ticket):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

    call_command("worker", "--burst", verbosity=0)

    assert Ticket.objects.get(pk=due_ticket.pk).status == Status.CLOSED
