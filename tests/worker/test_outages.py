"""The worker outlives its database: `serviceloop worker` on a PostgreSQL server of the tests'
own, which is restarted twice under it (a fast shutdown, then an immediate one, as after a
crash). The worker process never exits; after each restart the sweeps run again, and a task
enqueued after the restarts runs. The web server on such a database answers 503 with
Retry-After while it is down, and serves again once it is back. Marked `postgres`: it needs
PostgreSQL's programs (initdb, pg_ctl) and runs in `make test-postgres`."""

import http.client
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import psycopg
import pytest
import redis
from rq import Queue
from rq.job import Job

from serviceloop.core.schedule import SWEEPS
from tests.pgcluster import free_port

from .conftest import ROOT, TEST_REDIS_URL, process_env, run_django

pytestmark = pytest.mark.postgres

DUE_TICKET = """
from datetime import timedelta
from serviceloop.accounts.choices import Role
from serviceloop.core import clock
from serviceloop.tickets import services
from serviceloop.tickets.choices import Status
from serviceloop.tickets.models import Ticket
from tests.builders import make_team, make_ticket, make_user
team = make_team("support", default=True)
agent = make_user(Role.AGENT, username="agent", teams=[team])
ticket = make_ticket(agent, subject="Parcel late")
services.transition_ticket(ticket=ticket, to=Status.RESOLVED, actor=agent, resolution="Sent")
Ticket.objects.filter(pk=ticket.pk).update(resolved_at=clock.now() - timedelta(days=10))
print(ticket.pk)
"""
BACK = "the queue is back: the sweeps are enqueued again"  # the sweeps' thread recovered
ENQUEUE_AUTO_CLOSE = """
from serviceloop.tickets.tasks import auto_close_resolved_tickets
print(auto_close_resolved_tickets.enqueue().id)
"""


