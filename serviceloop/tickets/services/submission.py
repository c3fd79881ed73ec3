"""A request as a person hands it in: the ticket with its files, or — logged by an agent —
with the answer already given on the call or visit."""

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from serviceloop.accounts.models import User

from ..choices import Direction
from .attachments import attach_files
from .conversation import add_interaction
from .creation import TicketDraft, TicketIntake, create_ticket


@transaction.atomic
def submit_ticket(
    *,
    actor: User,
    draft: TicketDraft,
    attachments: Sequence[UploadedFile[bytes]] = (),
    answer: str = "",
) -> TicketIntake:
    """create_ticket, then its files and the first answer, all or nothing.

    - `attachments`: stored on the new ticket; a refused file is reported on "attachments"
      and nothing of the submission stays (no ticket, no rows, no files).
    - `answer`: what the agent already told the customer on the call or visit, recorded as
      an outbound interaction on the ticket's channel (it counts as the first response).
    - A duplicate (identical text within the window) or a replay returns the earlier
      ticket untouched: it has its files and answers already.
    """
    intake = create_ticket(actor=actor, draft=draft)
    if not intake.created:
        return intake
    attach_files(ticket=intake.ticket, actor=actor, uploads=attachments)
    if answer.strip():
        add_interaction(
            ticket=intake.ticket,
            actor=actor,
            content=answer,
            channel=intake.ticket.channel,
            direction=Direction.OUTBOUND,
        )
    return intake
