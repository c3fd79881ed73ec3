"""The periodic sweeps, in one list, and the scheduler that `serviceloop worker` runs.

Every SWEEP_SECONDS each sweep below is enqueued on the task queue. A sweep is a task that
finds what is due with one indexed query and is safe to run in several workers at once, so
that several workers enqueueing the same sweep is harmless. The tasks are named by their
dotted path: core depends on no domain app.
"""

import logging
import threading
from typing import Any, Protocol

from django.conf import settings
from django.tasks import TaskResultStatus
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# name -> dotted path of a task taking no arguments; a new periodic job adds a line.
SWEEPS: dict[str, str] = {
    "auto_close_resolved_tickets": "serviceloop.tickets.tasks.auto_close_resolved_tickets",
    "escalate_due_tickets": "serviceloop.sla.tasks.escalate_due_tickets",
    "route_waiting_tickets": "serviceloop.routing.tasks.route_waiting_tickets",
    "remind_commitments": "serviceloop.sla.tasks.remind_commitments",
    "miss_commitments": "serviceloop.sla.tasks.miss_commitments",
    "remind_waiting_customers": "serviceloop.tickets.tasks.remind_waiting",
    "resolve_unanswered_tickets": "serviceloop.tickets.tasks.resolve_unanswered",
    "deliver_due_webhooks": "serviceloop.webhooks.tasks.deliver_due_webhooks",
    "retry_customer_messages": "serviceloop.notifications.tasks.retry_customer_messages",
    "send_due_csat_requests": "serviceloop.satisfaction.tasks.send_due_csat_requests",
    "retry_nps_mails": "serviceloop.notifications.tasks.retry_nps_mails",
    "notify_overdue_follow_ups": "serviceloop.followups.tasks.notify_overdue_follow_ups",
    "refresh_analytics": "serviceloop.analytics.tasks.refresh_analytics",
    "send_digests": "serviceloop.reports.tasks.send_digests",
    "mark_delayed_plan_actions": "serviceloop.improvement.tasks.mark_delayed_plan_actions",
}


class Sweep(Protocol):
    """A task without arguments. Duck-typed: with the Redis backend `@task` makes the Task
    class of the django-tasks backport that django-tasks-rq is built on."""

    def enqueue(self) -> Any: ...


def sweep_tasks() -> dict[str, Sweep]:
    """The registered sweeps as tasks (ImportError names a wrong path at start-up)."""
    tasks: dict[str, Sweep] = {}
    for name, path in SWEEPS.items():
        candidate = import_string(path)
        if not callable(getattr(candidate, "enqueue", None)):
            raise TypeError(f"sweep {name!r}: {path} is not a task (decorate it with @task)")
        tasks[name] = candidate
    return tasks


class Scheduler:
    """Enqueues every sweep each SWEEP_SECONDS, skipping one whose previous run from this
    scheduler is still waiting in the queue (so a slow queue does not pile up copies)."""

    def __init__(self) -> None:
        self.tasks = sweep_tasks()
        self.pending: dict[str, Any] = {}  # name -> the TaskResult of its last enqueue
        self.stopped = threading.Event()

    def enqueue_due(self) -> list[str]:
        """Enqueue the sweeps; returns the names enqueued."""
        enqueued = []
        for name, sweep in self.tasks.items():
            previous = self.pending.get(name)
            if previous is not None and _still_waiting(previous):
                continue
            try:
                self.pending[name] = sweep.enqueue()
            except Exception:  # a queue outage must not end the scheduler; the next tick retries
                logger.exception("could not enqueue the sweep %s", name)
                continue
            enqueued.append(name)
        return enqueued

    def run(self) -> None:
        """Enqueue now and then every SWEEP_SECONDS until `stop()`."""
        while not self.stopped.is_set():
            self.enqueue_due()
            self.stopped.wait(settings.SWEEP_SECONDS)

    def stop(self) -> None:
        self.stopped.set()


def _still_waiting(result: Any) -> bool:
    try:
        result.refresh()
    except Exception:  # a backend without stored results: enqueue again
        return False
    return bool(result.status == TaskResultStatus.READY)