def _wait_for(condition: Callable[[], bool], seconds: float, what: str) -> float:
    """Seconds until `condition()` held; fails after `seconds`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.1)
    return time.monotonic() - started


class Queues:
    """What the worker ran, read from the database queue's table or from RQ's registry."""

    def __init__(self, name: str, url: str) -> None:
        self.name, self.url = name, url
        self.redis = redis.Redis.from_url(TEST_REDIS_URL) if name == "redis" else None

    def ran_sweeps_since(self, since: datetime) -> bool:
        return self.sweeps_finished_since(since) > 0

    def sweeps_finished_since(self, since: datetime) -> int:
        if self.redis is None:
            with psycopg.connect(self.url) as conn:
                row = conn.execute(
                    "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = "
                    "'SUCCESSFUL' AND finished_at > %s AND task_path = ANY(%s)",
                    [since, list(SWEEPS.values())],
                ).fetchone()
            return int(row[0]) if row else 0
        registry = Queue("default", connection=self.redis).finished_job_registry
        jobs = Job.fetch_many(registry.get_job_ids(), connection=self.redis)
        return sum(
            1
            for job in jobs
            if job is not None and job.ended_at and job.ended_at.replace(tzinfo=UTC) > since
        )

    def failed(self) -> int:
        assert self.redis is not None
        return Queue("default", connection=self.redis).failed_job_registry.count

    def succeeded(self, task_id: str) -> bool:
        if self.redis is None:
            with psycopg.connect(self.url) as conn:
                row = conn.execute(
                    "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s",
                    [task_id],
                ).fetchone()
            return bool(row and row[0] == "SUCCESSFUL")
        return Job.fetch(task_id, connection=self.redis).get_status() == "finished"


def _ticket_status(url: str, pk: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT status FROM tickets_ticket WHERE id = %s", [int(pk)]).fetchone()
    return str(row[0]) if row else ""


@pytest.mark.parametrize("queue", ["database", "redis"])
def test_the_worker_carries_on_through_two_database_restarts(
    queue, own_postgres, own_database, tmp_path
):
    extra = {"DATA_DIR": str(tmp_path), "SWEEP_SECONDS": "1", "AUTO_CLOSE_DAYS": "7"}
    if queue == "redis":
        extra |= {"TASKS_BACKEND": "redis", "REDIS_URL": TEST_REDIS_URL}
        redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    queues = Queues(queue, own_database)
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "serviceloop", "worker"],
            cwd=ROOT, env=process_env(own_database, **extra), stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        started = datetime.now(UTC)
        _wait_for(partial(queues.ran_sweeps_since, started), 60, "the first sweeps")
        recoveries = []
        for number, mode in enumerate(("fast", "immediate"), start=1):
            own_postgres.stop(mode=mode)
            time.sleep(3)  # the queue's polls and the sweeps' ticks meet the outage
            assert worker.poll() is None, _log(log_path)
            own_postgres.start()
            up = datetime.now(UTC)
            ran = partial(queues.ran_sweeps_since, up)
            recoveries.append(_wait_for(ran, 30, f"a sweep after the {mode} restart"))
            if queue == "database":  # both loops are back before the next restart
                back = partial(_logged, log_path, BACK, number)
                _wait_for(back, 30, "the sweeps' thread back")
            assert worker.poll() is None, _log(log_path)

        ticket = run_django(own_database, DUE_TICKET, **extra)
        task_id = run_django(own_database, ENQUEUE_AUTO_CLOSE, **extra)
        _wait_for(lambda: queues.succeeded(task_id), 30, "the task enqueued after the restarts")
        assert _ticket_status(own_database, ticket) == "closed"
        assert worker.poll() is None, _log(log_path)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    output = _log(log_path)
    assert worker.returncode == 0, output
    assert "serviceloop worker: stopped" in output
    # the restarts were met, not slept through
    if queue == "database":
        assert output.count("the queue is reachable again: the worker carries on") == 2, output
        assert output.count(BACK) == 2, output
        assert "Traceback" not in output, output
    else:  # the queue is Redis: sweeps that ran while PostgreSQL was down failed
        assert queues.failed() > 0, output
    assert max(recoveries) <= 10, recoveries


def _log(path: Path) -> str:
    return path.read_text(errors="replace")


def _logged(path: Path, line: str, times: int) -> bool:
    return _log(path).count(line) == times


def test_sigterm_stops_the_worker_while_it_waits_for_the_database(
    own_postgres, own_database, tmp_path
):
    extra = {"DATA_DIR": str(tmp_path), "SWEEP_SECONDS": "1"}
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "serviceloop", "worker"],
            cwd=ROOT, env=process_env(own_database, **extra), stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_for(lambda: "serviceloop worker: " in _log(log_path), 60, "the worker starts")
        own_postgres.stop(mode="immediate")
        _wait_for(lambda: "trying again in" in _log(log_path), 30, "the worker meets the outage")

        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0, _log(log_path)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        own_postgres.start()
    assert "serviceloop worker: stopped" in _log(log_path)


SIGNED_IN = """
from django.test import Client
from serviceloop.accounts.choices import Role
from serviceloop.accounts.services import issue_token
from tests.builders import make_team, make_user
team = make_team("support", default=True)
agent = make_user(Role.AGENT, username="agent", teams=[team])
_token, secret = issue_token(user=agent, name="outage", actor=None)
client = Client()
client.force_login(agent)
print(secret, client.cookies["sessionid"].value)
"""


def _get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def test_the_web_answers_503_while_its_database_is_down_then_serves_again(
    own_postgres, own_database, tmp_path
):
    extra = {"DATA_DIR": str(tmp_path), "DEBUG": "0"}
    secret, session = run_django(own_database, SIGNED_IN, **extra).split()
    api = {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}
    page = {"Cookie": f"sessionid={session}", "Accept": "text/html", "Accept-Language": "en"}
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "serviceloop", "serve", "--bind", f"127.0.0.1:{port}",
             "--workers", "1"],
            cwd=ROOT, env=process_env(own_database, **extra), stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_for(lambda: _answers(port), 60, "the server starts")
        assert _get(port, "/readyz")[0] == 200
        assert _get(port, "/api/v1/tickets", **api)[0] == 200
        assert _get(port, "/desk/", **page)[0] == 200

        own_postgres.stop(mode="immediate")  # as if it crashed
        assert _get(port, "/healthz")[0] == 200, "the process is up"
        status, headers, body = _get(port, "/readyz")
        assert (status, headers["Retry-After"]) == (503, "5"), body
        status, headers, body = _get(port, "/api/v1/tickets", **api)
        assert (status, headers["Retry-After"]) == (503, "5"), body
        assert headers["Content-Type"] == "application/problem+json"
        assert json.loads(body)["code"] == "unavailable"
        status, headers, body = _get(port, "/desk/", **page)
        assert (status, headers["Retry-After"]) == (503, "5"), body
        assert "<title>Service unavailable</title>" in body

        own_postgres.start()
        assert _get(port, "/readyz")[0] == 200
        assert _get(port, "/api/v1/tickets", **api)[0] == 200
        assert _get(port, "/desk/", **page)[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    output = _log(log_path)
    assert "Traceback" not in output, output
    assert "Internal Server Error" not in output, output
    assert "database unavailable: GET /desk/ answered 503" in output, output


def _answers(port: int) -> bool:
    try:
        return _get(port, "/healthz")[0] == 200
    except OSError:
        return False
