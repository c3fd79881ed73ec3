"""`serviceloop worker`: the task queue's worker and the scheduler of the periodic sweeps.

The queue is the one TASKS_BACKEND selects: the database queue of django-tasks-db or RQ on
Redis; with the immediate backend the sweeps simply run in this process. Start as many as
you like: each sweep is safe to run concurrently and a duplicate enqueue is harmless.
SIGTERM or SIGINT (Ctrl+C) lets the running task finish, then the worker exits.

The worker outlives its database: when PostgreSQL (or Redis) restarts, the queue loop and
the sweeps' thread close their broken connections and try again after 0.5 s, 1 s, 2 s, 4 s,
then every 5 s (core.outage), and carry on once it answers. A third thread writes the
worker's heartbeat and, with the database queue, puts the tasks of dead workers back into
the queue (core.leases). `--check` says whether the database and the queue answer.
"""

import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connections
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.tasks.backends.base import BaseTaskBackend
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from serviceloop.core import health, leases
from serviceloop.core.outage import Backoff, close_connections, first_line, is_outage
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
        parser.add_argument(
            "--check",
            action="store_true",
            help="exit 0 if the database and the queue answer, 1 if not; say when a worker "
            "was last seen",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            self.report_health()
            return
        burst, sweeps = options["burst"], not options["no_sweeps"]
        scheduler = Scheduler()
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        worker_id = get_random_string(32)
        queue = _queue_runner(backend, burst=burst, worker_id=worker_id)
        name = type(backend).__name__
        self.stdout.write(f"serviceloop worker: {name}, sweeps {sorted(scheduler.tasks)}")

        if burst:
            if isinstance(queue, DatabaseQueue):
                leases.requeue_abandoned()
            if sweeps:
                scheduler.enqueue_due()
            queue.run()
            return

        def stop(signum: int, frame: FrameType | None) -> None:
            logger.info("%s: stopping after the running task", signal.strsignal(signum))
            scheduler.stop()
            upkeep.stop()
            queue.stop()

        upkeep = Upkeep(worker_id, leases=isinstance(queue, DatabaseQueue))
        previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
        threads = [threading.Thread(target=_in_thread(upkeep.run), name="upkeep", daemon=True)]
        if sweeps:
            threads.append(
                threading.Thread(target=_in_thread(scheduler.run), name="sweeps", daemon=True)
            )
        try:
            for thread in threads:
                thread.start()
            queue.run()  # returns once stopped
        finally:
            scheduler.stop()
            upkeep.stop()
            for thread in threads:
                if thread.is_alive():
                    thread.join(timeout=30)
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write("serviceloop worker: stopped")

    def report_health(self) -> None:
        """Print what answers; exit 1 (CommandError) when the database or the queue does not."""
        checks = [health.check_database(), health.check_queue()]
        for check in checks:
            self.stdout.write(f"{check.name}: {check.detail}")
        self.stdout.write(f"worker: {_last_seen()}")
        down = [check.name for check in checks if not check.ok]
        if down:
            raise CommandError(f"not ready: the {' and the '.join(down)} cannot be reached")


def _last_seen() -> str:
    try:
        at = health.last_beat()
    except Exception as error:  # the cache is the database's table, or Redis: both may be down
        return f"unknown (the cache cannot be read: {first_line(error)})"
    if at is None:
        return "none seen yet"
    ago = max(0.0, time.time() - at)
    alive = ago <= 3 * health.beat_seconds()
    state = "running" if alive else "none running, it seems"
    return f"last seen {ago:.0f} s ago ({state})"


class Upkeep:
    """The worker's third thread: every few seconds its heartbeat (core.health.beat), and
    with the database queue every half lease the tasks of dead workers back in the queue."""

    def __init__(self, worker_id: str, *, leases: bool) -> None:
        self.worker_id = worker_id
        self.leases = leases
        self.stopped = threading.Event()
        self.failing = False

    def run(self) -> None:
        beat_every = health.beat_seconds()
        lease_every = max(beat_every, min(60.0, settings.TASK_LEASE_SECONDS / 2))
        next_lease = 0.0
        while not self.stopped.is_set():
            close_old_connections()
            try:
                health.beat(self.worker_id)
                if self.leases and time.monotonic() >= next_lease:
                    leases.requeue_abandoned()
                    next_lease = time.monotonic() + lease_every
            except Exception as error:
                close_connections()
                if not is_outage(error):
                    logger.exception("the worker's upkeep failed")
                elif not self.failing:
                    logger.warning("no heartbeat: %s", first_line(error))
                self.failing = True
            else:
                self.failing = False
            self.stopped.wait(beat_every)
        try:
            health.forget(self.worker_id)
        except Exception as error:
            logger.info("could not remove the heartbeat: %s", first_line(error))

    def stop(self) -> None:
        self.stopped.set()


class QueueRunner:
    """Works the queue until stopped; the immediate backend has none, so it only waits.

    `run` outlives outages of the queue's store: an error that says the database or Redis
    cannot be reached ends the inner loop (`work`), the connections are closed, and the
    loop starts again once the store answers (pauses of 0.5 s doubling up to 5 s)."""

    def __init__(self, backend: BaseTaskBackend, *, burst: bool) -> None:
        self.backend = backend
        self.burst = burst
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            why: str | None
            try:
                self.work()
            except Exception as error:
                if self.burst or not is_outage(error):
                    raise
                why = first_line(error)
            else:
                why = self.quit_unexpectedly()
                if why is None:
                    return
            if not self.wait_until_reachable(why):
                return

    def work(self) -> None:
        """The inner loop: returns when stopped (or, in burst mode, when the queue is empty)."""
        if not self.burst:
            self.stopped.wait()

    def quit_unexpectedly(self) -> str | None:
        """Why `work` returned although nobody stopped it; None: it was meant to."""
        return None

    def wait_until_reachable(self, why: str) -> bool:
        """Back off until the queue answers (True), or until stopped (False)."""
        backoff = Backoff()
        logger.warning("the queue stopped working: %s", why)
        while True:
            close_connections()
            delay = backoff.next()
            logger.warning("the queue cannot be reached; trying again in %.1f s", delay)
            if self.stopped.wait(delay):
                return False
            if self.reachable():
                logger.warning("the queue is reachable again: the worker carries on")
                self.resume()
                return True

    def reachable(self) -> bool:
        return health.check_queue().ok

    def resume(self) -> None:
        """Called once the queue answers again, before `work` starts again."""

    def stop(self) -> None:
        self.stopped.set()


class TrackingWorker(Worker):
    """django-tasks-db's worker, remembering the task it is running: when the database goes
    away during a task, that task is left RUNNING, and it is put back once the database
    returns (DatabaseQueue.resume)."""

    in_hand: str | None = None

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        self.in_hand = str(db_task_result.pk)
        super().run_task(db_task_result)  # raises when the result cannot be written
        self.in_hand = None


class DatabaseQueue(QueueRunner):
    def __init__(self, backend: BaseTaskBackend, *, burst: bool, worker_id: str) -> None:
        super().__init__(backend, burst=burst)
        self.worker = TrackingWorker(
            queue_names=sorted(backend.queues),
            interval=1,
            batch=burst,
            backend_name=backend.alias,
            startup_delay=not burst,  # several workers started together do not poll in step
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )

    def work(self) -> None:
        self.worker.run()

    def reachable(self) -> bool:
        return health.check_database().ok and health.check_queue().ok

    def resume(self) -> None:
        """The task the database went away under (neither its success nor its failure could
        be written) is run again: every task may run twice (core.leases)."""
        task_id, self.worker.in_hand = self.worker.in_hand, None
        if task_id is not None and leases.requeue(task_id):
            logger.warning("task %s was interrupted by the outage: back in the queue", task_id)

    def stop(self) -> None:
        super().stop()
        # the worker checks this between tasks and after each poll (at most a second)
        self.worker.running = False


class RedisQueue(QueueRunner):
    def __init__(self, backend: BaseTaskBackend, *, burst: bool) -> None:
        super().__init__(backend, burst=burst)
        self.worker = self._new_worker()

    def _new_worker(self) -> Any:
        import django_rq
        from django_tasks_rq import Job
        from rq import SimpleWorker

        class ConnectionClosingWorker(SimpleWorker):
            """RQ's SimpleWorker runs the tasks in this process (no fork beside the
            scheduler's thread); like a request, each task starts and ends by closing the
            database connections a restart broke (RQ does not)."""

            def execute_job(self, job: Any, queue: Any) -> Any:
                close_old_connections()
                try:
                    return super().execute_job(job, queue)
                finally:
                    close_old_connections()

        worker_class: Any = ConnectionClosingWorker  # django-rq's annotation wants rq.Worker
        return django_rq.get_worker(
            *sorted(self.backend.queues), job_class=Job, worker_class=worker_class
        )

    def work(self) -> None:
        # RQ installs its own SIGTERM/SIGINT handlers for the run (a warm shutdown); ours are
        # back once it returns. It waits out short Redis outages itself.
        self.worker.work(burst=self.burst, with_scheduler=False, logging_level="WARNING")

    def quit_unexpectedly(self) -> str | None:
        # RQ's own SIGTERM/SIGINT handler stopped it (a warm shutdown), or we did
        asked = getattr(self.worker, "_shutdown_requested_date", None) is not None
        if self.burst or self.stopped.is_set() or asked:
            self.stopped.set()
            return None
        return "RQ's worker quit (Redis timed out or failed)"

    def resume(self) -> None:
        self.worker = self._new_worker()

    # stop(): while RQ's worker runs, RQ's own handlers take SIGTERM and SIGINT (and
    # quit_unexpectedly sees that it was asked); ours, outside it, only set `stopped`:
    # RQ's request_stop would raise its StopRequested into our loop.


def _queue_runner(backend: BaseTaskBackend, *, burst: bool, worker_id: str) -> QueueRunner:
    module = type(backend).__module__
    if module.startswith("django_tasks_db."):
        return DatabaseQueue(backend, burst=burst, worker_id=worker_id)
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
