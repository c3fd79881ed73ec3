"""`serviceloop worker`: the task queue's worker and the scheduler of the periodic sweeps.

The queue is the one TASKS_BACKEND selects: the database queue of django-tasks-db or RQ on
Redis; with the immediate backend the sweeps simply run in this process. Start as many as
you like: each sweep is safe to run concurrently and a duplicate enqueue is harmless.
SIGTERM or SIGINT (Ctrl+C) lets the running task finish, then the worker exits.
"""

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connections
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.tasks.backends.base import BaseTaskBackend
from django.utils.crypto import get_random_string

from serviceloop.core.schedule import Scheduler

logger = logging.getLogger("serviceloop.worker")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Command(BaseCommand):
    help = "Run the background worker: the task queue and the periodic sweeps (SWEEP_SECONDS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--burst",
            action="store_true",
            help="enqueue the sweeps once, run every queued task, then exit (for cron)",
        )
        parser.add_argument(
            "--no-sweeps",
            action="store_true",
            help="only work the queue; another process enqueues the sweeps",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        burst, sweeps = options["burst"], not options["no_sweeps"]
        scheduler = Scheduler()
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        queue = _queue_runner(backend, burst=burst)
        name = type(backend).__name__
        self.stdout.write(f"serviceloop worker: {name}, sweeps {sorted(scheduler.tasks)}")

        if burst:
            if sweeps:
                scheduler.enqueue_due()
            queue.run()
            return

        def stop(signum: int, frame: FrameType | None) -> None:
            logger.info("%s: stopping after the running task", signal.strsignal(signum))
            scheduler.stop()
            queue.stop()

        previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
        thread = threading.Thread(target=_in_thread(scheduler.run), name="sweeps", daemon=True)
        try:
            if sweeps:
                thread.start()
            queue.run()  # returns once stopped
        finally:
            scheduler.stop()
            if thread.is_alive():
                thread.join(timeout=30)
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write("serviceloop worker: stopped")


class QueueRunner:
    """Works the queue until stopped; the immediate backend has none, so it only waits."""

    def __init__(self, backend: BaseTaskBackend, *, burst: bool) -> None:
        self.backend = backend
        self.burst = burst
        self.stopped = threading.Event()

    def run(self) -> None:
        if not self.burst:
            self.stopped.wait()

    def stop(self) -> None:
        self.stopped.set()


class DatabaseQueue(QueueRunner):
    def __init__(self, backend: BaseTaskBackend, *, burst: bool) -> None:
        super().__init__(backend, burst=burst)
        from django_tasks_db.management.commands.db_worker import Worker

        self.worker = Worker(
            queue_names=sorted(backend.queues),
            interval=1,
            batch=burst,
            backend_name=backend.alias,
            startup_delay=not burst,  # several workers started together do not poll in step
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )

    def run(self) -> None:
        self.worker.run()

    def stop(self) -> None:
        # the worker checks this between tasks and after each poll (at most a second)
        self.worker.running = False


class RedisQueue(QueueRunner):
    def __init__(self, backend: BaseTaskBackend, *, burst: bool) -> None:
        super().__init__(backend, burst=burst)
        import django_rq
        from django_tasks_rq import Job

        # SimpleWorker runs the tasks in this process: no fork beside the scheduler's thread
        self.worker = django_rq.get_worker(
            *sorted(backend.queues), job_class=Job, worker_class="rq.SimpleWorker"
        )

    def run(self) -> None:
        # RQ installs its own SIGTERM/SIGINT handlers for the run (a warm shutdown); ours are
        # back once it returns.
        self.worker.work(burst=self.burst, with_scheduler=False, logging_level="WARNING")

    def stop(self) -> None:
        self.worker.request_stop(signal.SIGTERM, None)


def _queue_runner(backend: BaseTaskBackend, *, burst: bool) -> QueueRunner:
    module = type(backend).__module__
    if module.startswith("django_tasks_db."):
        return DatabaseQueue(backend, burst=burst)
    if module.startswith("django_tasks_rq."):
        return RedisQueue(backend, burst=burst)
    return QueueRunner(backend, burst=burst)


def _in_thread(function: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            function()
        finally:
            connections.close_all()  # this thread's own connections

    return run
