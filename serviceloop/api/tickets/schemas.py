"""The tickets API's request and response schemas."""

from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from ninja import Field

from serviceloop.customers.services import CustomerIdentity
from serviceloop.tickets import services
from serviceloop.tickets.choices import Channel, Direction, Emotion, InteractionKind, Kind, Urgency
from serviceloop.tickets.choices import Status as TicketStatus

from ..common import (
    CodeName,
    CustomerRef,
    FieldError,
    Id,
    In,
    Moment,
    Out,
    PageOut,
    QueryIn,
    UserRef,
)


class CustomerIdentityIn(In):
    external_id: str = Field("", max_length=64, description="The customer's id in your CRM")
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    name: str = Field("", max_length=200)
    language: Literal["", "en", "zh-hans"] = ""


class TicketIn(In):
    description: str = Field(..., min_length=1, max_length=20_000)
    subject: str = Field("", max_length=200, description="Defaults to the description's first line")
    kind: Kind = Kind.INQUIRY
    urgency: Urgency | None = None
    channel: Channel | None = Field(
        None, description="Staff: where the request was received; a customer's is `api`"
    )
    category: str | None = Field(None, max_length=64, description="Category code")
    team: str | None = Field(None, max_length=50, description="Team code (default: by category)")
    assignee: Id | None = Field(None, description="User id")
    customer_id: Id | None = None
    customer: CustomerIdentityIn | None = Field(
        None, description="Matched by external_id, then e-mail, then phone; created if new"
    )
    order_ref: str = Field("", max_length=64)
    custom_fields: dict[str, Any] = Field(default_factory=dict)

    def draft(self) -> services.TicketDraft:
        values = self.model_dump(exclude={"customer", "idempotency_key"})
        identity = CustomerIdentity(**self.customer.model_dump()) if self.customer else None
        return services.TicketDraft(**values, customer=identity, door=Channel.API)


class TicketOut(Out):
    number: str
    subject: str
    description: str
    kind: Kind
    urgency: Urgency | None
    channel: Channel
    status: TicketStatus
    category: CodeName | None
    team: CodeName | None
    assignee: UserRef | None
    customer: CustomerRef | None = Field(
        description="Null for a partner when the customer is not one it created"
    )
    order_ref: str
    custom_fields: dict[str, Any] | None
    resolution: str
    merged_into: str | None
    reopen_count: int | None
    version: int
    allowed_transitions: list[TicketStatus]
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None


class TicketCreated(TicketOut):
    duplicate: bool = Field(description="An identical request of this customer came in minutes ago")
    replayed: bool = Field(description="A retry of a request with the same Idempotency-Key")


class InteractionOut(Out):
    id: int
    ticket: str
    occurred_at: datetime
    channel: Channel
    direction: str
    kind: InteractionKind = Field(
        description=(
            "reply (to the customer), message (from the customer), partner (from a partner),"
            " log (a contact staff recorded), note (internal); customers read replies and"
            " messages only, partners their own messages too"
        )
    )
    author: UserRef | None
    content: str
    emotion: str | None
    is_internal: bool
    created_at: datetime
    edited_at: datetime | None


class CommitmentOut(Out):
    id: int
    text: str
    due_at: datetime
    owner: UserRef | None
    status: str
    reason: str
    renegotiated_from: int | None
    created_at: datetime
    settled_at: datetime | None


class AttachmentOut(Out):
    id: int
    filename: str
    content_type: str
    size: int
    is_internal: bool
    url: str
    created_at: datetime


class TicketDetail(TicketOut):
    merged_tickets: list[str]
    follows: str | None = Field(
        description="The closed ticket this one continues (a customer wrote to it)"
    )
    follow_ups: list[str] = Field(
        description="Tickets that messages to this closed ticket opened, oldest first"
    )
    interactions: list[InteractionOut]
    commitments: list[CommitmentOut]
    attachments: list[AttachmentOut]


class TicketList(PageOut):
    items: list[TicketOut]


class TicketQuery(QueryIn):
    status: list[str] = Field([], description='Statuses; "open" means new, in progress or waiting')
    kind: list[str] = []
    urgency: list[str] = []
    channel: list[str] = []
    team: str | None = Field(None, description="Team code")
    assignee: str | None = Field(None, description='User id, "me" or "none"')
    category: str | None = Field(None, description="Category code (includes subcategories)")
    customer: Id | None = None
    created_after: Moment | None = None
    created_before: Moment | None = None
    q: str = Field("", max_length=200, description="Words or a ticket number")
    cursor: str | None = None
    limit: int = Field(settings.API_PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE)


class TicketPatch(In):
    """Fields left out stay as they are; null only where the type allows it."""

    subject: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    description: str = Field(None, min_length=1, max_length=20_000)  # type: ignore[assignment]
    kind: Kind = None  # type: ignore[assignment]
    category: str | None = Field(None, max_length=64)
    order_ref: str = Field(None, max_length=64)  # type: ignore[assignment]
    custom_fields: dict[str, Any] = None  # type: ignore[assignment]


class TransitionIn(In):
    to: TicketStatus
    resolution: str = Field("", max_length=20_000, description="Required to resolve")
    reason: str = Field("", max_length=2_000, description="Required to reopen")


class AssignIn(In):
    assignee: Id | None = Field(description="User id; null returns the ticket to its team queue")


class TransferIn(In):
    team: str = Field(max_length=50, description="Team code")
    reason: str = Field("", max_length=2_000)


class UrgencyIn(In):
    urgency: Urgency
    reason: str = Field("", max_length=2_000)


class MergeIn(In):
    into: str = Field(max_length=32, description="Number of the ticket that stays")
    note: str = Field("", max_length=2_000)


class InteractionIn(In):
    content: str = Field(..., min_length=1, max_length=20_000)
    channel: Channel | None = Field(
        None, description="Staff logging a contact; a customer's message is on `api`"
    )
    direction: Direction | None = None
    emotion: Emotion | None = None
    is_internal: bool = False
    occurred_at: Moment | None = None
    commitment_text: str = Field(
        "", max_length=500, description="A promise made in this reply (staff), with its due time"
    )
    commitment_due: Moment | None = Field(None, description="When the promise is kept")


class CommitmentIn(In):
    text: str = Field(..., min_length=1, max_length=500)
    due_at: Moment
    owner: Id | None = Field(None, description="User id; default: you")


class BatchItemIn(TicketIn):
    idempotency_key: str | None = Field(None, min_length=1, max_length=255)


class BatchIn(In):
    items: list[dict[str, Any]] = Field(
        ...,
        min_length=1,
        max_length=settings.API_BATCH_LIMIT,
        description="Ticket bodies as for POST /tickets, each with an optional idempotency_key",
    )


class BatchResult(Out):
    index: int
    outcome: Literal["created", "duplicate", "replayed", "error"]
    number: str | None
    status: int
    errors: list[FieldError]
    detail: str | None


class BatchOut(Out):
    created: int
    duplicates: int
    failed: int
    results: list[BatchResult]
