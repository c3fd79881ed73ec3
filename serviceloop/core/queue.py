"""Enqueueing a task on the paths every change takes (the receivers of
`audit.signals.committed`: a ticket's creation enqueues the customer's acknowledgement).

`enqueue(task, *args)` is `task.enqueue(*args)`, except with the database queue
(TASKS_BACKEND=database, django-tasks-db's `DatabaseBackend`): there the task's row goes in
through core.rows' kept INSERT instead of the ORM's `create`, which compiles its statement
afresh on every call (~0.3 ms of the ~0.5 ms an enqueue cost on the reference machine). The
row, its id, the signals (pre_save, post_save, `task_enqueued`) and the result are the ones
the backend itself makes; every other backend (Redis, immediate, the tests') enqueues as
usual.

`enqueue_with_change(task, *args)` is for receivers of `audit.signals.recorded`, inside the
change's transaction: on the database queue the task's row joins that transaction (queued
exactly when the change commits, never for one that rolls back, and no commit of its own);
on any other queue the task is enqueued once the transaction commits.
"""

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Expression
from django.tasks import Task, TaskResult
from django.tasks.signals import task_enqueued
from django.utils.json import normalize_json
from django_tasks_db.backend import DatabaseBackend

from . import rows


def enqueue[**P, R](task: Task[P, R], *args: P.args, **kwargs: P.kwargs) -> TaskResult[P, R]:
    backend = task.get_backend()
    if type(backend) is not DatabaseBackend:
        return task.enqueue(*args, **kwargs)
    backend.validate_task(task)
    task_id = backend._get_id()
    if isinstance(task_id, Expression):  # an id the database makes: the backend's own way
        return task.enqueue(*args, **kwargs)
    from django_tasks_db.models import DBTaskResult

    values: dict[str, Any] = {
        "id": task_id,
        "args_kwargs": normalize_json({"args": args, "kwargs": kwargs}),
        "priority": task.priority,
        "task_path": task.module_path,
        "queue_name": task.queue_name,
        "run_after": task.run_after,  # None: the backend's pre_save receiver makes it "any time"
        "backend_name": backend.alias,
    }  # what DatabaseBackend._task_to_db_task gives DBTaskResult.objects.create
    row: DBTaskResult[P, R] = DBTaskResult(**values)
    rows.insert_new(row)
    result: TaskResult[P, R] = row.task_result
    task_enqueued.send(type(backend), task_result=result)
    return result


def enqueue_with_change[**P, R](task: Task[P, R], *args: P.args, **kwargs: P.kwargs) -> None:
    if type(task.get_backend()) is DatabaseBackend:
        enqueue(task, *args, **kwargs)
    else:
        transaction.on_commit(partial(enqueue, task, *args, **kwargs), robust=True)
