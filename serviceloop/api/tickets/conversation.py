"""/api/v1/tickets/{number}/...: the conversation of a ticket, its commitments and attachments,
and its audit trail."""

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from serviceloop.accounts.queries import active_user
from serviceloop.audit import queries as audit_queries
from serviceloop.core.errors import DomainError, NotPermitted
from serviceloop.tickets import queries, services
from serviceloop.tickets.choices import Channel

from ..audit import AuditEventOut, audit_event_out
from ..common import Id, actor
from ..uploads import body_with_files, read_body
from .output import _numbers, attachment_out, commitment_out, interaction_out
from .schemas import AttachmentOut, CommitmentIn, CommitmentOut, InteractionIn, InteractionOut

router = Router(tags=["tickets"])


@router.get("/{number}/interactions", response=list[InteractionOut], summary="The conversation")
def list_interactions(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    user = actor(request)
    ticket = queries.get_ticket_for(user, number)
    merged_ids = queries.merged_ticket_ids(ticket)
    numbers = _numbers(ticket, merged_ids)
    return [
        interaction_out(i, user, numbers[i.ticket_id])
        for i in queries.conversation(ticket, user=user, merged_ids=merged_ids)
    ]


@router.post(
    "/{number}/interactions",
    response={201: InteractionOut},
    summary="Write to the conversation",
    description=(
        "A reply, an internal note or a logged contact (staff), or a customer's or partner's"
        " message; staff may add a promise (`commitment_text` and `commitment_due`). Send"
        " JSON, or multipart/form-data with the same fields and up to 10 `files`: the"
        " interaction, its promise and its files are stored together or not at all. A"
        " customer's or partner's message to a closed ticket opens a new ticket that follows"
        " it (same customer, kind, category and team); the interaction is recorded there and"
        " its `ticket` is the new number. Staff may only add internal notes to a closed ticket."
    ),
    openapi_extra={"requestBody": body_with_files(InteractionIn)},
)
def add_interaction(request: HttpRequest, number: str) -> Status[dict[str, Any]]:
    user = actor(request)
    ticket = queries.get_ticket_for(user, number)
    payload, files = read_body(request, InteractionIn)
    interaction = services.post_interaction(
        ticket=ticket,
        actor=user,
        content=payload.content,
        door=Channel.API,
        channel=payload.channel,
        direction=payload.direction,
        emotion=payload.emotion or "",
        is_internal=payload.is_internal,
        occurred_at=payload.occurred_at,
        commitment_text=payload.commitment_text,
        commitment_due=payload.commitment_due,
        attachments=files,
    )
    return Status(201, interaction_out(interaction, user, interaction.ticket.number))


@router.get("/{number}/commitments", response=list[CommitmentOut], summary="Promises made")
def list_commitments(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    user = actor(request)
    ticket = queries.get_ticket_for(user, number)
    return [commitment_out(c, user) for c in queries.commitments_of(ticket)]


@router.post("/{number}/commitments", response={201: CommitmentOut}, summary="Record a promise")
def add_commitment(
    request: HttpRequest, number: str, payload: CommitmentIn
) -> Status[dict[str, Any]]:
    user = actor(request)
    ticket = queries.get_ticket_for(user, number)
    owner = None
    if payload.owner is not None:
        owner = active_user(payload.owner, field="owner")
    commitment = services.create_commitment(
        ticket=ticket, actor=user, text=payload.text, due_at=payload.due_at, owner=owner
    )
    return Status(201, commitment_out(commitment, user))


@router.get("/{number}/attachments", response=list[AttachmentOut], summary="Attached files")
def list_attachments(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    user = actor(request)
    ticket = queries.get_ticket_for(user, number)
    return [attachment_out(a) for a in queries.attachments_of(ticket, user=user)]


@router.post("/{number}/attachments", response={201: AttachmentOut}, summary="Attach a file")
def add_attachment(
    request: HttpRequest,
    number: str,
    file: File[UploadedFile],
    interaction: Form[Id | None] = None,
    is_internal: Form[bool] = False,
) -> Status[dict[str, Any]]:
    user = actor(request)
    ticket = queries.get_ticket_for(user, number)
    linked = None
    if interaction is not None:
        try:
            linked = queries.get_interaction_for(user, interaction)
        except Http404:
            raise DomainError(
                _("There is no such interaction, or you may not see it."), field="interaction"
            ) from None
    attachment = services.add_attachment(
        ticket=ticket, actor=user, upload=file, interaction=linked, is_internal=is_internal
    )
    return Status(201, attachment_out(attachment))


@router.get("/{number}/audit", response=list[AuditEventOut], summary="The ticket's audit trail")
def ticket_audit(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    user = actor(request)
    ticket = queries.get_ticket_for(user, number)
    if not user.is_staff_member:
        raise NotPermitted(_("Only staff can read the audit trail."))
    return [audit_event_out(e) for e in audit_queries.events_of_ticket(ticket.pk)]
