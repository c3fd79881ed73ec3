"""`serviceloop worker --check` exits 0 when the database and the queue answer, 1 with a
clear message when one does not, and says when a worker was last seen (its heartbeat)."""

import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import CommandError, call_command

from serviceloop.core import health
from tests.outages import database_down
from tests.pgcluster import free_port

from .conftest import ROOT, TEST_REDIS_URL, database_url, process_env, use_queue

pytestmark = pytest.mark.django_db(transaction=True)


def _check(database: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = process_env(database, DATA_DIR=str(django_settings.DATA_DIR), **extra)
    return subprocess.run(
        [sys.executable, "-m", "serviceloop", "worker", "--check"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_it_exits_0_when_the_database_and_the_queue_answer():
    cache.clear()  # the heartbeats of other tests' workers (the cache table outlives a test)

    done = _check(database_url())

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"database: (SQLite|postgresql) \S+ reachable", lines[0]), lines[0]
    assert lines[1] == "queue: database queue reachable"
    assert lines[2] == "worker: none seen yet"


def test_it_says_when_a_worker_was_last_seen(settings, capsys):
    use_queue(settings, "database")
    health.beat("a-worker")

    call_command("worker", "--check")

    assert "worker: last seen 0 s ago (running)" in capsys.readouterr().out


def test_it_exits_1_when_the_database_cannot_be_reached():
    done = _check(f"postgres://postgres@127.0.0.1:{free_port()}/serviceloop")

    assert done.returncode == 1
    assert "database: postgresql 127.0.0.1:" in done.stdout
    assert "unreachable: OperationalError: connection failed" in done.stdout
    assert "not ready: the database and the queue cannot be reached" in done.stderr


def test_it_exits_1_when_redis_of_the_queue_cannot_be_reached():
    done = _check(
        database_url(), TASKS_BACKEND="redis", REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"
    )

    assert done.returncode == 1
    assert "queue: RQBackend unreachable: ConnectionError" in done.stdout
    assert "not ready: the queue cannot be reached" in done.stderr


def test_it_exits_0_with_the_redis_queue_reachable():
    done = _check(database_url(), TASKS_BACKEND="redis", REDIS_URL=TEST_REDIS_URL)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "queue: Redis queue at 127.0.0.1:6379/" in done.stdout


def test_the_check_in_process_raises_while_the_database_is_down(settings):
    use_queue(settings, "database")

    with database_down(), pytest.raises(CommandError, match="the database and the queue"):
        call_command("worker", "--check")
