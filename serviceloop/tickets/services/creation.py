"""create_ticket: the one way in, whoever brings the request (the portal, the API, an agent
logging a call, visit or message; later the channels of their own)."""

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import Team, User
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.errors import DomainError, NotPermitted, ValidationFailed
from serviceloop.core.rows import insert_row
from serviceloop.core.text import trimmed
from serviceloop.customers.models import Customer
from serviceloop.customers.services import CustomerIdentity, find_or_create_customer

from .. import events, numbering, search, signals
from ..choices import Channel, Kind, Status, Urgency
from ..custom_fields import clean_custom_fields
from ..models import Category, IdempotencyKey, Ticket
from ..reference import catalogue
from .rules import check_assignee, team_for_category

MAX_DESCRIPTION = 20_000
_SHOWN = ("category", "team", "assignee", "customer", "merged_into")  # what the API shows
CREATED_FIELDS = (
    "number", "subject", "kind", "urgency", "channel", "status", "category", "team", "assignee",
    "customer", "order_ref", "custom_fields", "submitter_organisation",
)  # fmt: skip
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")


@dataclass(frozen=True, kw_only=True)
class TicketDraft:
    """A request as a channel received it; references are codes and ids, not objects."""

    description: str
    subject: str = ""
    kind: str = Kind.INQUIRY
    urgency: str | None = None
    channel: str | None = None  # staff: where the request was received
    category: str | None = None
    team: str | None = None
    assignee: int | None = None
    customer_id: int | None = None
    customer: CustomerIdentity | None = None
    order_ref: str = ""
    custom_fields: Mapping[str, Any] = field(default_factory=dict)
    door: str | None = None  # the door it came through (web, api): a customer's channel

    def fingerprint(self) -> str:
        """Same draft, same fingerprint: what an Idempotency-Key is compared against."""
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class TicketIntake:
    """What became of a submission."""

    ticket: Ticket
    created: bool
    duplicate: bool = False  # identical to a ticket of the same customer within the window
    replayed: bool = False  # a retry with an Idempotency-Key seen before


@dataclass(frozen=True, kw_only=True)
class _Clean:
    subject: str
    description: str
    kind: str
    urgency: str
    channel: str
    category: Category | None
    team: Team | None
    assignee: User | None
    customer: Customer | None
    identity: CustomerIdentity | None
    order_ref: str
    custom_fields: dict[str, Any]
    content_hash: str


def normalised_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def content_hash(subject: str, description: str) -> str:
    text = normalised_text(subject) + "\n" + normalised_text(description)
    return hashlib.sha256(text.encode()).hexdigest()


def derived_subject(description: str) -> str:
    first_line = trimmed(trimmed(description).splitlines()[0])
    return first_line if len(first_line) <= 80 else first_line[:79] + "…"


# Fields each submitting role may not fill in (the rest of the draft is open to it).
_FORBIDDEN_FIELDS: dict[str, tuple[str, ...]] = {
    Role.CUSTOMER: ("urgency", "team", "assignee", "customer_id", "customer"),
    Role.PARTNER: ("team", "assignee", "customer_id"),
}


def create_ticket(
    *, actor: User, draft: TicketDraft, idempotency_key: str | None = None
) -> TicketIntake:
    """Register a request from any channel and return what became of it.

    - The customer is matched (or created) by CRM id, e-mail or phone.
    - A retry with the same Idempotency-Key and draft returns the first ticket; the same key
      with another draft raises DomainError on "Idempotency-Key".
    - An identical text from the same customer within DUPLICATE_WINDOW_MINUTES returns the
      earlier ticket with `duplicate=True` instead of creating a second one.
    Raises NotPermitted for roles that cannot submit, ValidationFailed for bad fields.
    """
    if not actor.submits_tickets:
        raise NotPermitted(_("Your role may not create tickets."))
    fingerprint = ""
    if idempotency_key is not None:
        if not _IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise DomainError(_("Use 1 to 255 visible ASCII characters."), field="Idempotency-Key")
        fingerprint = draft.fingerprint()
        if replay := _replay(actor, idempotency_key, fingerprint):
            return replay
    clean = _validate(actor, draft)
    try:
        return _register(actor, clean, idempotency_key, fingerprint)
    except IntegrityError:
        # Another request with the same key committed first: answer as its retry.
        if idempotency_key and (replay := _replay(actor, idempotency_key, fingerprint)):
            return replay
        raise


