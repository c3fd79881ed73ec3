"""Read side of following a ticket's progress: the public progress check (ticket number and
the customer's e-mail or phone, no sign-in) and the cheap change stamp the portal polls."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import User
from serviceloop.core.errors import DomainError, ValidationFailed
from serviceloop.customers.choices import ContactKind
from serviceloop.customers.contacts import normalise_email, normalise_phone
from serviceloop.customers.models import Customer

from .choices import InteractionKind
from .models import Attachment, Commitment, Interaction, Ticket
from .numbering import NUMBER_PATTERN
from .queries import files_condition, kinds_condition, visible_sql


@dataclass(frozen=True, kw_only=True)
class Progress:
    """What the public progress check shows: status and dates, never the texts."""

    number: str
    status: str
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    merged_into: str | None
    replies: list[datetime]  # when customer service answered publicly, oldest first


_PROGRESS_COLUMNS = (
    "id", "number", "status", "created_at", "updated_at", "resolved_at", "closed_at",
    "merged_into__number",
)  # fmt: skip


def _contact(value: str) -> tuple[str, str]:
    """(kind, normalised value) of an e-mail address or a phone number, as intake stores it."""
    if "@" in value:
        return ContactKind.EMAIL, normalise_email(value, field="contact")
    return ContactKind.PHONE, normalise_phone(value, field="contact")


def track_ticket(*, number: str, contact: str) -> Progress | None:
    """The progress of the ticket with `number` when `contact` (e-mail or phone) is one of
    its customer's verified contacts (one someone else typed proves nothing); None
    otherwise — the same None whether the number does not exist or the contact does not
    match, so nothing can be learnt by trying.

    Raises ValidationFailed ("number", "contact") only for input that cannot be a ticket
    number or a contact at all.
    """
    errors: dict[str, Promise | str] = {}
    number = number.strip().upper()
    if not NUMBER_PATTERN.fullmatch(number):
        errors["number"] = _("Enter a ticket number such as CS-20261122-000123.")
    kind = value = ""
    try:
        kind, value = _contact(contact.strip())
    except DomainError:
        errors["contact"] = _("Enter the e-mail address or phone number you gave us.")
    if errors:
        raise ValidationFailed(errors)
    found = (
        Ticket.objects.filter(
            number=number,
            customer__contacts__kind=kind,
            customer__contacts__value=value,
            customer__contacts__verified_at__isnull=False,
        )
        .values(*_PROGRESS_COLUMNS)
        .first()
    )
    if found is None:
        return None
    replies = Interaction.objects.filter(
        ticket_id=found["id"], kind=InteractionKind.REPLY
    ).values_list("occurred_at", flat=True)
    return Progress(
        number=found["number"],
        status=found["status"],
        created_at=found["created_at"],
        updated_at=found["updated_at"],
        resolved_at=found["resolved_at"],
        closed_at=found["closed_at"],
        merged_into=found["merged_into__number"],
        replies=sorted(replies),
    )


def _stamp_sql(condition: str, *, entries: str, files: str) -> str:
    """Scalar subqueries over the ticket's rows, each on an index of `ticket_id`; `entries`
    and `files` leave out what the reader may not read."""
    parts = [
        f"SELECT {aggregate} FROM {model._meta.db_table} x WHERE x.ticket_id = t.id{extra}"  # noqa: S608
        for aggregate, model, extra in (
            ("COUNT(*)", Interaction, entries),
            ("MAX(x.id)", Interaction, entries),
            ("MAX(x.edited_at)", Interaction, entries),
            ("COUNT(*)", Commitment, ""),
            ("COUNT(*)", Commitment, " AND x.status <> 'open'"),
            ("MAX(x.id)", Attachment, files),
        )
    ]
    return (
        f"SELECT t.version, {', '.join(f'({part})' for part in parts)}"  # noqa: S608
        f" FROM {Ticket._meta.db_table} t JOIN {Customer._meta.db_table} c ON c.id = t.customer_id"
        f" WHERE t.number = %s AND {condition}"
    )


def progress_stamp(user: User, number: str) -> str:
    """A short fingerprint of everything the ticket page shows `user` that can change: status
    and details (the version), the conversation, its edits, the commitments and the files.
    Equal stamps mean nothing to redraw. Raises Http404 like `get_ticket_for`.

    One hand-written statement: the portal asks every few seconds per open page.
    """
    number = number.strip().upper()
    if not NUMBER_PATTERN.fullmatch(number):
        raise Http404("ticket")
    condition, params = visible_sql(user)
    with connection.cursor() as cursor:
        entries = kinds_condition(user, "x.kind")
        files = files_condition(user, "x")
        cursor.execute(_stamp_sql(condition, entries=entries, files=files), [number, *params])
        row = cursor.fetchone()
    if row is None:
        raise Http404("ticket")
    return hashlib.blake2b(repr(tuple(row)).encode(), digest_size=8).hexdigest()
