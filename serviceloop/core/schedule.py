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
from django.db import close_old_connections
from django.tasks import TaskResultStatus
from django.utils.module_loading import import_string

from .outage import Backoff, close_connections, first_line, is_outage

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
    scheduler is still waiting in the queue (so a slow queue does not pile up copies).

    When the queue cannot be reached (the database or Redis is down or restarting), the
    tick stops at the first sweep that fails and is tried again after 0.5 s, 1 s, 2 s, 4 s,
    then every 5 s, until it goes through: the sweeps resume as soon as the queue is back."""

    def __init__(self) -> None:
        self.tasks = sweep_tasks()
        self.pending: dict[str, Any] = {}  # name -> the TaskResult of its last enqueue
        self.stopped = threading.Event()
        self.outage: BaseException | None = None  # why the last tick stopped short

    def enqueue_due(self) -> list[str]:
        """Enqueue the sweeps; returns the names enqueued. An outage of the queue stops the
        tick (and is kept in `outage`); another error is logged and skips that sweep."""
        self.outage = None
        enqueued = []
        for name, sweep in self.tasks.items():
            previous = self.pending.get(name)
            try:
                if previous is not None and _still_waiting(previous):
                    continue
                self.pending[name] = sweep.enqueue()
            except Exception as error:
                if is_outage(error):
                    self.outage = error
                    break
                logger.exception("could not enqueue the sweep %s", name)
                continue
            enqueued.append(name)
        return enqueued

    def run(self) -> None:
        """Enqueue now and then every SWEEP_SECONDS until `stop()`; after an outage, again
        and again with a growing pause until the queue answers."""
        backoff = Backoff()
        while not self.stopped.is_set():
            close_old_connections()  # a connection broken by a restart is not reused
            self.enqueue_due()
            if self.outage is None:
                if backoff.attempts:
                    logger.warning("the queue is back: the sweeps are enqueued again")
                backoff.reset()
                self.stopped.wait(settings.SWEEP_SECONDS)
                continue
            close_connections()
            delay = backoff.next()
            logger.warning(
                "cannot enqueue the sweeps (%s); trying again in %.1f s",
                first_line(self.outage), delay,
            )  # fmt: skip
            self.stopped.wait(delay)

    def stop(self) -> None:
        self.stopped.set()


def _still_waiting(result: Any) -> bool:
    try:
        result.refresh()
    except Exception as error:  # a backend without stored results: enqueue again
        if is_outage(error):
            raise
        return False
    return bool(result.status == TaskResultStatus.READY)
