"""Periodic sweeps over tickets, run by `serviceloop worker` (see core.schedule).

Each sweep is set-based: one indexed query finds what is due, never a loop over all open
tickets. Each is safe to run in several workers at once: due rows are taken in batches,
locked for the batch's transaction; on PostgreSQL `SKIP LOCKED` lets a second worker take
other rows instead of waiting, on SQLite the IMMEDIATE transactions (settings) let one writer
in at a time, and the second sees the first one's work as done.
"""

from contextlib import nullcontext
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from serviceloop.core import clock

from ..choices import Status
from ..models import Ticket
from .lifecycle import apply_status


def close_resolved_tickets(*, now: datetime | None = None, batch: int = 500) -> int:
    """Close the tickets resolved more than AUTO_CLOSE_DAYS ago and not reopened since.

    A reopen clears `resolved_at` and the next resolution stamps it again, so the days count
    from the last resolution. Each close goes through the status machine like a customer's
    confirmation, audited with no actor (the system). `now` (aware) replaces the clock, for
    the cut-off and the stamps. Returns how many tickets this call closed.
    """
    days = settings.AUTO_CLOSE_DAYS
    note = f"auto-closed {days} days after its resolution without a reopen"
    closed = 0
    with clock.frozen_at(now) if now is not None else nullcontext():
        cutoff = clock.now() - timedelta(days=days)
        while True:
            taken = _close_batch(cutoff=cutoff, batch=batch, note=note)
            closed += taken
            # fewer than a batch: nothing due is left, or other workers hold the rest
            if taken < batch:
                return closed


@transaction.atomic
def _close_batch(*, cutoff: datetime, batch: int, note: str) -> int:
    due = Ticket.objects.filter(
        status=Status.RESOLVED, resolved_at__lt=cutoff
    )  # ticket_resolved_due
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    else:
        due = due.select_for_update()  # SQLite: no-op; the IMMEDIATE transaction serialises
    tickets = list(due.order_by("resolved_at")[:batch])
    for ticket in tickets:
        apply_status(ticket, Status.CLOSED, actor=None, note=note)
    return len(tickets)
