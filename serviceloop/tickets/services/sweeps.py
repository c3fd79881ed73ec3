"""Periodic sweeps over tickets, run by `serviceloop worker` (see core.schedule).

Each sweep is set-based: one indexed query finds what is due, never a loop over all open
tickets. Each is safe to run in several workers at once (core.batches). The promise sweeps
(reminded, missed) are the sla app's (sla.promises): they ring the staff's bell.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import ngettext

from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.batches import in_batches, skip_locked
from serviceloop.customers.language import language_of

from .. import events
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
    return in_batches(_close_batch, now=now, batch=batch)


@transaction.atomic
def _close_batch(batch: int) -> int:
    days = settings.AUTO_CLOSE_DAYS
    due = Ticket.objects.filter(
        status=Status.RESOLVED, resolved_at__lt=clock.now() - timedelta(days=days)
    )  # ticket_resolved_due
    tickets = list(skip_locked(due).order_by("resolved_at")[:batch])
    for ticket in tickets:
        note = f"auto-closed {days} days after its resolution without a reopen"
        apply_status(ticket, Status.CLOSED, actor=None, note=note)
    return len(tickets)


# --- waiting on the customer ---------------------------------------------------------------


def remind_waiting_customers(*, now: datetime | None = None, batch: int = 500) -> int:
    """Remind, once, each customer whose ticket has waited on them for more than
    WAITING_REMINDER_DAYS: `waiting_reminded_at` is stamped and "ticket.customer_reminded"
    audited as the system's (the mail goes out from that event). A reply, or any other
    status change, ends the wait and the next wait counts afresh. Returns how many."""
    return in_batches(_remind_waiting_batch, now=now, batch=batch)


@transaction.atomic
def _remind_waiting_batch(batch: int) -> int:
    now = clock.now()
    days = settings.WAITING_REMINDER_DAYS
    due = Ticket.objects.filter(
        status=Status.WAITING_CUSTOMER,
        waiting_since__lt=now - timedelta(days=days),
        waiting_reminded_at__isnull=True,
    )  # ticket_waiting_due
    tickets = list(skip_locked(due).order_by("waiting_since")[:batch])
    for ticket in tickets:
        ticket.waiting_reminded_at = now
        ticket.save(update_fields=["waiting_reminded_at"])
        audit.record(
            actor=None,
            action=events.TICKET_CUSTOMER_REMINDED,
            target=ticket,
            after={"waiting_since": ticket.waiting_since, "days": days},
        )
    return len(tickets)


def auto_resolve_text(days: int, language: str) -> str:
    """The resolution summary of a ticket resolved for want of an answer, in `language`."""
    with translation.override(language):
        return ngettext(
            "Resolved automatically: no answer within %(days)d day.",
            "Resolved automatically: no answer within %(days)d days.",
            days,
        ) % {"days": days}


def resolve_unanswered_tickets(*, now: datetime | None = None, batch: int = 500) -> int:
    """Resolve each ticket that has waited on the customer for more than
    WAITING_RESOLVE_DAYS, through the status machine, by the system, with a resolution
    summary in the customer's language (else LANGUAGE_CODE). The customer can still reopen
    it by replying, and it auto-closes later like any resolved ticket. Returns how many."""
    return in_batches(_resolve_waiting_batch, now=now, batch=batch)


@transaction.atomic
def _resolve_waiting_batch(batch: int) -> int:
    days = settings.WAITING_RESOLVE_DAYS
    due = Ticket.objects.filter(
        status=Status.WAITING_CUSTOMER, waiting_since__lt=clock.now() - timedelta(days=days)
    )  # ticket_waiting_due
    tickets = list(skip_locked(due.select_related("customer")).order_by("waiting_since")[:batch])
    for ticket in tickets:
        language = language_of(ticket.customer, f"{ticket.subject}\n{ticket.description}")
        apply_status(
            ticket,
            Status.RESOLVED,
            actor=None,
            note=f"auto-resolved: no answer from the customer within {days} days",
            resolution=auto_resolve_text(days, language),
        )
    return len(tickets)
