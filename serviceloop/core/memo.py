"""Reference data kept per process: read from the database at most every
REFERENCE_CACHE_SECONDS (decision 0006). Each app keeps one `ProcessCache` and connects its
`forget` to the post_save/post_delete of the models it copies, so a change made in this
process is seen at once and the other processes follow within REFERENCE_CACHE_SECONDS."""

import time
from collections.abc import Callable, Hashable
from typing import Any, cast

from django.conf import settings


class ProcessCache:
    def __init__(self) -> None:
        self._values: dict[Hashable, tuple[float, Any]] = {}

    def get[T](self, key: Hashable, load: Callable[[], T]) -> T:
        """The value under `key`, loaded again when older than REFERENCE_CACHE_SECONDS."""
        now = time.monotonic()
        hit = self._values.get(key)
        if hit is not None and now - hit[0] < settings.REFERENCE_CACHE_SECONDS:
            return cast(T, hit[1])
        value = load()
        self._values[key] = (now, value)
        return value

    def forget(self, **kwargs: object) -> None:
        """Drop every value (a signal receiver: takes and ignores the signal's arguments)."""
        self._values.clear()