def create_tickets(
    *, actor: User, drafts: Sequence[tuple[TicketDraft, str | None]]
) -> list[TicketIntake | DomainError]:
    """Batch intake: each (draft, idempotency key) on its own; one result per item, in order.

    Raises NotPermitted, for the whole batch, when the actor may not create tickets at all.
    """
    if not actor.submits_tickets:
        raise NotPermitted(_("Your role may not create tickets."))
    results: list[TicketIntake | DomainError] = []
    for draft, key in drafts:
        try:
            results.append(create_ticket(actor=actor, draft=draft, idempotency_key=key))
        except DomainError as error:
            results.append(error)
    return results


def _replay(actor: User, key: str, fingerprint: str) -> TicketIntake | None:
    seen = IdempotencyKey.objects.select_related("ticket").filter(user=actor, key=key).first()
    if seen is None:
        return None
    if seen.request_hash != fingerprint:
        raise DomainError(
            _("This Idempotency-Key was already used for a different request."),
            field="Idempotency-Key",
            code="idempotency_key_reused",
        )
    return TicketIntake(seen.ticket, created=False, replayed=True)


def _validate(actor: User, draft: TicketDraft) -> _Clean:
    """The draft checked and its codes and ids resolved to rows. Raises ValidationFailed
    naming every field at fault, NotPermitted for a login not linked to its record."""
    errors: dict[str, Promise | str] = {}
    _check_forbidden_fields(actor, draft, errors)
    subject, description, order_ref = _check_values(draft, errors)
    category, team = _routing(draft, errors)
    assignee = _assignee(draft, team, errors)
    customer, identity = _customer(actor, draft, errors)
    custom_fields = _custom_fields(draft, errors)
    if errors:
        raise ValidationFailed(errors)
    subject = subject or derived_subject(description)
    default_channel = draft.door or (Channel.WEB if actor.role == Role.CUSTOMER else Channel.API)
    return _Clean(
        subject=subject,
        description=description,
        kind=draft.kind,
        urgency=draft.urgency or Urgency.MEDIUM,
        channel=draft.channel or default_channel,
        category=category,
        team=team,
        assignee=assignee,
        customer=customer,
        identity=identity,
        order_ref=order_ref,
        custom_fields=custom_fields,
        content_hash=content_hash(draft.subject, description),
    )


def _check_forbidden_fields(
    actor: User, draft: TicketDraft, errors: dict[str, Promise | str]
) -> None:
    """The fields the actor's role may not fill in; a customer's or partner's channel is
    the door the request came through."""
    for name in _FORBIDDEN_FIELDS.get(actor.role, ()):
        if getattr(draft, name) not in (None, ""):
            errors[name] = _("Your role may not set this field.")
    if actor.role in _FORBIDDEN_FIELDS and draft.door and draft.channel not in (None, draft.door):
        errors["channel"] = _("Your role may not set this field.")  # they came through the door


def _check_values(draft: TicketDraft, errors: dict[str, Promise | str]) -> tuple[str, str, str]:
    """The texts and choices of the draft checked; (subject, description, order_ref)
    stripped."""
    description = trimmed(draft.description)
    if not description:
        errors["description"] = _("This field is required.")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _("Use at most 20,000 characters.")
    subject = trimmed(draft.subject)
    if len(subject) > 200:
        errors["subject"] = _("Use at most 200 characters.")
    if draft.kind not in Kind.values:
        errors["kind"] = _("Choose a valid value.")
    if draft.urgency is not None and draft.urgency not in Urgency.values:
        errors["urgency"] = _("Choose a valid value.")
    if draft.channel is not None and draft.channel not in Channel.values:
        errors["channel"] = _("Choose a valid value.")
    order_ref = draft.order_ref.strip()
    if len(order_ref) > 64:
        errors["order_ref"] = _("Use at most 64 characters.")
    return subject, description, order_ref


