"""Recording contacts with the customer (沟通记录) and internal notes."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.errors import Conflict, DomainError, NotPermitted, ValidationFailed
from serviceloop.core.text import trimmed

from .. import events, signals
from ..choices import Channel, Direction, Emotion, InteractionKind, Status
from ..models import Interaction, Ticket
from .attachments import attach_files
from .commitments import create_commitment
from .creation import MAX_DESCRIPTION, _Clean, _register, content_hash
from .lifecycle import apply_status, lock_ticket, save_ticket

INTERACTION_FIELDS = (
    "kind", "channel", "direction", "emotion", "is_internal", "occurred_at", "author",
)  # fmt: skip


# Channels where staff and customer speak with each other: a call or visit the customer
# started is answered while it happens.
CONVERSATIONAL_CHANNELS = frozenset({Channel.PHONE, Channel.ONSITE, Channel.CHAT})


def counts_as_response(
    *, author: User | None, is_internal: bool, direction: str, channel: str
) -> bool:
    """What a first (or next) response is, defined once: a public interaction by staff that
    reaches the customer — anything outbound, and any logged call, visit or chat (the
    customer was spoken to). A customer's e-mail or message that staff merely record is not
    a response, nor is an internal note."""
    if is_internal or author is None or not author.is_staff_member:
        return False
    return direction == Direction.OUTBOUND or channel in CONVERSATIONAL_CHANNELS


def require_writer(actor: User) -> None:
    """Who may write to a conversation: the roles that work tickets, customers, partners."""
    if not (actor.works_tickets or actor.role in (Role.CUSTOMER, Role.PARTNER)):
        raise NotPermitted(_("Your role may not add to the conversation."))


def _check_values(
    content: str,
    channel: str | None,
    direction: str | None,
    emotion: str,
    is_internal: bool,
    occurred_at: datetime | None,
    *,
    is_staff: bool,
    now: datetime,
) -> None:
    """ValidationFailed naming every field at fault; only staff write internal notes,
    emotions and outbound contacts."""
    errors: dict[str, Promise | str] = {}
    if not content:
        errors["content"] = _("This field is required.")
    elif len(content) > MAX_DESCRIPTION:
        errors["content"] = _("Use at most 20,000 characters.")
    if channel is not None and channel not in Channel.values:
        errors["channel"] = _("Choose a valid value.")
    if direction is not None and direction not in Direction.values:
        errors["direction"] = _("Choose a valid value.")
    if emotion and emotion not in Emotion.values:
        errors["emotion"] = _("Choose a valid value.")
    if not is_staff:
        for name, value in (("is_internal", is_internal), ("emotion", emotion)):
            if value:
                errors[name] = _("Your role may not set this field.")
        if direction == Direction.OUTBOUND:
            errors["direction"] = _("Your role may not set this field.")
    if occurred_at is not None and occurred_at > now + timedelta(minutes=5):
        errors["occurred_at"] = _("The time cannot be in the future.")
    if errors:
        raise ValidationFailed(errors)


def _check_not_long_before(ticket: Ticket, occurred_at: datetime | None) -> None:
    if occurred_at is not None and occurred_at < ticket.created_at - timedelta(days=1):
        raise DomainError(
            _("The time cannot be more than a day before the ticket was created."),
            field="occurred_at",
        )


def _instead_of_closed(
    closed: Ticket, *, actor: User, is_staff: bool, content: str, channel: str | None
) -> Ticket:
    """Where a customer's or partner's message to a closed ticket goes (locked): the open
    ticket it was merged into, else a new ticket that follows it. Conflict for staff."""
    if is_staff:
        raise Conflict(_("This ticket is closed. Submit a new request instead."))
    merged_into = closed.merged_into
    if merged_into is not None and merged_into.status != Status.CLOSED:
        return lock_ticket(merged_into)  # the duplicate's work goes on there
    # Reopening closed work would distort the metrics: the message starts a new ticket that
    # follows the closed one, and is recorded there.
    return _open_follow_up(closed=closed, actor=actor, content=content, channel=channel)


def _kind(
    actor: User, *, logged: bool | None, is_internal: bool, channel: str, direction: str
) -> str:
    """What the entry is (InteractionKind): a note; the customer's or a partner's own
    message; for staff a logged contact (`logged`, or when not said: a call, a visit or an
    inbound contact) or else a reply to the customer."""
    if is_internal:
        return InteractionKind.NOTE
    if actor.role == Role.CUSTOMER:
        return InteractionKind.MESSAGE
    if actor.role == Role.PARTNER:
        return InteractionKind.PARTNER
    if logged is None:
        logged = channel in (Channel.PHONE, Channel.ONSITE) or direction == Direction.INBOUND
    return InteractionKind.LOG if logged else InteractionKind.REPLY


def _direction(direction: str | None, *, is_staff: bool, is_internal: bool) -> str:
    """Staff record contacts both ways (outbound unless said; a note has none); whatever
    customers and partners write comes in."""
    if is_staff:
        return "" if is_internal else (direction or Direction.OUTBOUND)
    return Direction.INBOUND


@transaction.atomic
def add_interaction(
    *,
    ticket: Ticket,
    actor: User,
    content: str,
    channel: str | None = None,
    direction: str | None = None,
    emotion: str = "",
    is_internal: bool = False,
    occurred_at: datetime | None = None,
    logged: bool | None = None,
) -> Interaction:
    """Record one contact or note on a ticket, and what it means for the ticket's status.

    Its kind (see `_kind`) decides who reads it: staff say whether they write to the
    customer or record a contact in their own words (`logged`).

    - Staff: a public interaction is a response (sets first_response_at; a new ticket moves
      to in progress); an internal note is never shown to the customer.
    - Customers and partners: always public and inbound; a reply to a ticket waiting on the
      customer moves it back to in progress, a reply to a resolved ticket reopens it, and a
      message to a closed ticket opens a new ticket that follows the closed one and is
      recorded there (`interaction.ticket` is the new ticket). Staff: Conflict when closed.
    """
    require_writer(actor)
    is_staff = actor.works_tickets
    content = trimmed(content)
    now = clock.now()
    _check_values(
        content, channel, direction, emotion, is_internal, occurred_at, is_staff=is_staff, now=now
    )
    ticket = lock_ticket(ticket)
    _check_not_long_before(ticket, occurred_at)
    if ticket.status == Status.CLOSED and not is_internal:
        ticket = _instead_of_closed(
            ticket, actor=actor, is_staff=is_staff, content=content, channel=channel
        )
    channel = channel or (Channel.WEB if actor.role == Role.CUSTOMER else Channel.API)
    direction = _direction(direction, is_staff=is_staff, is_internal=is_internal)
    interaction = Interaction.objects.create(
        ticket=ticket,
        occurred_at=occurred_at or now,
        channel=channel,
        direction=direction,
        kind=_kind(
            actor, logged=logged, is_internal=is_internal, channel=channel, direction=direction
        ),
        author=actor,
        content=content,
        emotion=emotion,
        is_internal=is_internal,
        created_at=now,
    )
    audit.record(
        actor=actor,
        action=events.NOTE_ADDED if is_internal else events.INTERACTION_ADDED,
        target=interaction,
        after=audit.snapshot(interaction, INTERACTION_FIELDS),
    )
    if not _follow_up_on_status(ticket, actor=actor, interaction=interaction):
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    return interaction


def _open_follow_up(*, closed: Ticket, actor: User, content: str, channel: str | None) -> Ticket:
    """A new ticket of the closed ticket's customer, linked to it (`follows`), with the same
    kind, urgency, category and team, the message as its description, and audited on both.
    Returns it locked. A repeat of the same message within the duplicate window returns the
    ticket the first one opened."""
    subject = f"Re: {closed.subject}"
    if len(subject) > 200:
        subject = subject[:199] + "…"
    clean = _Clean(
        subject=subject,
        description=content,
        kind=closed.kind,
        urgency=closed.urgency,
        channel=channel or (Channel.WEB if actor.role == Role.CUSTOMER else Channel.API),
        category=closed.category,
        team=closed.team,
        assignee=None,
        customer=closed.customer,
        identity=None,
        order_ref=closed.order_ref,
        custom_fields={},
        content_hash=content_hash(subject, content),
    )
    intake = _register(actor, clean, None, "")
    follow_up = lock_ticket(intake.ticket)
    if not intake.created:
        if follow_up.follows_id != closed.pk or follow_up.status == Status.CLOSED:
            raise Conflict(_("This ticket is closed. Submit a new request instead."))
        return follow_up
    follow_up.follows = closed
    follow_up.save(update_fields=["follows"])
    audit.record(
        actor=actor,
        action=events.TICKET_FOLLOWS,
        target=follow_up,
        after={"follows": closed.number},
    )
    audit.record(
        actor=actor,
        action=events.TICKET_FOLLOWED_UP,
        target=closed,
        after={"follow_up": follow_up.number},
    )
    return follow_up


def _follow_up_on_status(ticket: Ticket, *, actor: User, interaction: Interaction) -> bool:
    """Apply what the interaction means for the ticket; True when the ticket was saved."""
    version = ticket.version
    response = counts_as_response(
        author=actor,
        is_internal=interaction.is_internal,
        direction=interaction.direction,
        channel=interaction.channel,
    )
    if response:
        signals.responded.send(Ticket, ticket=ticket, at=interaction.occurred_at)
        if ticket.first_response_at is None:
            before = {"first_response_at": None}
            ticket.first_response_at = interaction.occurred_at
            save_ticket(ticket, ["first_response_at"])
            audit.record(
                actor=actor, action=events.TICKET_FIRST_RESPONSE, target=ticket, before=before,
                after={"first_response_at": ticket.first_response_at},
            )  # fmt: skip
        if ticket.status == Status.NEW:
            apply_status(ticket, Status.IN_PROGRESS, actor=actor, note="first response")
    # The customer spoke (themselves, or recorded by staff): the ball is back with us.
    if interaction.direction == Direction.INBOUND and not interaction.is_internal:
        if not response:  # a call answered while it happened needs no next response
            signals.customer_wrote.send(Ticket, ticket=ticket, at=interaction.occurred_at)
        if ticket.status == Status.WAITING_CUSTOMER:
            apply_status(ticket, Status.IN_PROGRESS, actor=actor, note="customer replied")
        elif ticket.status == Status.RESOLVED:
            apply_status(ticket, Status.IN_PROGRESS, actor=actor, note=interaction.content[:500])
    return ticket.version != version


def add_system_notes(notes: Sequence[tuple[Ticket, str]], *, at: datetime) -> list[Interaction]:
    """Internal notes the application itself writes (no author), one per (ticket, text),
    inserted with one statement: what a sweep acting on many tickets says it did
    (escalation). Call inside the sweep's transaction; the tickets are locked by it."""
    return Interaction.objects.bulk_create(
        Interaction(
            ticket=ticket,
            occurred_at=at,
            channel=Channel.WEB,  # made in the application itself, by no one (author None)
            direction="",
            author=None,
            content=content,
            is_internal=True,
            kind=InteractionKind.NOTE,
            created_at=at,
        )
        for ticket, content in notes
    )


