"""What the ticket page's panels show: the timeline, the composer, the customer (客户画像), and
the actions panel with its forms, each carrying the ticket's version."""

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import TICKET_WORKER_ROLES
from serviceloop.accounts.models import User
from serviceloop.customers.queries import get_customer_for
from serviceloop.satisfaction import queries as satisfaction_queries
from serviceloop.tickets import queries, timeline, transitions
from serviceloop.tickets.choices import CommitmentStatus, Status
from serviceloop.tickets.models import Commitment, Ticket
from serviceloop.tickets.services import canned

from ...forms.ticket import (
    AssignForm,
    CategoryForm,
    ComposerForm,
    ConfirmContactForm,
    MergeForm,
    RenegotiateForm,
    TransferForm,
    TransitionForm,
    UrgencyForm,
    VersionedForm,
)
from ...htmx import HtmxRequest


@dataclass(frozen=True)
class PromiseAction:
    promise: Commitment
    form: RenegotiateForm


# What the status buttons say, where a verb reads better than the status's name.
ACTION_LABELS: dict[str, Promise] = {
    Status.RESOLVED: _("Resolve"),
    Status.CLOSED: _("Close"),
    "reopen": _("Reopen"),
}


@dataclass(frozen=True)
class TransitionOption:
    value: str
    label: Promise | str
    asks: str  # "resolution", "reason" or ""
    form: TransitionForm


def assignable(ticket: Ticket) -> list[User]:
    """Who the ticket may be given to from the page: its team's active members who work
    tickets (and the current assignee, so the select shows the truth)."""
    members: list[User] = []
    if ticket.team_id is not None:
        members = list(
            User.objects.filter(
                memberships__team_id=ticket.team_id, is_active=True, role__in=TICKET_WORKER_ROLES
            )
            .only("full_name", "first_name", "last_name", "username", "role", "is_active")
            .order_by("full_name", "username")
        )
    if ticket.assignee is not None and all(m.pk != ticket.assignee_id for m in members):
        members.append(ticket.assignee)
    return members


def form_ids(name: str, to: str = "") -> str:
    """Element ids per form: the panel holds several forms with the same field names."""
    return f"{name}-{to}_%s" if to else f"{name}_%s"


def _action_forms(
    ticket: Ticket, members: list[User], bound: tuple[str, forms.Form] | None = None
) -> dict[str, Any]:
    """The panel's forms with the ticket's current version; `bound` (name, form) is the one
    just posted, shown with its errors."""
    version = {"version": ticket.version}
    team = ticket.team.code if ticket.team else ""
    category = ticket.category.code if ticket.category else ""
    found: dict[str, Any] = {
        "assign": AssignForm(
            initial={**version, "assignee": ticket.assignee_id or ""},
            members=members,
            auto_id=form_ids("assign"),
        ),
        "take": VersionedForm(initial=version, auto_id=form_ids("take")),
        "transfer": TransferForm(initial={**version, "team": team}, auto_id=form_ids("transfer")),
        "urgency": UrgencyForm(
            initial={**version, "urgency": ticket.urgency}, auto_id=form_ids("urgency")
        ),
        "category": CategoryForm(
            initial={**version, "category": category}, auto_id=form_ids("category")
        ),
        "merge": MergeForm(initial=version, auto_id=form_ids("merge")),
    }
    posted = bound[1] if bound and bound[0] == "transition" else None
    options = []
    for target in transitions.allowed_targets(ticket.status):
        asks = ""
        if target == Status.RESOLVED:
            asks = "resolution"
        elif transitions.is_reopen(ticket.status, target):
            asks = "reason"
        form = posted if posted is not None and posted.data.get("to") == target else None
        options.append(
            TransitionOption(
                value=target,
                label=ACTION_LABELS.get("reopen" if asks == "reason" else target, target.label),
                asks=asks,
                form=cast(TransitionForm, form)
                or TransitionForm(
                    initial={**version, "to": target}, auto_id=form_ids("transition", target)
                ),
            )
        )
    found["transitions"] = options
    found["transition_errors"] = (
        [*posted.errors.get("to", []), *posted.non_field_errors()] if posted is not None else []
    )
    if bound and bound[0] != "transition":
        found[bound[0]] = bound[1]
    return found


def actions_context(
    request: HtmxRequest,
    ticket: Ticket,
    *,
    bound: tuple[str, forms.Form] | None = None,
    conflict: str = "",
    members: list[User] | None = None,
) -> dict[str, Any]:
    if members is None:
        members = assignable(ticket)
    user = request.user
    promises = _promise_actions(ticket, bound)
    return {
        "ticket": ticket,
        "forms": _action_forms(ticket, members, bound),
        "can_take": ticket.assignee_id != user.pk and any(m.pk == user.pk for m in members),
        "conflict": conflict,
        "promise_actions": promises,
        "missed": [item for item in promises if item.promise.status == CommitmentStatus.MISSED],
    }


def _promise_actions(
    ticket: Ticket, bound: tuple[str, forms.Form] | None = None
) -> list[PromiseAction]:
    """This ticket's promises that can still be renegotiated (open, or missed and the
    customer not yet told), each with its form; the one just posted keeps its errors."""
    if ticket.status == Status.CLOSED:
        return []
    posted = bound[1] if bound and bound[0] == "renegotiate" else None
    found = []
    for promise in Commitment.objects.filter(
        ticket=ticket, status__in=[CommitmentStatus.OPEN, CommitmentStatus.MISSED]
    ).order_by("due_at", "id"):
        form = posted if posted is not None and posted.prefix == f"p{promise.pk}" else None
        found.append(
            PromiseAction(
                promise=promise,
                form=cast(RenegotiateForm, form)
                or RenegotiateForm(prefix=f"p{promise.pk}", auto_id=form_ids("renegotiate")),
            )
        )
    return found


def timeline_context(request: HtmxRequest, ticket: Ticket) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "entries": timeline.timeline_of(ticket, user=request.user),
        "can_work": request.user.works_tickets,
    }


def composer_context(
    request: HtmxRequest, ticket: Ticket, form: ComposerForm | None = None
) -> dict[str, Any]:
    closed = ticket.status == Status.CLOSED
    return {
        "ticket": ticket,
        "composer": form or ComposerForm(closed=closed),
        "closed": closed,
        "canned_replies": canned.canned_replies_for(user=request.user, ticket=ticket),
    }


def customer_context(
    request: HtmxRequest, ticket: Ticket, *, bound: tuple[int, ConfirmContactForm] | None = None
) -> dict[str, Any]:
    """The customer panel: profile, contacts (an unverified one with its confirm form for
    those who work tickets), previous tickets and open promises."""
    user = request.user
    customer = get_customer_for(user, ticket.customer_id)
    contacts = []
    for contact in customer.contacts.all():
        form = None
        if user.works_tickets and not contact.is_verified:
            form = (
                bound[1]
                if bound and bound[0] == contact.pk
                else ConfirmContactForm(prefix=f"c{contact.pk}")
            )
        contacts.append((contact, form))
    history = queries.customer_history(customer, user=user, limit=10)
    others = [previous for previous in history.recent if previous.pk != ticket.pk]
    ratings = satisfaction_queries.scores_by_ticket(user, others)
    return {
        "customer": customer,
        "contacts": contacts,
        "history": history,
        "previous": [(previous, ratings.get(previous.pk)) for previous in others],
        "promises": timeline.open_commitments_of_customer(customer, user=user),
    }
