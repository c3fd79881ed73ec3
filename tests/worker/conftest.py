"""The task queues the worker tests run on: the database queue, RQ on a Redis database of
its own (TEST_REDIS_URL), and whatever TASKS_BACKEND configures (CI runs these tests once
more with TASKS_BACKEND=redis)."""

import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
import redis
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from serviceloop.core import clock
from serviceloop.tickets import services
from serviceloop.tickets.choices import Status
from serviceloop.tickets.models import Ticket
from tests.builders import make_ticket
from tests.pgcluster import PostgresCluster

ROOT = Path(__file__).resolve().parents[2]

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
QUEUES = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "redis": {"BACKEND": "django_tasks_rq.RQBackend"},
}


def use_queue(settings, name: str) -> None:
    """Make `name` the default task queue of this test."""
    settings.TASKS = {"default": QUEUES[name]}
    if name == "redis":
        settings.RQ_QUEUES = {"default": {"URL": TEST_REDIS_URL}}
        connection = redis.Redis.from_url(TEST_REDIS_URL)
        try:
            connection.flushdb()
        except redis.ConnectionError as error:
            pytest.fail(f"Redis is not reachable at {TEST_REDIS_URL} ({error}); start redis-server")


@pytest.fixture
def configured_queue(settings) -> str:
    """The queue TASKS_BACKEND names (database unless told), set up for this test whatever a
    wider fixture chose; a Redis one on TEST_REDIS_URL, emptied."""
    name = os.environ.get("TASKS_BACKEND", "database")
    assert name in QUEUES, f"these tests need a real queue, not TASKS_BACKEND={name}"
    use_queue(settings, name)
    return name


def backend():
    return task_backends[DEFAULT_TASK_BACKEND_ALIAS]


@pytest.fixture
def due_ticket(agent, settings) -> Ticket:
    """A ticket resolved ten days ago: the auto-close sweep's work."""
    settings.AUTO_CLOSE_DAYS = 7
    ticket = make_ticket(agent, subject="Parcel late")
    services.transition_ticket(
        ticket=ticket, to=Status.RESOLVED, actor=agent, resolution="Parcel delivered"
    )
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=clock.now() - timedelta(days=10))
    return ticket


def database_url() -> str:
    """The test database of this run, for another process."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = f"{db['USER']}:{db['PASSWORD']}@" if db["PASSWORD"] else f"{db['USER']}@"
    return f"postgres://{user}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


# --- a PostgreSQL server of the tests' own, to stop and restart ------------------------------

TEMPLATE_DATABASE = "serviceloop_template"


def process_env(database: str, **extra: str) -> dict[str, str]:
    """The environment of a serviceloop process on `database` (a URL), database queue; its
    cache is this process's (Redis when REDIS_URL is set, else the database's table), where
    the workers' heartbeats are."""
    return {
        **os.environ,
        "DATABASE_URL": database,
        "DJANGO_SETTINGS_MODULE": "serviceloop.settings",
        "TASKS_BACKEND": "database",
        "LOG_LEVEL": "INFO",
        **extra,
    }


def run_django(database: str, code: str, **extra: str) -> str:
    """Run `code` with Django set up on `database` in a process of its own; its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", "import django\ndjango.setup()\n" + textwrap.dedent(code)],
        cwd=ROOT, env=process_env(database, **extra), capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="session")
def own_postgres(tmp_path_factory) -> Iterator[PostgresCluster]:
    """A PostgreSQL server of the tests' own (tests.pgcluster), with a migrated database to
    copy: stopping it disturbs nobody else's tests."""
    data_dir = tmp_path_factory.mktemp("own-postgres-data")
    with PostgresCluster.create() as cluster:
        url = cluster.create_database(TEMPLATE_DATABASE)
        done = subprocess.run(
            [sys.executable, "-m", "serviceloop", "migrate", "--noinput", "-v0"],
            cwd=ROOT, env=process_env(url, DATA_DIR=str(data_dir)), capture_output=True,
            text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        yield cluster


@pytest.fixture
def own_database(own_postgres) -> str:
    """A fresh migrated database on the tests' own server (started again if a test left it
    stopped): its URL."""
    if not own_postgres.is_running():
        own_postgres.start()
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(own_postgres.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DATABASE}"')
    return own_postgres.url(name)
