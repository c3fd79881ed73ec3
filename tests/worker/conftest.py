"""The task queues the worker tests run on: the database queue, RQ on a Redis database of
its own (TEST_REDIS_URL), and whatever TASKS_BACKEND configures (CI runs these tests once
more with TASKS_BACKEND=redis)."""

import os
from datetime import timedelta

import pytest
import redis
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from serviceloop.core import clock
from serviceloop.tickets import services
from serviceloop.tickets.choices import Status
from serviceloop.tickets.models import Ticket
from tests.builders import make_ticket

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
