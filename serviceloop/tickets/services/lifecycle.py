"""Use cases that change a ticket: status, owner, team, urgency, details, merge."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import Team, User
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.errors import (
    Conflict,
    DomainError,
    NotPermitted,
    StaleVersion,
    ValidationFailed,
)

from .. import events, search, signals, transitions
from ..choices import CommitmentStatus, Kind, Status, Urgency
from ..custom_fields import clean_custom_fields
from ..errors import TransitionNotAllowed
from ..models import Commitment, Ticket
from ..queries import with_reference_data
from ..reference import catalogue
from .creation import MAX_DESCRIPTION
from .rules import check_assignee, require_worker

DETAIL_FIELDS = ("subject", "description", "kind", "category", "order_ref", "custom_fields")


def lock_ticket(ticket: Ticket, expected_version: int | None = None) -> Ticket:
    """Re-read `ticket` locked for this transaction; StaleVersion if someone changed it since
    the caller read `expected_version`."""
    locked = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("assignee", "customer")
        .get(pk=ticket.pk)
    )
    with_reference_data([locked])  # category and team from the catalogue
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(
            _("Someone else changed this ticket meanwhile. Reload it and try again."),
            current_version=locked.version,
        )
    return locked


def save_ticket(ticket: Ticket, fields: list[str]) -> None:
    """Save changed fields, bumping the version that conflicting edits are detected by."""
    ticket.version += 1
    ticket.updated_at = clock.now()
    ticket.save(update_fields=[*fields, "version", "updated_at"])


def _refuse_when_closed(ticket: Ticket) -> None:
    if ticket.status == Status.CLOSED:
        raise Conflict(_("This ticket is closed; closed tickets cannot change."))


def apply_status(
    ticket: Ticket, to: Status, *, actor: User | None, note: str = "", resolution: str | None = None
) -> None:
    """Move an already-locked ticket to `to` (the caller checked it is allowed): stamp the
    times, count a reopen, save and audit. Also used by replies that change the status."""
    fields = ["status", "resolution", "resolved_at", "closed_at", "reopen_count"]
    before = audit.snapshot(ticket, fields)
    previous = ticket.status
    reopen = transitions.is_reopen(ticket.status, to)
    if reopen:
        ticket.reopen_count += 1
        ticket.resolved_at = None
    if resolution is not None:
        ticket.resolution = resolution
    if to == Status.RESOLVED:
        ticket.resolved_at = clock.now()  # the last resolution counts
    if to == Status.CLOSED:
        ticket.closed_at = clock.now()
    ticket.status = to
    # The waiting sweeps count from entering waiting_customer; leaving it resets them.
    waiting: list[str] = []
    if (previous == Status.WAITING_CUSTOMER) != (to == Status.WAITING_CUSTOMER):
        waiting = ["waiting_since", "waiting_reminded_at"]
        ticket.waiting_since = clock.now() if to == Status.WAITING_CUSTOMER else None
        ticket.waiting_reminded_at = None
    before, after = audit.changed(before, audit.snapshot(ticket, fields))
    save_ticket(ticket, [*after, *waiting])
    audit.record(
        actor=actor,
        action=events.TICKET_REOPENED if reopen else events.TICKET_TRANSITIONED,
        target=ticket,
        before=before,
        after=after,
        note=note,
    )
    signals.status_changed.send(Ticket, ticket=ticket, previous=previous, at=ticket.updated_at)


def apply_assignee(
    ticket: Ticket, assignee: User | None, *, actor: User | None, note: str = ""
) -> None:
    """Give an already-locked ticket to `assignee` (None: back to the team queue), saved and
    audited; the caller checked that it may (assign_ticket, routing's rule, escalation).
    `actor` None is the system."""
    before = audit.snapshot(ticket, ["assignee"])
    ticket.assignee = assignee
    save_ticket(ticket, ["assignee"])
    audit.record(
        actor=actor, action=events.TICKET_ASSIGNED, target=ticket, before=before,
        after=audit.snapshot(ticket, ["assignee"]), note=note,
    )  # fmt: skip


def apply_urgency(ticket: Ticket, urgency: str, *, actor: User | None, note: str = "") -> None:
    """Set the urgency of an already-locked ticket (the SLA targets follow), saved and
    audited; the caller checked that it may (change_urgency, escalation). `actor` None is
    the system."""
    before = {"urgency": ticket.urgency}
    ticket.urgency = urgency
    save_ticket(ticket, ["urgency"])
    signals.targets_changed.send(Ticket, ticket=ticket)
    audit.record(
        actor=actor, action=events.TICKET_URGENCY_CHANGED, target=ticket, before=before,
        after={"urgency": urgency}, note=note,
    )  # fmt: skip


@transaction.atomic
def transition_ticket(
    *,
    ticket: Ticket,
    to: str,
    actor: User,
    resolution: str = "",
    reason: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Change the status along the machine of `transitions`.

    Resolving needs `resolution` (the summary the customer sees); reopening needs `reason`.
    Customers may only confirm (close) or reopen a resolved ticket.
    """
    is_customer = actor.role == Role.CUSTOMER
    if not (actor.works_tickets or is_customer):
        raise NotPermitted(_("Your role may not change the status of tickets."))
    ticket = lock_ticket(ticket, expected_version)
    allowed = transitions.allowed_targets(ticket.status, customer=is_customer)
    if to not in allowed:
        if is_customer:
            raise NotPermitted(
                _("Customers can only confirm or reopen a resolved ticket."), field="to"
            )
        raise TransitionNotAllowed(current=ticket.status, requested=to, allowed=allowed)
    target = Status(to)
    resolution, reason = resolution.strip(), reason.strip()
    if target == Status.RESOLVED:
        if not resolution:
            raise DomainError(
                _("Write a resolution summary to resolve the ticket."), field="resolution"
            )
        if len(resolution) > MAX_DESCRIPTION:
            raise DomainError(_("Use at most 20,000 characters."), field="resolution")
    if transitions.is_reopen(ticket.status, target) and not reason:
        raise DomainError(_("Say why the ticket is reopened."), field="reason")
    apply_status(
        ticket,
        target,
        actor=actor,
        note=reason,
        resolution=resolution if target == Status.RESOLVED else None,
    )
    return ticket


@transaction.atomic
def assign_ticket(
    *, ticket: Ticket, assignee: User | None, actor: User, expected_version: int | None = None
) -> Ticket:
    """Make `assignee` the one person accountable (None: back to the team queue)."""
    require_worker(actor)
    ticket = lock_ticket(ticket, expected_version)
    _refuse_when_closed(ticket)
    if assignee is not None:
        problem = check_assignee(assignee, ticket.team)
        if problem:
            raise DomainError(problem, field="assignee")
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return ticket
    apply_assignee(ticket, assignee, actor=actor)
    return ticket


@transaction.atomic
def transfer_ticket(
    *,
    ticket: Ticket,
    team: Team,
    actor: User,
    reason: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Hand the ticket to another team; an assignee who is not in that team lets go of it."""
    require_worker(actor)
    ticket = lock_ticket(ticket, expected_version)
    _refuse_when_closed(ticket)
    if not team.is_active:
        raise DomainError(_("There is no active team with this code."), field="team")
    if ticket.team_id == team.pk:
        return ticket
    before = audit.snapshot(ticket, ["team", "assignee"])
    ticket.team = team
    if ticket.assignee is not None and check_assignee(ticket.assignee, team):
        ticket.assignee = None
    save_ticket(ticket, ["team", "assignee"])
    signals.targets_changed.send(Ticket, ticket=ticket)  # another team, maybe another calendar
    audit.record(
        actor=actor, action=events.TICKET_TRANSFERRED, target=ticket, before=before,
        after=audit.snapshot(ticket, ["team", "assignee"]), note=reason.strip(),
    )  # fmt: skip
    return ticket


@transaction.atomic
def change_urgency(
    *,
    ticket: Ticket,
    urgency: str,
    actor: User,
    reason: str = "",
    expected_version: int | None = None,
) -> Ticket:
    require_worker(actor)
    if urgency not in Urgency.values:
        raise DomainError(_("Choose a valid value."), field="urgency")
    ticket = lock_ticket(ticket, expected_version)
    _refuse_when_closed(ticket)
    if ticket.urgency == urgency:
        return ticket
    apply_urgency(ticket, urgency, actor=actor, note=reason.strip())
    return ticket


@transaction.atomic
def update_ticket_details(
    *,
    ticket: Ticket,
    actor: User,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> Ticket:
    """Edit the descriptive fields (DETAIL_FIELDS); `category` is a code, custom_fields merge.

    Status, team, assignee and urgency have use cases of their own.
    """
    require_worker(actor)
    unknown = set(changes) - set(DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"not detail fields: {sorted(unknown)}")
    ticket = lock_ticket(ticket, expected_version)
    _refuse_when_closed(ticket)
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for name in ("subject", "description", "order_ref"):
        if name in changes:
            values[name] = str(changes[name] or "").strip()
    limits = {"subject": 200, "description": MAX_DESCRIPTION, "order_ref": 64}
    for name, text in values.items():
        if name in ("subject", "description") and not text:
            errors[name] = _("This field is required.")
        elif len(text) > limits[name]:
            errors[name] = _("The text is too long.")
    if "kind" in changes:
        if changes["kind"] not in Kind.values:
            errors["kind"] = _("Choose a valid value.")
        values["kind"] = changes["kind"]
    if "category" in changes:
        code = changes["category"]
        category = catalogue().categories.get(code) if code else None
        if code and category is None:
            errors["category"] = _("There is no active category with this code.")
        values["category"] = category
    if "custom_fields" in changes:
        try:
            values["custom_fields"] = clean_custom_fields(
                changes["custom_fields"] or {}, current=ticket.custom_fields
            )
        except ValidationFailed as error:
            errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(ticket, values)
    for name, value in values.items():
        setattr(ticket, name, value)
    before, after = audit.changed(before, audit.snapshot(ticket, values))
    if not after:
        return ticket
    fields = list(after)
    if {"subject", "description", "order_ref"} & set(fields):
        ticket.search_document = search.document(
            ticket.number, ticket.subject, ticket.description, ticket.order_ref
        )
        fields.append("search_document")
    save_ticket(ticket, fields)
    if {"kind", "urgency", "category", "team"} & set(fields):
        signals.targets_changed.send(Ticket, ticket=ticket)
    audit.record(
        actor=actor, action=events.TICKET_UPDATED, target=ticket, before=before, after=after
    )
    return ticket


@transaction.atomic
def merge_ticket(
    *,
    ticket: Ticket,
    into: Ticket,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Close `ticket` as a duplicate of `into` (same customer).

    Its open commitments move to `into`; its conversation stays readable from both.
    Returns the closed duplicate. With `expected_version`, refused (StaleVersion) when
    `ticket` changed since the caller read it; changes to `into` do not matter.
    """
    require_worker(actor)
    if ticket.pk == into.pk:
        raise DomainError(_("A ticket cannot be merged into itself."), field="into")
    first, second = sorted([ticket, into], key=lambda t: t.pk)  # lock in a fixed order
    locked = {
        t.pk: lock_ticket(t, expected_version if t.pk == ticket.pk else None)
        for t in (first, second)
    }
    ticket, into = locked[ticket.pk], locked[into.pk]
    if ticket.status not in transitions.MERGEABLE:
        raise Conflict(_("Only an open ticket can be merged into another."))
    if into.status == Status.CLOSED:
        raise DomainError(_("The target ticket is closed."), field="into")
    if ticket.customer_id != into.customer_id:
        raise DomainError(_("Only tickets of the same customer can be merged."), field="into")
    moved = list(Commitment.objects.filter(ticket=ticket, status=CommitmentStatus.OPEN))
    for commitment in moved:
        commitment.ticket = into
        commitment.save(update_fields=["ticket"])
        audit.record(
            actor=actor, action=events.COMMITMENT_MOVED, target=commitment,
            before={"ticket": ticket.number}, after={"ticket": into.number},
        )  # fmt: skip
    before = audit.snapshot(ticket, ["status", "closed_at", "merged_into"])
    previous = ticket.status
    ticket.merged_into = into
    ticket.status = Status.CLOSED
    ticket.closed_at = clock.now()
    save_ticket(ticket, ["merged_into", "status", "closed_at"])
    signals.status_changed.send(Ticket, ticket=ticket, previous=previous, at=ticket.closed_at)
    audit.record(
        actor=actor, action=events.TICKET_MERGED, target=ticket, before=before,
        after=audit.snapshot(ticket, before), note=note.strip(),
    )  # fmt: skip
    save_ticket(into, [])
    audit.record(
        actor=actor, action=events.TICKET_MERGE_RECEIVED, target=into,
        after={"merged_ticket": ticket.number, "commitments_moved": len(moved)}, note=note.strip(),
    )  # fmt: skip
    return ticket