@transaction.atomic
def edit_interaction(
    *, interaction: Interaction, actor: User, content: str | None = None, emotion: str | None = None
) -> Interaction:
    """Correct a recorded interaction: its author, or a supervisor, manager or admin."""
    if not actor.works_tickets:
        raise NotPermitted(_("Your role may not edit the conversation."))
    if interaction.author_id != actor.pk and actor.role == Role.AGENT:
        raise NotPermitted(_("Only the author or a supervisor can edit this entry."))
    interaction = Interaction.objects.select_for_update().get(pk=interaction.pk)
    changes: dict[str, str] = {}
    if content is not None:
        content = trimmed(content)
        if not content:
            raise DomainError(_("This field is required."), field="content")
        if len(content) > MAX_DESCRIPTION:
            raise DomainError(_("Use at most 20,000 characters."), field="content")
        changes["content"] = content
    if emotion is not None:
        if emotion and emotion not in Emotion.values:
            raise DomainError(_("Choose a valid value."), field="emotion")
        changes["emotion"] = emotion
    before, after = audit.changed(audit.snapshot(interaction, changes), changes)
    if not after:
        return interaction
    for name, value in after.items():
        setattr(interaction, name, value)
    interaction.edited_at = clock.now()
    interaction.save(update_fields=[*after, "edited_at"])
    audit.record(
        actor=actor,
        action=events.INTERACTION_EDITED,
        target=interaction,
        before=before,
        after=after,
    )
    return interaction


