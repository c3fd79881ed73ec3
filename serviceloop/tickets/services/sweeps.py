"""Periodic sweeps over tickets, run by `serviceloop worker` (see core.schedule).

Each sweep is set-based: one indexed query finds what is due, never a loop over all open
tickets. Each is safe to run in several workers at once: due rows are taken in batches,
locked for the batch's transaction; on PostgreSQL `SKIP LOCKED` lets a second worker take
other rows instead of waiting, on SQLite the IMMEDIATE transactions (settings) let one writer
in at a time, and the second sees the first one's work as done.
"""

from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import translation
from django.utils.translation import ngettext

from serviceloop.accounts.queries import supervisors_by_team
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.customers.language import language_of
from serviceloop.inbox.models import Kind as NotificationKind
from serviceloop.inbox.services import notify

from ..choices import CommitmentStatus, Status
from ..models import Commitment, Ticket
from .commitments import miss_commitment
from .lifecycle import apply_status

Row = TypeVar("Row", bound=models.Model)


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


# --- the shared shape: batches of due rows, locked, each worker taking others' leftovers ----


def _locked(due: "models.QuerySet[Row]", *, order_by: str, batch: int) -> list[Row]:
    """The first `batch` rows of `due`, locked for the caller's transaction; on PostgreSQL
    rows another worker holds are skipped, not waited for."""
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    else:
        due = due.select_for_update()  # SQLite: no-op; the IMMEDIATE transaction serialises
    return list(due.order_by(order_by)[:batch])


def _in_batches(run: Callable[[int], int], *, now: datetime | None, batch: int) -> int:
    """Call `run(batch)` (one transaction each) until a batch comes back short; `now`
    (aware) replaces the clock. Returns how many rows were handled."""
    handled = 0
    with clock.frozen_at(now) if now is not None else nullcontext():
        while True:
            taken = run(batch)
            handled += taken
            # fewer than a batch: nothing due is left, or other workers hold the rest
            if taken < batch:
                return handled


def _promise_params(commitment: Commitment) -> dict[str, str]:
    return {"text": commitment.text, "due_at": commitment.due_at.isoformat()}


# --- promises (关键承诺) ----------------------------------------------------------------------


def remind_commitment_owners(*, now: datetime | None = None, batch: int = 500) -> int:
    """Remind the owner of each open promise that falls due within the next
    COMMITMENT_REMIND_MINUTES (and is not yet due), once: `reminded_at` is stamped, the
    reminder audited as the system's, and the owner notified (Kind.COMMITMENT_DUE).
    Returns how many owners this call reminded."""
    return _in_batches(_remind_batch, now=now, batch=batch)


@transaction.atomic
def _remind_batch(batch: int) -> int:
    now = clock.now()
    window = timedelta(minutes=settings.COMMITMENT_REMIND_MINUTES)
    due = Commitment.objects.filter(
        status=CommitmentStatus.OPEN,
        reminded_at__isnull=True,
        due_at__gt=now,
        due_at__lte=now + window,
    )  # commitment_remind_due
    promises = _locked(due.select_related("owner", "ticket"), order_by="due_at", batch=batch)
    for promise in promises:
        promise.reminded_at = now
        promise.save(update_fields=["reminded_at"])
        audit.record(
            actor=None,
            action="commitment.reminded",
            target=promise,
            after={"reminded_at": now, "due_at": promise.due_at},
        )
        notify(
            [promise.owner],
            kind=NotificationKind.COMMITMENT_DUE,
            ticket=promise.ticket,
            params=_promise_params(promise),
        )
    return len(promises)


def miss_overdue_commitments(*, now: datetime | None = None, batch: int = 500) -> int:
    """Mark each open promise whose due time has passed as missed (miss_commitment, by the
    system) and tell its owner and the ticket team's supervisors at once (urgent
    Kind.COMMITMENT_MISSED): the ticket page then asks to tell the customer and agree a new
    time. Returns how many promises this call marked missed."""
    return _in_batches(_miss_batch, now=now, batch=batch)


@transaction.atomic
def _miss_batch(batch: int) -> int:
    due = Commitment.objects.filter(
        status=CommitmentStatus.OPEN, due_at__lte=clock.now()
    )  # commitment_open_due
    promises = _locked(due.select_related("owner", "ticket"), order_by="due_at", batch=batch)
    supervisors = supervisors_by_team(promise.ticket.team_id for promise in promises)
    for promise in promises:
        miss_commitment(commitment=promise, actor=None)
        notify(
            [promise.owner, *supervisors.get(promise.ticket.team_id or 0, [])],
            kind=NotificationKind.COMMITMENT_MISSED,
            ticket=promise.ticket,
            params=_promise_params(promise),
            urgent=True,
        )
    return len(promises)


# --- waiting on the customer ---------------------------------------------------------------


def remind_waiting_customers(*, now: datetime | None = None, batch: int = 500) -> int:
    """Remind, once, each customer whose ticket has waited on them for more than
    WAITING_REMINDER_DAYS: `waiting_reminded_at` is stamped and "ticket.customer_reminded"
    audited as the system's (the mail goes out from that event). A reply, or any other
    status change, ends the wait and the next wait counts afresh. Returns how many."""
    return _in_batches(_remind_waiting_batch, now=now, batch=batch)


@transaction.atomic
def _remind_waiting_batch(batch: int) -> int:
    now = clock.now()
    days = settings.WAITING_REMINDER_DAYS
    due = Ticket.objects.filter(
        status=Status.WAITING_CUSTOMER,
        waiting_since__lt=now - timedelta(days=days),
        waiting_reminded_at__isnull=True,
    )  # ticket_waiting_due
    tickets = _locked(due, order_by="waiting_since", batch=batch)
    for ticket in tickets:
        ticket.waiting_reminded_at = now
        ticket.save(update_fields=["waiting_reminded_at"])
        audit.record(
            actor=None,
            action="ticket.customer_reminded",
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
    return _in_batches(_resolve_waiting_batch, now=now, batch=batch)


@transaction.atomic
def _resolve_waiting_batch(batch: int) -> int:
    days = settings.WAITING_RESOLVE_DAYS
    due = Ticket.objects.filter(
        status=Status.WAITING_CUSTOMER, waiting_since__lt=clock.now() - timedelta(days=days)
    )  # ticket_waiting_due
    tickets = _locked(due.select_related("customer"), order_by="waiting_since", batch=batch)
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
