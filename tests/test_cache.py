"""core.cache: the database cache's increments count every caller, however many come at
once (the rate limits rest on them), and keep the entry's expiry."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from tests.builders import at_once


@pytest.fixture
def empty_cache():
    """A transactional test does not empty the cache's table."""
    cache.clear()
    yield
    cache.clear()


def test_the_configured_cache_is_the_one_that_locks(settings):
    assert settings.CACHES["default"]["BACKEND"] in {
        "serviceloop.core.cache.DatabaseCache",
        "django.core.cache.backends.redis.RedisCache",  # atomic by itself
    }


@pytest.mark.django_db(transaction=True)
def test_increments_at_once_are_all_counted(empty_cache):
    cache.add("attempts", 0, 60)

    def count(_: int) -> list[int]:
        return [cache.incr("attempts") for _ in range(10)]

    seen = [value for values in at_once(count, count=8) for value in values]

    assert cache.get("attempts") == 80
    assert sorted(seen) == list(range(1, 81))  # no two callers were given the same count


@pytest.mark.django_db(transaction=True)
def test_an_increment_keeps_the_expiry_and_needs_the_key(empty_cache):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        cache.add("attempts", 1, 60)
        clock.shift(timedelta(seconds=50))
        assert cache.incr("attempts", 2) == 3
        assert cache.decr("attempts") == 2
        clock.shift(timedelta(seconds=15))  # 65 s after the add: gone, not renewed by incr

        assert cache.get("attempts") is None
        with pytest.raises(ValueError, match="not found"):
            cache.incr("attempts")
        with pytest.raises(ValueError, match="not found"):
            cache.incr("never-set")
