"""Ticket use cases. Each is one function; the API, the web views, tasks and the demo
seeder all call these."""

from .attachments import add_attachment, attach_files
from .commitments import (
    create_commitment,
    keep_commitment,
    mark_commitment_reminded,
    miss_commitment,
    renegotiate_commitment,
)
from .conversation import (
    add_interaction,
    add_system_notes,
    counts_as_response,
    edit_interaction,
    post_interaction,
)
from .creation import TicketDraft, TicketIntake, create_ticket, create_tickets
from .lifecycle import (
    apply_assignee,
    apply_urgency,
    assign_ticket,
    change_urgency,
    merge_ticket,
    transfer_ticket,
    transition_ticket,
    update_ticket_details,
)
from .submission import submit_ticket

__all__ = [
    "TicketDraft",
    "TicketIntake",
    "add_attachment",
    "add_interaction",
    "add_system_notes",
    "apply_assignee",
    "apply_urgency",
    "assign_ticket",
    "attach_files",
    "change_urgency",
    "counts_as_response",
    "create_commitment",
    "create_ticket",
    "create_tickets",
    "edit_interaction",
    "keep_commitment",
    "mark_commitment_reminded",
    "merge_ticket",
    "miss_commitment",
    "post_interaction",
    "renegotiate_commitment",
    "submit_ticket",
    "transfer_ticket",
    "transition_ticket",
    "update_ticket_details",
]
