"""Promises made to customers (关键承诺): record, keep, miss, renegotiate."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import User
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.errors import Conflict, DomainError, ValidationFailed

from .. import events
from ..choices import CommitmentStatus, Status
from ..models import Commitment, Ticket
from .lifecycle import lock_ticket
from .rules import check_assignee, require_worker

COMMITMENT_FIELDS = ("text", "due_at", "owner", "status", "reason")
HORIZON = timedelta(days=5 * 365)


def _check(text: str, due_at: datetime, owner: User, ticket: Ticket) -> str:
    errors: dict[str, Promise | str] = {}
    text = text.strip()
    if not text:
        errors["text"] = _("This field is required.")
    elif len(text) > 500:
        errors["text"] = _("Use at most 500 characters.")
    now = clock.now()
    if due_at <= now:
        errors["due_at"] = _("The due time must be in the future.")
    elif due_at > now + HORIZON:
        errors["due_at"] = _("Promise a time within the next five years.")
    if problem := check_assignee(owner, ticket.team):
        errors["owner"] = problem
    if errors:
        raise ValidationFailed(errors)
    return text


@transaction.atomic
def create_commitment(
    *, ticket: Ticket, actor: User, text: str, due_at: datetime, owner: User | None = None
) -> Commitment:
    """Record a promise to the customer; the owner (default: the actor) must keep it."""
    require_worker(actor)
    ticket = lock_ticket(ticket)  # decide on the ticket as it is now, not on the caller's copy
    if ticket.status == Status.CLOSED:
        raise Conflict(_("This ticket is closed; closed tickets cannot change."))
    owner = owner or actor
    text = _check(text, due_at, owner, ticket)
    commitment = Commitment.objects.create(
        ticket=ticket,
        text=text,
        due_at=due_at,
        owner=owner,
        created_by=actor,
        created_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action=events.COMMITMENT_CREATED,
        target=commitment,
        after=audit.snapshot(commitment, COMMITMENT_FIELDS),
    )
    return commitment


# The event of a promise settled, by the status it ends in.
_SETTLED = {
    CommitmentStatus.KEPT: events.COMMITMENT_KEPT,
    CommitmentStatus.MISSED: events.COMMITMENT_MISSED,
    CommitmentStatus.RENEGOTIATED: events.COMMITMENT_RENEGOTIATED,
}


def _settle(
    commitment: Commitment,
    *,
    to: CommitmentStatus,
    actor: User | None,
    allowed_from: tuple[str, ...],
    reason: str = "",
) -> Commitment:
    locked = (
        Commitment.objects.select_related("ticket__team", "owner")
        .select_for_update(of=("self",))
        .get(pk=commitment.pk)
    )
    if locked.status not in allowed_from:
        raise Conflict(_("This commitment is already settled."), current=locked.status)
    before = audit.snapshot(locked, ["status", "reason"])
    locked.status = to
    locked.reason = reason or locked.reason
    locked.settled_at = clock.now()
    locked.save(update_fields=["status", "reason", "settled_at"])
    before, after = audit.changed(before, audit.snapshot(locked, ["status", "reason"]))
    audit.record(actor=actor, action=_SETTLED[to], target=locked, before=before, after=after)
    return locked


@transaction.atomic
def keep_commitment(*, commitment: Commitment, actor: User) -> Commitment:
    """The promise was kept."""
    require_worker(actor)
    return _settle(
        commitment, to=CommitmentStatus.KEPT, actor=actor, allowed_from=(CommitmentStatus.OPEN,)
    )


@transaction.atomic
def miss_commitment(*, commitment: Commitment, actor: User | None) -> Commitment:
    """The due time passed without the promise kept (`actor` None: the SLA sweep)."""
    if actor is not None:
        require_worker(actor)
    return _settle(
        commitment, to=CommitmentStatus.MISSED, actor=actor, allowed_from=(CommitmentStatus.OPEN,)
    )


def mark_commitment_reminded(*, commitment: Commitment) -> None:
    """The owner of an open promise was reminded that it falls due soon (by the promise
    sweep, which holds the row locked): stamped once, audited as the system's."""
    now = clock.now()
    commitment.reminded_at = now
    commitment.save(update_fields=["reminded_at"])
    audit.record(
        actor=None,
        action=events.COMMITMENT_REMINDED,
        target=commitment,
        after={"reminded_at": now, "due_at": commitment.due_at},
    )


@transaction.atomic
def renegotiate_commitment(
    *, commitment: Commitment, actor: User, due_at: datetime, reason: str, text: str = ""
) -> Commitment:
    """Agree a new due time with the customer, telling them why; returns the new commitment.

    The old one ends as renegotiated (with the reason); the new one is open.
    """
    require_worker(actor)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give the reason the customer will be told."), field="reason")
    if lock_ticket(commitment.ticket).status == Status.CLOSED:
        raise Conflict(_("This ticket is closed; closed tickets cannot change."))
    if len(reason) > 2000:
        raise DomainError(_("Use at most 2,000 characters."), field="reason")
    old = _settle(
        commitment,
        to=CommitmentStatus.RENEGOTIATED,
        actor=actor,
        allowed_from=(CommitmentStatus.OPEN, CommitmentStatus.MISSED),
        reason=reason,
    )
    new_text = _check(text or old.text, due_at, old.owner, old.ticket)
    replacement = Commitment.objects.create(
        ticket=old.ticket,
        text=new_text,
        due_at=due_at,
        owner=old.owner,
        created_by=actor,
        renegotiated_from=old,
        created_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action=events.COMMITMENT_CREATED,
        target=replacement,
        after={**audit.snapshot(replacement, COMMITMENT_FIELDS), "renegotiated_from": old.pk},
        note=reason,
    )
    return replacement