def _routing(
    draft: TicketDraft, errors: dict[str, Promise | str]
) -> tuple[Category | None, Team | None]:
    """The category and the team by their codes; without a team, the category's."""
    known = catalogue()
    category = None
    if draft.category:
        category = known.categories.get(draft.category)
        if category is None:
            errors["category"] = _("There is no active category with this code.")
    team = None
    if draft.team:
        team = known.teams.get(draft.team)
        if team is None:
            errors["team"] = _("There is no active team with this code.")
    elif "category" not in errors:
        team = team_for_category(category)
    return category, team


def _assignee(
    draft: TicketDraft, team: Team | None, errors: dict[str, Promise | str]
) -> User | None:
    """The assignee by id, checked against the team."""
    if draft.assignee is None or "assignee" in errors:
        return None
    assignee = User.objects.filter(pk=draft.assignee).first()
    problem = check_assignee(assignee, team)
    if problem:
        errors["assignee"] = problem
    return assignee


def _customer(
    actor: User, draft: TicketDraft, errors: dict[str, Promise | str]
) -> tuple[Customer | None, CustomerIdentity | None]:
    """Whom the ticket is for: a customer login's own record, the customer with the id, or
    the identity to match (or create) the customer by. NotPermitted for a partner or
    customer login not linked to its organisation or record."""
    customer, identity = None, None
    if actor.role == Role.PARTNER and actor.organisation_id is None:
        raise NotPermitted(_("Your partner login is not linked to an organisation."))
    if actor.role == Role.CUSTOMER:
        customer = Customer.objects.filter(user=actor).first()
        if customer is None:
            raise NotPermitted(_("Your login is not linked to a customer record."))
    elif draft.customer_id is not None and "customer_id" not in errors:
        customer = Customer.objects.filter(pk=draft.customer_id).first()
        if customer is None:
            errors["customer_id"] = _("There is no customer with this id.")
    elif draft.customer is not None and "customer" not in errors:
        try:
            identity = draft.customer.normalised()
        except ValidationFailed as error:
            errors.update(error.errors)
    elif "customer" not in errors:
        errors["customer"] = _(
            "Say who the customer is: customer_id, or customer with e-mail, phone or CRM id."
        )
    return customer, identity


def _custom_fields(draft: TicketDraft, errors: dict[str, Promise | str]) -> dict[str, Any]:
    try:
        return clean_custom_fields(draft.custom_fields)
    except ValidationFailed as error:
        errors.update(error.errors)
        return {}


