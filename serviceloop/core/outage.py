"""When the database (or Redis) cannot be reached: telling such an error from a bug, waiting
with a growing pause, and the 503 the web answers meanwhile.

A PostgreSQL restart breaks every open connection; Django keeps a broken connection until
something closes it. The worker closes its connections and tries again after 0.5 s, 1 s,
2 s, 4 s, then every 5 s (`Backoff`); the web answers 503 with `Retry-After` for as long as
it lasts (core.middleware.DatabaseUnavailable), and the next request connects afresh.
"""

import logging
from typing import Final

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("serviceloop.outage")

RETRY_AFTER_SECONDS: Final = 5  # what a 503 tells the client to wait

TITLE = _("Service unavailable")
DETAIL = _("The service cannot reach its database for a moment. Please try again in a few seconds.")

# SQLSTATEs of a lost or refused connection: class 08 (connection exception), and the
# server shutting down, crashing or starting up (57P01-57P03)
_CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")
# SQLite's primary result codes of a database that cannot be used for now: busy (locked by
# a writer beyond the timeout), cannot open the file, disk I/O error
_SQLITE_UNAVAILABLE = {5: "SQLITE_BUSY", 14: "SQLITE_CANTOPEN", 10: "SQLITE_IOERR"}


def is_outage(error: BaseException) -> bool:
    """True for an error that says the database or Redis cannot be reached (refused, lost,
    shutting down, starting up), not that a statement is wrong: waiting helps with these."""
    if isinstance(error, InterfaceError):  # a connection Django or the driver closed
        return True
    if isinstance(error, OperationalError):
        cause = error.__cause__
        state = getattr(cause, "sqlstate", False)
        if state is not False:  # psycopg: None is a client-side error (refused, lost)
            return state is None or str(state).startswith(_CONNECTION_STATES)
        code = getattr(cause, "sqlite_errorcode", None)
        return isinstance(code, int) and code & 0xFF in _SQLITE_UNAVAILABLE
    return _is_redis_outage(error)


def _is_redis_outage(error: BaseException) -> bool:
    try:
        import redis
    except ImportError:  # pragma: no cover - redis comes with django-rq
        return False
    return isinstance(error, (redis.ConnectionError, redis.TimeoutError))


class Backoff:
    """Pauses between attempts: `first` seconds, doubled each time up to `cap`."""

    def __init__(self, first: float = 0.5, cap: float = 5.0) -> None:
        self.first, self.cap = first, cap
        self.attempts = 0

    def next(self) -> float:
        delay = min(self.cap, self.first * 2.0**self.attempts)
        self.attempts += 1
        return delay

    def reset(self) -> None:
        self.attempts = 0


def close_connections() -> None:
    """Close this thread's database connections, broken ones included (the next query
    connects afresh)."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except DatabaseError:  # closing a connection the server dropped may complain
            connection.connection = None


def first_line(error: BaseException) -> str:
    """`Type: the first line of the message`, for a log line without a traceback."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"


def unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """The 503 of a database outage: a short page (plain text for a client that does not
    take HTML), `Retry-After`; logged as one warning line, not as a server error."""
    logger.warning(
        "database unavailable: %s %s answered 503 (%s)",
        request.method, request.path, first_line(error),
    )  # fmt: skip
    if "text/html" in request.headers.get("Accept", ""):
        body = format_html(
            '<!doctype html><html lang="{}"><meta charset="utf-8"><title>{}</title>'
            "<h1>{}</h1><p>{}</p></html>\n",
            get_language() or "en", TITLE, TITLE, DETAIL,
        )  # fmt: skip
        response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    else:
        response = HttpResponse(
            f"{TITLE}\n{DETAIL}\n", status=503, content_type="text/plain; charset=utf-8"
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # type: ignore[attr-defined]  # not again as an error
    return response
