"""The one clock. Everything that stamps a time asks `now()`; tests travel with time_machine.

The demo seeder replays 90 days of history by setting the clock for a block of code.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_frozen: ContextVar[datetime | None] = ContextVar("serviceloop_clock", default=None)


def now() -> datetime:
    return _frozen.get() or timezone.now()


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Make `now()` return `moment` inside the block (used to seed history)."""
    if timezone.is_naive(moment):
        raise ValueError("frozen_at needs an aware datetime")
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)