@transaction.atomic
def _register(
    actor: User, clean: _Clean, idempotency_key: str | None, fingerprint: str
) -> TicketIntake:
    if clean.customer is not None:
        # Lock the customer: two submissions of the same customer are handled one at a time,
        # so the duplicate guard below cannot be raced.
        customer = Customer.objects.select_for_update().get(pk=clean.customer.pk)
    else:
        assert clean.identity is not None
        customer, _created = find_or_create_customer(
            identity=clean.identity, actor=actor, lock=True
        )
    now = clock.now()
    window = timedelta(minutes=settings.DUPLICATE_WINDOW_MINUTES)
    earlier_id, number = _duplicate_or_number(customer.pk, clean.content_hash, now, window)
    if earlier_id is not None:
        duplicate = Ticket.objects.select_related(*_SHOWN).get(pk=earlier_id)
        _remember_key(actor, idempotency_key, fingerprint, duplicate)
        return TicketIntake(duplicate, created=False, duplicate=True)
    assert number is not None
    values = {
        "number": number,
        "subject": clean.subject,
        "description": clean.description,
        "kind": clean.kind,
        "urgency": clean.urgency,
        "channel": clean.channel,
        "status": Status.NEW,
        "category_id": clean.category.pk if clean.category else None,
        "team_id": clean.team.pk if clean.team else None,
        "assignee_id": clean.assignee.pk if clean.assignee else None,
        "customer_id": customer.pk,
        "submitter_id": actor.pk,
        "submitter_organisation_id": actor.organisation_id if actor.role == Role.PARTNER else None,
        "order_ref": clean.order_ref,
        "custom_fields": clean.custom_fields,
        "resolution": "",
        "reopen_count": 0,
        "version": 1,
        "content_hash": clean.content_hash,
        "search_document": search.document(
            number, clean.subject, clean.description, clean.order_ref
        ),
        "created_at": now,
        "updated_at": now,
    }
    ticket = Ticket(**values)
    ticket.pk = insert_row(Ticket, values)  # the hottest insert: see core.rows
    ticket._state.adding = False
    ticket.category, ticket.team, ticket.assignee = clean.category, clean.team, clean.assignee
    ticket.customer = customer
    audit.record(
        actor=actor,
        action=events.TICKET_CREATED,
        target=ticket,
        after=audit.snapshot(ticket, CREATED_FIELDS),
    )
    signals.created.send(Ticket, ticket=ticket)  # its SLA clock; the team's rule may assign it
    _remember_key(actor, idempotency_key, fingerprint, ticket)
    return TicketIntake(ticket, created=True)


_DUPLICATE = (
    f"SELECT id FROM {Ticket._meta.db_table}"  # noqa: S608
    " WHERE customer_id = %s AND created_at >= %s AND content_hash = %s"
    " ORDER BY created_at DESC LIMIT 1"
)


# PostgreSQL: the duplicate check as a lateral subquery, so that it runs once (a scalar
# subquery named twice ran twice). The window's start is a sub-select: the planner cannot
# read its value, so the prepared statement's generic plan (the customer's index) is as good
# as a custom one and is kept, instead of planning the statement anew on every intake
# (~0.15 ms of the database's time) with estimates of the newest rows that may be stale.
_DUPLICATE_OR_NUMBER = (
    f"SELECT d.id, CASE WHEN d.id IS NULL THEN {numbering.NEXT_VALUE_SQL} END"  # noqa: S608
    f" FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT id FROM {Ticket._meta.db_table}"
    " WHERE customer_id = %s AND created_at >= (SELECT %s::timestamptz) AND content_hash = %s"
    " ORDER BY created_at DESC LIMIT 1) d ON true"
)


def _duplicate_or_number(
    customer_id: int, text_hash: str, now: datetime, window: timedelta
) -> tuple[int | None, str | None]:
    """(the id of this customer's latest ticket with the same text within the window, None)
    or (None, a fresh ticket number).

    Hand-written: it runs on every intake (see core.rows). On PostgreSQL it is one round
    trip, and a number is drawn only when there is no duplicate.
    """
    since = Ticket._meta.get_field("created_at").get_db_prep_value(now - window, connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            day = timezone.localdate(now)
            cursor.execute(_DUPLICATE_OR_NUMBER, [day, customer_id, since, text_hash])
            earlier_id, value = cursor.fetchone()
            if earlier_id is not None:
                return int(earlier_id), None
            return None, numbering.format_number(day, int(value))
        cursor.execute(_DUPLICATE, [customer_id, since, text_hash])
        row = cursor.fetchone()
    if row is not None:
        return int(row[0]), None
    return None, numbering.next_number(now)


def _remember_key(actor: User, key: str | None, fingerprint: str, ticket: Ticket) -> None:
    if key is not None:
        IdempotencyKey.objects.create(user=actor, key=key, request_hash=fingerprint, ticket=ticket)
