"""Feedback numbers: FB-<YYYYMMDD>-<4 digits or more>, counted per day, never reused.

One counter row per day, bumped by a single upsert that returns the new value, on SQLite
and PostgreSQL alike. On PostgreSQL the row stays locked until the registering transaction
ends, so two registrations on the same day take turns for that moment: fine for feedback
(a few hundred a day), where tickets needed lock-free sequences (decision 0001). A rolled
back registration rolls its number back too, so numbers have no gaps either.
"""

from datetime import date, datetime

from django.db import connection
from django.utils import timezone

from .models import FeedbackNumberCounter

PREFIX = "FB"
_COUNTERS = FeedbackNumberCounter._meta.db_table


def format_number(day: date, value: int) -> str:
    return f"{PREFIX}-{day:%Y%m%d}-{value:04d}"


def next_number(at: datetime) -> str:
    """A fresh number for an item registered at `at` (the day in settings.TIME_ZONE). Call
    inside the registering transaction."""
    day = timezone.localdate(at)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_COUNTERS} (day, last_value) VALUES (%s, 1)"  # noqa: S608
            f" ON CONFLICT (day) DO UPDATE SET last_value = {_COUNTERS}.last_value + 1"
            " RETURNING last_value",
            [day],
        )
        row = cursor.fetchone()
    return format_number(day, int(row[0]))
