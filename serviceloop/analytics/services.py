"""Keeping the facts and rollups current: the use cases of the analytics app."""

from django.db import connection, transaction

from . import facts
from .models import StaleTicket

CLAIM = 2000


def refresh_stale(limit: int = 50) -> int:
    """Compute again the facts of the tickets marked stale, then the rollups of their days.
    Safe to run in several workers at once: each claims its tickets (`SKIP LOCKED`), and the
    rollups of a day are rebuilt by one at a time. Returns how many tickets were refreshed."""
    done = 0
    for _ in range(limit):
        with transaction.atomic():
            ids = _claim(CLAIM)
            if not ids:
                break
            facts.refresh(ids)
        done += len(ids)
    while facts.rebuild_stale_days():
        pass
    return done


def _claim(limit: int) -> list[int]:
    table = StaleTicket._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE ticket_id IN ("  # noqa: S608
                f"SELECT ticket_id FROM {table} LIMIT %s FOR UPDATE SKIP LOCKED"
                ") RETURNING ticket_id",
                [limit],
            )
            return [row[0] for row in cursor.fetchall()]
    ids = list(StaleTicket.objects.values_list("ticket_id", flat=True)[:limit])
    StaleTicket.objects.filter(ticket_id__in=ids).delete()
    return ids


def rebuild() -> int:
    """Every fact and rollup again, from the tickets. Returns the number of tickets."""
    StaleTicket.objects.all().delete()
    return facts.rebuild_all()
