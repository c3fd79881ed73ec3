"""The audit events the tickets app records, by name: its use cases write them (tickets,
interactions and notes, files, promises, categories), and the apps above react to them once
they commit — satisfaction asks for a rating after a resolution, follow-ups plan a call back
or cancel it on a reopen, notifications tell the customer, the inbox tells the staff,
routing hands out the capacity a closed ticket frees, webhooks pass them on — and the
ticket's timeline tells them.

The predicates below decide from the event alone (no query), as the receivers must.

`category.created` and `category.updated` are also what the category admin records
(audit_name "category", see audit.admin_mixins): one name for both ways of changing it."""

from typing import Final

from serviceloop.audit.models import AuditEvent

from .choices import Status

TICKET_CREATED: Final = "ticket.created"
TICKET_UPDATED: Final = "ticket.updated"
TICKET_TRANSITIONED: Final = "ticket.transitioned"
TICKET_REOPENED: Final = "ticket.reopened"
TICKET_ASSIGNED: Final = "ticket.assigned"
TICKET_TRANSFERRED: Final = "ticket.transferred"
TICKET_URGENCY_CHANGED: Final = "ticket.urgency_changed"
TICKET_MERGED: Final = "ticket.merged"
TICKET_MERGE_RECEIVED: Final = "ticket.merge_received"
TICKET_FIRST_RESPONSE: Final = "ticket.first_response"
TICKET_FOLLOWS: Final = "ticket.follows"
TICKET_FOLLOWED_UP: Final = "ticket.followed_up"
TICKET_CUSTOMER_REMINDED: Final = "ticket.customer_reminded"
INTERACTION_ADDED: Final = "interaction.added"
INTERACTION_EDITED: Final = "interaction.edited"
NOTE_ADDED: Final = "note.added"
ATTACHMENT_ADDED: Final = "attachment.added"
COMMITMENT_CREATED: Final = "commitment.created"
COMMITMENT_KEPT: Final = "commitment.kept"
COMMITMENT_MISSED: Final = "commitment.missed"
COMMITMENT_RENEGOTIATED: Final = "commitment.renegotiated"
COMMITMENT_REMINDED: Final = "commitment.reminded"
COMMITMENT_MOVED: Final = "commitment.moved"
CATEGORY_CREATED: Final = "category.created"
CATEGORY_UPDATED: Final = "category.updated"

# A change of status: a transition along the machine, or a reopen (transitions.is_reopen).
STATUS_CHANGES: Final = frozenset({TICKET_TRANSITIONED, TICKET_REOPENED})
# The events whose before and after may name an assignee (a transfer may clear it).
ASSIGNEE_CHANGES: Final = frozenset({TICKET_ASSIGNED, TICKET_TRANSFERRED})


def is_resolution(event: AuditEvent) -> bool:
    """Whether `event` is a ticket becoming resolved: a transition to resolved (by staff, a
    customer's API call or the sweep that resolves unanswered tickets)."""
    return event.action == TICKET_TRANSITIONED and _status_after(event) == Status.RESOLVED


def ends_resolved(event: AuditEvent) -> bool:
    """Whether `event` is a change of status, a transition or a reopen, after which the ticket
    is resolved. A reopen moves a resolved ticket back to work, so today only a resolution
    (`is_resolution`) does; the customer's "resolved" message asks this wider question."""
    return event.action in STATUS_CHANGES and _status_after(event) == Status.RESOLVED


def is_reopen(event: AuditEvent) -> bool:
    """Whether `event` is a resolved ticket reopened (moved back to in_progress)."""
    return event.action == TICKET_REOPENED


_CLOSING = frozenset({TICKET_TRANSITIONED, TICKET_MERGED})
_OUT_OF_WORK = frozenset({Status.RESOLVED, Status.CLOSED})


def closes_ticket(event: AuditEvent) -> bool:
    """Whether `event` takes the ticket out of work: a transition to resolved or closed, or a
    merge (which closes the duplicate) — its assignee has one open ticket less."""
    return event.action in _CLOSING and _status_after(event) in _OUT_OF_WORK


def _status_after(event: AuditEvent) -> object:
    return (event.after or {}).get("status")
