"""The shared shape of a sweep: due rows taken in batches, each batch locked for its own
transaction, so that several workers can sweep at once and each takes other rows.

On PostgreSQL a batch skips the rows another worker holds (`SKIP LOCKED`) instead of waiting
for them. SQLite has no row locks: its IMMEDIATE transactions (settings) let one writer in at
a time, and the next one sees the first one's work as done.
"""

from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime

from django.db import connection, models

from . import clock


def skip_locked[M: models.Model](rows: models.QuerySet[M]) -> models.QuerySet[M]:
    """`rows` locked for the caller's transaction, skipping those another worker holds."""
    if connection.features.has_select_for_update_skip_locked:
        return rows.select_for_update(skip_locked=True, of=("self",))
    return rows.select_for_update()  # SQLite: a no-op; the IMMEDIATE transaction serialises


def in_batches(run: Callable[[int], int], *, now: datetime | None, batch: int) -> int:
    """Call `run(batch)` (one transaction each) until a batch comes back short; `now`
    (aware) replaces the clock meanwhile. Returns how many rows were handled."""
    handled = 0
    with clock.frozen_at(now) if now is not None else nullcontext():
        while True:
            taken = run(batch)
            handled += taken
            # fewer than a batch: nothing due is left, or other workers hold the rest
            if taken < batch:
                return handled
