"""core.queue.enqueue: with the database queue, the row the backend itself would write and
the result it would give; with any other queue, the task enqueued as usual."""

import pytest
from django.tasks import TaskResultStatus
from django.tasks.signals import task_enqueued
from django_tasks_db.models import DBTaskResult

from serviceloop.core import queue
from serviceloop.inbox.tasks import notify_about_event

COMPARED = (
    "status", "started_at", "finished_at", "args_kwargs", "priority", "task_path",
    "worker_ids", "queue_name", "backend_name", "run_after", "return_value",
    "exception_class_path", "traceback",
)  # fmt: skip


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def row_of(result):
    row = DBTaskResult.objects.get(id=result.id)
    return {name: getattr(row, name) for name in COMPARED}


def test_it_writes_the_row_the_backend_writes(db, database_queue):
    heard = []

    def listener(sender, task_result, **kwargs):
        heard.append(task_result.id)

    task_enqueued.connect(listener)
    try:
        by_backend = notify_about_event.enqueue(7)
        by_us = queue.enqueue(notify_about_event, 7)
    finally:
        task_enqueued.disconnect(listener)

    assert row_of(by_us) == row_of(by_backend)
    assert row_of(by_us)["args_kwargs"] == {"args": [7], "kwargs": {}}
    assert by_us.status == TaskResultStatus.READY
    assert by_us.task.func is notify_about_event.func
    assert heard == [by_backend.id, by_us.id]
    assert DBTaskResult.objects.get(id=by_us.id).enqueued_at is not None


def test_what_it_enqueues_the_worker_runs(db, database_queue):
    result = queue.enqueue(notify_about_event, 123456)  # no such event: nothing to notify

    row = DBTaskResult.objects.ready().get(id=result.id)
    assert row.task.call(*row.args_kwargs["args"]) == 0


def test_other_queues_enqueue_as_usual(db):
    # the tests' queue runs the task where it is enqueued
    result = queue.enqueue(notify_about_event, 123456)

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 0
    assert not DBTaskResult.objects.exists()
