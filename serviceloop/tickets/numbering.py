"""Ticket numbers: <PREFIX>-<YYYYMMDD>-<6 digits>, counted per day and never reused.

PostgreSQL hands out values from one sequence per day (created on first use by the
function of migration 0002): no row lock, so concurrent creations never queue on the
counter. SQLite, which lets one writer in at a time anyway, counts in a table row.
A rolled-back creation leaves a gap; a number is never handed out twice.
"""

import re
from datetime import date, datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import TicketNumberCounter

_COUNTERS = TicketNumberCounter._meta.db_table

NUMBER_PATTERN = re.compile(r"[A-Z][A-Z0-9]{0,9}-\d{8}-\d{6,}")


def format_number(day: date, value: int) -> str:
    return f"{settings.TICKET_NUMBER_PREFIX}-{day:%Y%m%d}-{value:06d}"


# PostgreSQL: the next value of the day's sequence (function of migration 0002); one
# parameter, the day. Other statements may embed it to save a round trip.
NEXT_VALUE_SQL = "serviceloop_next_ticket_number(%s)"


def next_number(at: datetime) -> str:
    """A fresh number for a ticket created at `at` (the day is read in settings.TIME_ZONE)."""
    day = timezone.localdate(at)
    return format_number(day, _next_value(day))


def _next_value(day: date) -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {NEXT_VALUE_SQL}", [day])
        else:
            cursor.execute(
                f"INSERT INTO {_COUNTERS} (day, last_value) VALUES (%s, 1)"  # noqa: S608
                " ON CONFLICT (day) DO UPDATE SET last_value = last_value + 1"
                " RETURNING last_value",
                [day],
            )
        row = cursor.fetchone()
    return int(row[0])


def advance_to(day: date, value: int) -> None:
    """Make sure the next number of `day` is above `value` (after a bulk import)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            name = f"ticket_number_{day:%Y%m%d}"
            cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}"')
            cursor.execute(
                "SELECT setval(%s::regclass, GREATEST(%s, COALESCE(last_value, 0))) FROM "
                "pg_sequences WHERE schemaname = current_schema() AND sequencename = %s",
                [name, value, name],
            )
        else:
            cursor.execute(
                f"INSERT INTO {_COUNTERS} (day, last_value) VALUES (%s, %s)"  # noqa: S608
                " ON CONFLICT (day) DO UPDATE"
                " SET last_value = MAX(last_value, excluded.last_value)",
                [day, value],
            )
