"""Bulk actions of the queue: assign, transfer or change the urgency of many tickets at once.

Each ticket goes through the same use case as a single change (assign_ticket,
transfer_ticket, change_urgency), in its own transaction, so one refused ticket (closed,
say) does not hold back the others, and each change is audited as if made alone.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import Team, User
from serviceloop.core.errors import DomainError, ValidationFailed
from serviceloop.core.ids import parse_id

from ..choices import Urgency
from ..models import Ticket
from ..queries import LIST_RELATED, tickets_visible_to, with_reference_data
from ..reference import catalogue
from .lifecycle import assign_ticket, change_urgency, transfer_ticket
from .rules import require_worker

MAX_TICKETS = 100
ACTIONS = ("assign", "transfer", "urgency")
VALUE_FIELD = {"assign": "assignee", "transfer": "team", "urgency": "urgency"}
NOT_FOUND = _("There is no ticket with this number in your queues.")


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one ticket: changed, already so (changed False, no error), or
    refused with the reason."""

    number: str
    changed: bool
    error: Promise | str | None = None


def _numbers(numbers: Sequence[str]) -> list[str]:
    """The distinct ticket numbers, upper-cased, in the order given."""
    return list(dict.fromkeys(n.strip().upper() for n in numbers if n.strip()))


def _reason(error: DomainError) -> Promise | str:
    if isinstance(error, ValidationFailed):
        return " ".join(str(message) for message in error.errors.values())
    return error.message


def _change(action: str, value: str) -> Callable[[Ticket, User], Ticket]:
    """The single-ticket change `action` with `value`; ValidationFailed when the value
    names nobody, no active team or no urgency."""
    field = VALUE_FIELD[action]
    if action == "assign":
        assignee: User | None = None
        if value not in ("", "none"):
            pk = parse_id(value)
            assignee = User.objects.filter(pk=pk, is_active=True).first() if pk else None
            if assignee is None:
                raise ValidationFailed({field: _("There is no active user with this id.")})
        return lambda ticket, actor: assign_ticket(ticket=ticket, assignee=assignee, actor=actor)
    if action == "transfer":
        team: Team | None = catalogue().teams.get(value)
        if team is None:
            raise ValidationFailed({field: _("There is no active team with this code.")})
        return lambda ticket, actor: transfer_ticket(ticket=ticket, team=team, actor=actor)
    if value not in Urgency.values:
        raise ValidationFailed({field: _("Choose a valid value.")})
    return lambda ticket, actor: change_urgency(ticket=ticket, urgency=value, actor=actor)


def bulk_change(
    *, actor: User, numbers: Sequence[str], action: str, value: str
) -> list[BulkOutcome]:
    """Apply `action` ("assign": value a user id, or "" / "none" for nobody; "transfer":
    a team code; "urgency": an urgency code) to each ticket in `numbers` the actor sees.

    Returns one outcome per distinct number, in the order given. A number outside the
    actor's scope is reported as not found (its existence is not confirmed). A refusal of
    the whole request (role, action, value, no or too many numbers) raises before anything
    changes: NotPermitted, or ValidationFailed naming `numbers`, `action` or the value's
    field (VALUE_FIELD).
    """
    require_worker(actor)
    wanted = _numbers(numbers)
    errors: dict[str, Promise | str] = {}
    if not wanted:
        errors["numbers"] = _("Select at least one ticket.")
    elif len(wanted) > MAX_TICKETS:
        errors["numbers"] = _("Select at most 100 tickets at once.")
    if action not in ACTIONS:
        errors["action"] = _("Choose a valid value.")
    if errors:
        raise ValidationFailed(errors)
    change = _change(action, value.strip())
    found = {
        ticket.number: ticket
        for ticket in with_reference_data(
            list(tickets_visible_to(actor).filter(number__in=wanted).select_related(*LIST_RELATED))
        )
    }
    outcomes = []
    for number in wanted:
        ticket = found.get(number)
        if ticket is None:
            outcomes.append(BulkOutcome(number, changed=False, error=NOT_FOUND))
            continue
        try:
            after = change(ticket, actor)
        except DomainError as error:
            outcomes.append(BulkOutcome(number, changed=False, error=_reason(error)))
            continue
        outcomes.append(BulkOutcome(number, changed=after.version != ticket.version))
    return outcomes
