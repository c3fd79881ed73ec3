"""Plan codes: IP-<YYYY>-<3 digits or more>, counted per year, never reused.

One counter row per year, bumped by a single upsert that returns the new value (as the
feedback numbers). Plans are few, so the row lock a PostgreSQL upsert holds until the
creating transaction ends costs nothing; a rolled-back creation rolls its number back too.
"""

from datetime import datetime

from django.db import connection
from django.utils import timezone

from .models import PlanNumberCounter

PREFIX = "IP"
_COUNTERS = PlanNumberCounter._meta.db_table


def format_code(year: int, value: int) -> str:
    return f"{PREFIX}-{year:04d}-{value:03d}"


def next_code(at: datetime) -> str:
    """A fresh code for a plan created at `at` (the year in settings.TIME_ZONE). Call inside
    the creating transaction."""
    year = timezone.localdate(at).year
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_COUNTERS} (year, last_value) VALUES (%s, 1)"  # noqa: S608
            f" ON CONFLICT (year) DO UPDATE SET last_value = {_COUNTERS}.last_value + 1"
            " RETURNING last_value",
            [year],
        )
        row = cursor.fetchone()
    return format_code(year, int(row[0]))
