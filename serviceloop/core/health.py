"""Is it up, can it work: the probes of `/healthz`, `/readyz` and `serviceloop worker --check`,
and the workers' heartbeat.

- `/healthz`: the process answers (200); it touches nothing else, so a database outage does
  not get the web processes restarted.
- `/readyz`: the database and the task queue answer (200), else 503 with `Retry-After`: a
  load balancer sends no traffic meanwhile.
- Every worker writes a heartbeat to the cache (two keys every few seconds): `--check` says
  when a worker was last seen, and a task whose worker is no longer heard of goes back to the
  queue (core.leases).

Neither endpoint needs a sign-in, and neither logs its answer as an error.
"""

import logging
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.views import defaults
from django.views.decorators.http import require_safe

from .outage import RETRY_AFTER_SECONDS, close_connections, first_line, is_outage, unavailable

logger = logging.getLogger("serviceloop.health")

WORKER_KEY: Final = "serviceloop:worker:{}"  # one per worker: its lease (core.leases)
LAST_BEAT_KEY: Final = "serviceloop:worker:last-beat"  # any worker: for --check
LAST_BEAT_KEPT: Final = 7 * 24 * 3600


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str  # what was reached, or why not


def check_database() -> Check:
    """One `SELECT 1` on the default database (a broken connection is replaced first)."""
    where = _database_label()
    try:
        connection.close_if_unusable_or_obsolete()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        close_connections()
        return Check("database", False, f"{where} unreachable: {first_line(error)}")
    return Check("database", True, f"{where} reachable")


def check_queue() -> Check:
    """The default task backend's store answers: the task table of the database queue, or
    Redis for RQ; the immediate backend has none."""
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    module = type(backend).__module__
    try:
        if module.startswith("django_tasks_db."):
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.filter(status="READY").exists()
            return Check("queue", True, "database queue reachable")
        if module.startswith("django_tasks_rq."):
            import django_rq

            redis = django_rq.get_connection(next(iter(backend.queues)))
            redis.ping()
            address = redis.connection_pool.connection_kwargs
            where = f"{address.get('host', '?')}:{address.get('port', '?')}/{address.get('db', 0)}"
            return Check("queue", True, f"Redis queue at {where} reachable")
    except DatabaseError as error:
        close_connections()
        return Check("queue", False, f"{type(backend).__name__} unreachable: {first_line(error)}")
    except Exception as error:
        if not is_outage(error):  # Redis refused or timed out; anything else is a bug
            raise
        return Check("queue", False, f"{type(backend).__name__} unreachable: {first_line(error)}")
    return Check("queue", True, f"no queue ({type(backend).__name__} runs tasks where enqueued)")


def _database_label() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite {db['NAME']}"
    host, port = db.get("HOST") or "localhost", db.get("PORT") or 5432
    return f"{connection.vendor} {host}:{port}/{db['NAME']}"


# --- the workers' heartbeat -------------------------------------------------------------------


def beat_seconds() -> float:
    """How often a worker beats: three times a lease, at least every 10 s."""
    return max(0.2, min(10.0, settings.TASK_LEASE_SECONDS / 3))


def beat(worker_id: str) -> None:
    """This worker is alive: its own key lives TASK_LEASE_SECONDS, the shared one a week."""
    now = time.time()
    cache.set(WORKER_KEY.format(worker_id), now, timeout=settings.TASK_LEASE_SECONDS)
    cache.set(LAST_BEAT_KEY, now, timeout=LAST_BEAT_KEPT)


def forget(worker_id: str) -> None:
    """A worker that stops says so: its tasks need not wait for its lease."""
    cache.delete(WORKER_KEY.format(worker_id))


def is_alive(worker_id: str) -> bool:
    return cache.get(WORKER_KEY.format(worker_id)) is not None


def last_beat() -> float | None:
    """When a worker last wrote its heartbeat (time.time()), or None."""
    value = cache.get(LAST_BEAT_KEY)
    return float(value) if isinstance(value, (int, float)) else None


# --- the views ------------------------------------------------------------------------------


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up (no database, no cache)."""
    return _json({"status": "ok"}, status=200)


@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """The database and the task queue answer: 200; else 503 with Retry-After."""
    checks = [check_database(), check_queue()]
    ready = all(check.ok for check in checks)
    body = {
        "status": "ready" if ready else "unavailable",
        "checks": {check.name: "ok" if check.ok else "unreachable" for check in checks},
    }
    if ready:
        return _json(body, status=200)
    logger.warning("not ready: %s", "; ".join(c.detail for c in checks if not c.ok))
    response = _json(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _json(body: Mapping[str, object], *, status: int) -> HttpResponse:
    response = JsonResponse(dict(body), status=status)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # type: ignore[attr-defined]  # a probe's answer, not an error
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an outage that surfaced outside a view (a middleware reading the session
    of a signed-in user) is a 503 like the views' (core.middleware.DatabaseUnavailable);
    anything else is Django's 500 page."""
    error = sys.exc_info()[1]
    if error is not None and is_outage(error):
        return unavailable(request, error)
    return defaults.server_error(request)
