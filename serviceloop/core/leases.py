"""A task whose worker died (kill -9, out of memory, the machine lost) goes back to the queue.

The database queue marks a task RUNNING when a worker claims it and never looks at it again:
a worker that dies leaves it RUNNING for ever. Every worker renews a lease with its
heartbeat (core.health.beat, TASK_LEASE_SECONDS long); a RUNNING task that started more
than TASK_LEASE_SECONDS ago and whose worker's lease has lapsed is READY again, and the next
worker runs it. A task that MAX_ATTEMPTS workers died running is failed instead (it may be
what kills them).

Running a task again is safe because every task is: a sweep finds what is still due, and a
side effect is claimed row by row before it happens (notifications.Delivery,
webhooks.Delivery), so a mail that went out before the worker died is not sent again.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.tasks import TaskResultStatus
from django.utils import timezone

from . import health

logger = logging.getLogger("serviceloop.leases")

MAX_ATTEMPTS = 3


class WorkerLost(Exception):
    """Recorded as the error of a task its workers died running MAX_ATTEMPTS times."""


@dataclass(frozen=True)
class Abandoned:
    id: str
    task_path: str
    worker_id: str
    requeued: bool  # False: failed after MAX_ATTEMPTS


def requeue_abandoned(*, batch: int = 100) -> list[Abandoned]:
    """Put the database queue's abandoned tasks back (or fail them); returns what was done.

    The query reads the RUNNING rows that started before the lease (a scan of the task
    table, which `prune_db_task_results` keeps short); the worker runs it every half lease,
    at most once a minute."""
    from django_tasks_db.models import DBTaskResult

    lease = settings.TASK_LEASE_SECONDS
    now = timezone.now()
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - timedelta(seconds=lease)
    ).order_by("started_at")
    done = []
    for pk, path, workers, started_at in running.values_list(
        "id", "task_path", "worker_ids", "started_at"
    )[:batch]:
        worker_id = str(workers[-1]) if workers else ""
        if worker_id and health.is_alive(worker_id):
            continue  # a long task of a live worker
        same_run = DBTaskResult.objects.filter(
            pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at
        )
        if len(workers) >= MAX_ATTEMPTS:
            changed = same_run.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"WorkerLost: {len(workers)} workers died running this task\n",
            )
        else:
            changed = same_run.update(status=TaskResultStatus.READY, started_at=None)
        if not changed:  # finished meanwhile, or another worker took it back first
            continue
        requeued = len(workers) < MAX_ATTEMPTS
        logger.warning(
            "task %s (%s) %s: its worker %s has not been heard of for %d s",
            pk, path, "back in the queue" if requeued else "failed", worker_id or "?", lease,
        )  # fmt: skip
        done.append(Abandoned(str(pk), path, worker_id, requeued))
    return done


def requeue(task_id: str) -> bool:
    """Put back one task this worker left RUNNING when the database went away under it."""
    from django_tasks_db.models import DBTaskResult

    changed = DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None
    )
    return bool(changed)
