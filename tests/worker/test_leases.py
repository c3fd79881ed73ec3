"""A task left RUNNING by a worker that was killed (kill -9) goes back to the queue once its
lease has run out (TASK_LEASE_SECONDS without the worker's heartbeat), and the next worker
runs it; a live worker's long task is left alone; a mail the killed worker had sent is not
sent again by the second run (core.leases, notifications' delivery rows)."""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from serviceloop.customers.services import CustomerIdentity
from serviceloop.notifications import tasks as notification_tasks
from serviceloop.notifications.models import Delivery, MailTemplate
from serviceloop.notifications.tests.smtp import Sink, _LoopbackController
from tests.builders import make_ticket

from . import slow_tasks
from .conftest import ROOT, database_url, process_env, use_queue

pytestmark = pytest.mark.django_db(transaction=True)

LEASE = "2"


def _start_worker(log: Path, **extra: str) -> subprocess.Popen[bytes]:
    env = process_env(
        database_url(), DATA_DIR=str(django_settings.DATA_DIR), TASK_LEASE_SECONDS=LEASE, **extra
    )
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "serviceloop", "worker", "--no-sweeps"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip


def _stop(worker: subprocess.Popen[bytes]) -> int:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    return worker.returncode


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.05)


def _starts(folder: Path) -> int:
    path = folder / "starts"
    return len(path.read_text().split()) if path.exists() else 0


def _row(result: Any) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=result.id)


@pytest.fixture
def hold(settings, monkeypatch) -> Any:
    """slow_tasks.hold as the database queue takes it (see test_worker: under
    TASKS_BACKEND=redis the module's task is of another class)."""
    use_queue(settings, "database")
    held = task(slow_tasks.hold.func)
    monkeypatch.setattr(slow_tasks, "hold", held)
    return held


def test_a_task_left_running_by_a_killed_worker_runs_again_after_its_lease(hold, tmp_path):
    result = hold.enqueue(str(tmp_path))
    log = tmp_path / "workers.log"
    first = _start_worker(log)
    try:
        _wait_for(lambda: _starts(tmp_path) == 1, "the first worker starts the task")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        _stop(first)
    assert _row(result).status == TaskResultStatus.RUNNING, "the dead worker left it running"

    (tmp_path / "release").touch()  # the second run may finish
    second = _start_worker(log)
    try:
        _wait_for(lambda: _row(result).status == TaskResultStatus.SUCCESSFUL, "the second run")
    finally:
        assert _stop(second) == 0, log.read_text()

    row = _row(result)
    assert _starts(tmp_path) == 2
    assert row.return_value == 2
    assert len(set(row.worker_ids)) == 2, "two workers ran it"
    assert "back in the queue: its worker" in log.read_text()


def test_the_long_task_of_a_live_worker_is_not_taken_back(hold, tmp_path):
    result = hold.enqueue(str(tmp_path))
    log = tmp_path / "workers.log"
    first = _start_worker(log)
    second = None
    try:
        _wait_for(lambda: _starts(tmp_path) == 1, "the first worker starts the task")
        second = _start_worker(log)  # it looks for abandoned tasks every second
        time.sleep(3 * int(LEASE))

        assert _row(result).status == TaskResultStatus.RUNNING
        assert _starts(tmp_path) == 1, "the second worker took a task whose worker lives"

        (tmp_path / "release").touch()
        _wait_for(lambda: _row(result).status == TaskResultStatus.SUCCESSFUL, "the task ends")
    finally:
        assert _stop(first) == 0, log.read_text()
        if second is not None:
            assert _stop(second) == 0, log.read_text()
    assert _row(result).return_value == 1
    assert "back in the queue" not in log.read_text()


@dataclass
class HoldingSink(Sink):
    """An SMTP server that keeps each message, then waits to say "250 OK" until released:
    the sender is killed while it has sent the mail but not heard that it arrived."""

    released: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        while not self.released.is_set():
            await asyncio.sleep(0.05)
        return reply


@contextmanager
def holding_sink() -> Iterator[HoldingSink]:
    sink = HoldingSink()
    controller = _LoopbackController(sink, hostname="127.0.0.1", port=0)
    controller.start()
    sink.port = controller.port
    try:
        yield sink
    finally:
        sink.released.set()
        controller.stop()


def test_a_mail_task_run_again_after_its_worker_was_killed_sends_no_second_mail(
    settings, monkeypatch, agent, tmp_path
):
    use_queue(settings, "database")
    # the task as the database queue takes it (see test_worker); the receiver imports it
    # from the module when the ticket's creation is recorded
    monkeypatch.setattr(
        notification_tasks,
        "send_customer_messages",
        task(notification_tasks.send_customer_messages.func),
    )
    MailTemplate.objects.update_or_create(
        kind="created", language="en",
        defaults={"subject": "Ticket {{ ticket_number }} received", "body": "We have it."},
    )  # fmt: skip
    log = tmp_path / "workers.log"
    with holding_sink() as sink:
        mail = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink.port)}
        customer = CustomerIdentity(email="li@example.com", language="en")
        ticket = make_ticket(agent, customer=customer)
        first = _start_worker(log, **mail)
        try:
            sink.wait_for(1, timeout=30)  # sent; the worker waits for the server's answer
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            _stop(first)
        sink.released.set()
        row = DBTaskResult.objects.get(task_path__endswith="send_customer_messages")
        assert row.status == TaskResultStatus.RUNNING

        second = _start_worker(log, **mail)
        try:
            _wait_for(lambda: _row(row).status == TaskResultStatus.SUCCESSFUL, "the second run")
        finally:
            assert _stop(second) == 0, log.read_text()

        assert len(set(_row(row).worker_ids)) == 2, "two workers ran it"
        assert [m.message["X-Serviceloop-Ticket"] for m in sink.received] == [ticket.number]
    delivery = Delivery.objects.get(ticket=ticket, channel="email")
    # claimed by the killed worker: the retry sweep takes it up after 15 minutes (the one
    # case where a mail may go out twice, docs/notifications.md), the second run does not
    assert delivery.status == "sending"
