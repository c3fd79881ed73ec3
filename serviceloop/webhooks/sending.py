"""Sending deliveries: claim due rows, POST them signed, record what came back.

Safe in several workers at once, and never two workers sending one row at the same time: a
worker claims a batch of due rows in a short transaction (on PostgreSQL `SELECT ... FOR
UPDATE SKIP LOCKED`, so a second worker takes other rows; on SQLite the IMMEDIATE
transactions take turns) and pushes their `next_attempt_at` past the time it needs to send
them all. Once that transaction commits, the rows are no longer due for anyone else, and the
worker sends them with no transaction open — a slow receiver never holds a database lock. If
the worker dies while sending, the claim runs out and another worker sends the row again:
delivery is at least once, and receivers drop repeats by the X-Serviceloop-Delivery id.
"""

import json
import logging
import random
from collections.abc import Sequence
from datetime import datetime, timedelta

import urllib3
from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet

from serviceloop.core import clock
from serviceloop.core.batches import skip_locked

from .models import Delivery, DeliveryStatus
from .signing import signature

logger = logging.getLogger(__name__)

BATCH = 20
USER_AGENT = "serviceloop-webhooks/1"
KEPT_ERROR_CHARS = 500
_http = urllib3.PoolManager(num_pools=20, maxsize=4)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure: the base doubled each time
    (30 s, 1 min, 2 min... by default), plus up to 10 % at random so that many deliveries
    failed together do not all come back in the same second."""
    seconds = settings.WEBHOOK_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    jitter = random.uniform(0, seconds / 10)  # noqa: S311 - spreading load, not a secret
    return timedelta(seconds=seconds + jitter)


def deliver_due(*, batch: int = BATCH) -> int:
    """Send every pending delivery that is due, in batches; returns how many were tried."""
    tried = 0
    while True:
        claimed = _claim(Delivery.objects.all(), batch=batch)
        for delivery in claimed:
            attempt(delivery)
        tried += len(claimed)
        if len(claimed) < batch:  # nothing due is left, or other workers hold the rest
            return tried


def deliver(uuids: Sequence[str]) -> int:
    """Send the named deliveries now if they are still pending and due (the task enqueued
    when they were queued); returns how many were tried. Any another worker holds is left
    to it."""
    tried = 0
    for start in range(0, len(uuids), BATCH):
        claimed = _claim(Delivery.objects.filter(uuid__in=uuids[start : start + BATCH]))
        for delivery in claimed:
            attempt(delivery)
        tried += len(claimed)
    return tried


def _claim(deliveries: QuerySet[Delivery], *, batch: int = BATCH) -> list[Delivery]:
    """Take up to `batch` due deliveries for this worker until it has had time to send them
    all (each POST waits at most WEBHOOK_TIMEOUT_SECONDS)."""
    with transaction.atomic():
        now = clock.now()
        due = deliveries.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        claimed = list(
            skip_locked(due.select_related("endpoint")).order_by("next_attempt_at")[:batch]
        )
        if claimed:
            held = timedelta(seconds=(settings.WEBHOOK_TIMEOUT_SECONDS + 1) * len(claimed) + 60)
            Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
                next_attempt_at=now + held
            )
    return claimed


def attempt(delivery: Delivery) -> bool:
    """POST one claimed delivery and record the outcome; True when it was delivered."""
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        # switched off since it was queued: kept as a dead letter, to retry once it is back
        _finish(delivery, status=DeliveryStatus.DEAD, code=None, error="endpoint inactive")
        return False
    code, error = post(
        url=endpoint.url,
        secret=endpoint.secret,
        delivery_id=str(delivery.uuid),
        event=delivery.event_name,
        payload=delivery.payload,
    )
    if code is not None and 200 <= code < 300:
        _finish(delivery, status=DeliveryStatus.DELIVERED, code=code, error="")
        return True
    logger.info("webhook delivery %s to endpoint %s failed: %s", delivery.uuid, endpoint.pk, error)
    if delivery.attempts + 1 >= settings.WEBHOOK_MAX_ATTEMPTS:
        _finish(delivery, status=DeliveryStatus.DEAD, code=code, error=error)
    else:
        _finish(delivery, status=DeliveryStatus.PENDING, code=code, error=error)
    return False


def body_of(payload: object) -> bytes:
    """The JSON body as sent (UTF-8, no spaces): the bytes the signature covers."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def post(
    *, url: str, secret: str, delivery_id: str, event: str, payload: object
) -> tuple[int | None, str]:
    """POST the signed payload; (HTTP status or None when none came back, error text)."""
    body = body_of(payload)
    timestamp = str(int(clock.now().timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Serviceloop-Event": event,
        "X-Serviceloop-Delivery": delivery_id,
        "X-Serviceloop-Timestamp": timestamp,
        "X-Serviceloop-Signature": signature(secret=secret, timestamp=timestamp, body=body),
    }
    try:
        response = _http.request(
            "POST",
            url,
            body=body,
            headers=headers,
            timeout=urllib3.Timeout(total=settings.WEBHOOK_TIMEOUT_SECONDS),
            retries=False,  # our own retries, with backoff, are in the database
            redirect=False,  # a redirect is an answer to fix at the endpoint, not to follow
            preload_content=False,
        )
    except urllib3.exceptions.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"[:KEPT_ERROR_CHARS]
    try:
        head = response.read(KEPT_ERROR_CHARS, decode_content=False)
    except urllib3.exceptions.HTTPError:
        head = b""
    finally:
        # the rest of a long answer is not read, so the connection cannot be reused
        response.close()
        response.release_conn()
    if 200 <= response.status < 300:
        return response.status, ""
    text = head.decode("utf-8", "replace")
    return response.status, f"HTTP {response.status}: {text}"[:KEPT_ERROR_CHARS]


def _finish(delivery: Delivery, *, status: str, code: int | None, error: str) -> None:
    """Record one attempt. Conditional on the row being as this worker claimed it, so that
    nothing another worker or an administrator did meanwhile is overwritten."""
    now = clock.now()
    values: dict[str, object] = {
        "status": status,
        "attempts": F("attempts") + 1,
        "last_status_code": code,
        "last_error": error,
    }
    if status == DeliveryStatus.DELIVERED:
        values["delivered_at"] = now
    elif status == DeliveryStatus.PENDING:
        values["next_attempt_at"] = _next_attempt(now, delivery.attempts + 1)
    Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=delivery.attempts
    ).update(**values)


def _next_attempt(now: datetime, attempts: int) -> datetime:
    return now + backoff(attempts)
