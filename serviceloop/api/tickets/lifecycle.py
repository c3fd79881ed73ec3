"""/api/v1/tickets/{number}: read a ticket, edit it, and move it through its life."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import HeaderEx, P, Router

from serviceloop.accounts.queries import active_team, active_user
from serviceloop.core.errors import DomainError
from serviceloop.tickets import queries, services

from ..common import actor, expected_version
from .output import (
    _fresh,
    _numbers,
    _with_etag,
    attachment_out,
    commitment_out,
    interaction_out,
    ticket_out,
)
from .schemas import (
    AssignIn,
    MergeIn,
    TicketDetail,
    TicketOut,
    TicketPatch,
    TransferIn,
    TransitionIn,
    UrgencyIn,
)

router = Router(tags=["tickets"])


@router.get("/{number}", response=TicketDetail, summary="A ticket with its conversation")
def get_ticket(request: HttpRequest, response: HttpResponse, number: str) -> dict[str, Any]:
    user = actor(request)
    ticket = queries.get_ticket_for(user, number)
    merged_ids = queries.merged_ticket_ids(ticket)
    numbers = _numbers(ticket, merged_ids)
    _with_etag(response, ticket)
    return ticket_out(
        ticket,
        user,
        merged_tickets=[numbers[pk] for pk in merged_ids],
        follows=ticket.follows.number if ticket.follows else None,
        follow_ups=[later.number for later in ticket.follow_up_tickets()],
        interactions=[
            interaction_out(i, user, numbers[i.ticket_id])
            for i in queries.conversation(ticket, user=user, merged_ids=merged_ids)
        ],
        commitments=[commitment_out(c, user) for c in queries.commitments_of(ticket)],
        attachments=[
            attachment_out(a)
            for a in queries.attachments_of(ticket, user=user, merged_ids=merged_ids)
        ],
    )


@router.patch("/{number}", response=TicketOut, summary="Edit subject, description, kind, ...")
def update_ticket(
    request: HttpRequest,
    response: HttpResponse,
    number: str,
    payload: TicketPatch,
    if_match: HeaderEx[str | None, P(alias="If-Match")] = None,
) -> dict[str, Any]:
    user = actor(request)
    ticket = queries.get_ticket_for(user, number)
    ticket = services.update_ticket_details(
        ticket=ticket,
        actor=user,
        changes=payload.model_dump(exclude_unset=True),
        expected_version=expected_version(if_match),
    )
    _with_etag(response, ticket)
    return ticket_out(ticket, user)


@router.post("/{number}/transition", response=TicketOut, summary="Change the status")
def transition(
    request: HttpRequest,
    response: HttpResponse,
    number: str,
    payload: TransitionIn,
    if_match: HeaderEx[str | None, P(alias="If-Match")] = None,
) -> dict[str, Any]:
    user = actor(request)
    ticket = services.transition_ticket(
        ticket=queries.get_ticket_for(user, number),
        to=payload.to,
        actor=user,
        resolution=payload.resolution,
        reason=payload.reason,
        expected_version=expected_version(if_match),
    )
    _with_etag(response, ticket)
    return ticket_out(ticket, user)


@router.post("/{number}/assign", response=TicketOut, summary="Assign to a person, or unassign")
def assign(
    request: HttpRequest,
    response: HttpResponse,
    number: str,
    payload: AssignIn,
    if_match: HeaderEx[str | None, P(alias="If-Match")] = None,
) -> dict[str, Any]:
    user = actor(request)
    ticket = queries.get_ticket_for(user, number)
    assignee = None
    if payload.assignee is not None:
        assignee = active_user(payload.assignee, field="assignee")
    ticket = services.assign_ticket(
        ticket=ticket, assignee=assignee, actor=user, expected_version=expected_version(if_match)
    )
    _with_etag(response, ticket)
    return ticket_out(ticket, user)


@router.post("/{number}/transfer", response=TicketOut, summary="Move to another team")
def transfer(
    request: HttpRequest,
    response: HttpResponse,
    number: str,
    payload: TransferIn,
    if_match: HeaderEx[str | None, P(alias="If-Match")] = None,
) -> dict[str, Any]:
    user = actor(request)
    ticket = queries.get_ticket_for(user, number)
    team = active_team(payload.team)
    ticket = services.transfer_ticket(
        ticket=ticket, team=team, actor=user, reason=payload.reason,
        expected_version=expected_version(if_match),
    )  # fmt: skip
    _with_etag(response, ticket)
    return ticket_out(ticket, user)


@router.post("/{number}/urgency", response=TicketOut, summary="Change the urgency")
def urgency(
    request: HttpRequest,
    response: HttpResponse,
    number: str,
    payload: UrgencyIn,
    if_match: HeaderEx[str | None, P(alias="If-Match")] = None,
) -> dict[str, Any]:
    user = actor(request)
    ticket = services.change_urgency(
        ticket=queries.get_ticket_for(user, number), urgency=payload.urgency, actor=user,
        reason=payload.reason, expected_version=expected_version(if_match),
    )  # fmt: skip
    _with_etag(response, ticket)
    return ticket_out(ticket, user)


@router.post(
    "/{number}/merge", response=TicketOut, summary="Merge this duplicate into another ticket"
)
def merge(request: HttpRequest, number: str, payload: MergeIn) -> dict[str, Any]:
    user = actor(request)
    ticket = queries.get_ticket_for(user, number)
    try:
        into = queries.get_ticket_for(user, payload.into)
    except Http404:
        raise DomainError(
            _("There is no such ticket, or you may not see it."), field="into"
        ) from None
    merged = services.merge_ticket(ticket=ticket, into=into, actor=user, note=payload.note)
    return ticket_out(_fresh(merged), user)
