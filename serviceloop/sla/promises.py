"""The promise sweeps (关键承诺): before its due time the owner of an open promise is
reminded, once; at its due time an open promise is missed and its owner and the ticket
team's supervisors are told at once, so that the customer hears why and when instead.

Set-based and safe in several workers at once, like every sweep (core.batches); the
promises change through the ticket use cases, and the bell rings in the same transaction.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from serviceloop.accounts.queries import supervisors_by_team
from serviceloop.core import clock
from serviceloop.core.batches import in_batches, skip_locked
from serviceloop.inbox.models import Kind as NotificationKind
from serviceloop.inbox.services import notify
from serviceloop.tickets import services as ticket_services
from serviceloop.tickets.choices import CommitmentStatus
from serviceloop.tickets.models import Commitment


def _promise_params(commitment: Commitment) -> dict[str, str]:
    return {"text": commitment.text, "due_at": commitment.due_at.isoformat()}


def remind_commitment_owners(*, now: datetime | None = None, batch: int = 500) -> int:
    """Remind the owner of each open promise that falls due within the next
    COMMITMENT_REMIND_MINUTES (and is not yet due), once: `reminded_at` is stamped, the
    reminder audited as the system's, and the owner notified (Kind.COMMITMENT_DUE).
    Returns how many owners this call reminded."""
    return in_batches(_remind_batch, now=now, batch=batch)


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
    promises = list(skip_locked(due.select_related("owner", "ticket")).order_by("due_at")[:batch])
    for promise in promises:
        ticket_services.mark_commitment_reminded(commitment=promise)
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
    return in_batches(_miss_batch, now=now, batch=batch)


@transaction.atomic
def _miss_batch(batch: int) -> int:
    due = Commitment.objects.filter(
        status=CommitmentStatus.OPEN, due_at__lte=clock.now()
    )  # commitment_open_due
    promises = list(skip_locked(due.select_related("owner", "ticket")).order_by("due_at")[:batch])
    supervisors = supervisors_by_team(promise.ticket.team_id for promise in promises)
    for promise in promises:
        ticket_services.miss_commitment(commitment=promise, actor=None)
        notify(
            [promise.owner, *supervisors.get(promise.ticket.team_id or 0, [])],
            kind=NotificationKind.COMMITMENT_MISSED,
            ticket=promise.ticket,
            params=_promise_params(promise),
            urgent=True,
        )
    return len(promises)