# A written reply goes out through the ticket's own channel when it is a written one; a
# reply to a call or a visit is read where it was written (the portal).
WRITTEN_CHANNELS = frozenset({Channel.EMAIL, Channel.WEB, Channel.CHAT, Channel.SMS})

# The doors a request comes through: the web (desk and portal) and the API.
DOORS = frozenset({Channel.WEB, Channel.API})


@transaction.atomic
def post_interaction(
    *,
    ticket: Ticket,
    actor: User,
    content: str,
    door: str = Channel.WEB,
    is_internal: bool = False,
    channel: str | None = None,
    direction: str | None = None,
    emotion: str = "",
    occurred_at: datetime | None = None,
    commitment_text: str = "",
    commitment_due: datetime | None = None,
    attachments: Sequence[UploadedFile[bytes]] = (),
) -> Interaction:
    """Write to a ticket's conversation, through the web or the API (`door`): a reply, an
    internal note or a logged contact (channel and direction given) of staff, or a
    customer's or partner's message; with an optional promise (text and due time, staff
    only) and files — all or nothing, whichever the door.

    The channel: a customer's or partner's message came through the door (they do not
    choose it); staff log a contact on the channel they name; an internal note is made at
    the door; a staff reply goes out on the ticket's channel when that is a written one,
    else at the door. Rules and side effects are those of add_interaction,
    create_commitment and add_attachment (status moves, first response, a message to a
    closed ticket opening its follow-up, audit events). A refusal names the fields:
    content, channel, direction, emotion, occurred_at, commitment_text, commitment_due,
    attachments (prefixed with the file's name). On a refusal no row is stored and the
    files already written are deleted.
    """
    if door not in DOORS:
        raise ValueError(f"not a door: {door!r}")
    require_writer(actor)
    errors = _promise_errors(commitment_text, commitment_due)
    if not actor.works_tickets and channel is not None:
        errors["channel"] = _("Your role may not set this field.")  # the door is theirs
    if errors:
        raise ValidationFailed(errors)
    interaction = add_interaction(
        ticket=ticket,
        actor=actor,
        content=content,
        channel=_channel_of(ticket, actor=actor, door=door, channel=channel, internal=is_internal),
        direction=None if is_internal else direction,
        emotion=emotion,
        is_internal=is_internal,
        occurred_at=occurred_at,
        # staff who name a channel, or record what came in, log a contact
        logged=actor.works_tickets and (channel is not None or direction == Direction.INBOUND),
    )
    if commitment_text.strip() and commitment_due is not None:
        _promise(interaction.ticket, actor=actor, text=commitment_text, due_at=commitment_due)
    attach_files(
        ticket=interaction.ticket, actor=actor, uploads=attachments, interaction=interaction
    )
    return interaction


def _promise_errors(text: str, due_at: datetime | None) -> dict[str, Promise | str]:
    """A promise is a text and a time, both or neither."""
    errors: dict[str, Promise | str] = {}
    if text.strip() and due_at is None:
        errors["commitment_due"] = _("Give the time by which the promise is kept.")
    if due_at is not None and not text.strip():
        errors["commitment_text"] = _("Write what was promised.")
    return errors


def _channel_of(
    ticket: Ticket, *, actor: User, door: str, channel: str | None, internal: bool
) -> str:
    """The channel an interaction is recorded on (see post_interaction)."""
    if not actor.works_tickets or internal:
        return door
    if channel is not None:
        return channel
    return ticket.channel if ticket.channel in WRITTEN_CHANNELS else door


def _promise(ticket: Ticket, *, actor: User, text: str, due_at: datetime) -> None:
    """create_commitment, its refusals named as the composer's fields."""
    try:
        create_commitment(ticket=ticket, actor=actor, text=text.strip(), due_at=due_at)
    except ValidationFailed as error:
        names = {"text": "commitment_text", "due_at": "commitment_due"}
        raise ValidationFailed(
            {names.get(name, "commitment_text"): message for name, message in error.errors.items()}
        ) from error
