"""Interactions, commitments and attachments addressed by their own id."""

from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import Field, Router, Status

from serviceloop.tickets import queries, services
from serviceloop.tickets.choices import Emotion

from .common import Id, In, Moment, actor
from .tickets.output import commitment_out, interaction_out
from .tickets.schemas import CommitmentOut, InteractionOut

router = Router(tags=["conversation"])


class InteractionPatch(In):
    """Fields left out stay as they are; null only where the type allows it."""

    content: str = Field(None, min_length=1, max_length=20_000)  # type: ignore[assignment]
    emotion: Emotion | None = None


class RenegotiateIn(In):
    due_at: Moment
    reason: str = Field(..., min_length=1, max_length=2_000, description="Told to the customer")
    text: str = Field("", max_length=500, description="New wording (default: unchanged)")


@router.patch(
    "/interactions/{interaction_id}", response=InteractionOut, summary="Correct an interaction"
)
def edit_interaction(
    request: HttpRequest, interaction_id: Id, payload: InteractionPatch
) -> dict[str, Any]:
    user = actor(request)
    interaction = queries.get_interaction_for(user, interaction_id)
    changes = payload.model_dump(exclude_unset=True)
    if "emotion" in changes:
        changes["emotion"] = changes["emotion"] or ""
    interaction = services.edit_interaction(interaction=interaction, actor=user, **changes)
    return interaction_out(interaction, user, interaction.ticket.number)


@router.post(
    "/commitments/{commitment_id}/keep", response=CommitmentOut, summary="The promise was kept"
)
def keep(request: HttpRequest, commitment_id: Id) -> dict[str, Any]:
    user = actor(request)
    commitment = queries.get_commitment_for(user, commitment_id)
    return commitment_out(services.keep_commitment(commitment=commitment, actor=user), user)


@router.post(
    "/commitments/{commitment_id}/miss", response=CommitmentOut, summary="The promise was missed"
)
def miss(request: HttpRequest, commitment_id: Id) -> dict[str, Any]:
    user = actor(request)
    commitment = queries.get_commitment_for(user, commitment_id)
    return commitment_out(services.miss_commitment(commitment=commitment, actor=user), user)


@router.post(
    "/commitments/{commitment_id}/renegotiate",
    response={201: CommitmentOut},
    summary="Agree a new time with the customer; returns the new commitment",
)
def renegotiate(
    request: HttpRequest, commitment_id: Id, payload: RenegotiateIn
) -> Status[dict[str, Any]]:
    user = actor(request)
    commitment = queries.get_commitment_for(user, commitment_id)
    replacement = services.renegotiate_commitment(
        commitment=commitment,
        actor=user,
        due_at=payload.due_at,
        reason=payload.reason,
        text=payload.text,
    )
    return Status(201, commitment_out(replacement, user))


@router.get(
    "/attachments/{attachment_id}",
    response={200: None},
    url_name="download_attachment",
    summary="Download a file",
)
def download_attachment(request: HttpRequest, attachment_id: Id) -> FileResponse:
    user = actor(request)
    attachment = queries.get_attachment_for(user, attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.download_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
