"""Customer use cases: identify a customer from what a channel knows, create, update."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache

from django.db import IntegrityError, connection, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import User
from serviceloop.audit import services as audit
from serviceloop.core import clock, rows
from serviceloop.core.errors import Conflict, DomainError, NotPermitted, ValidationFailed

from . import events
from .choices import ContactKind, Verification
from .contacts import normalise_email, normalise_phone
from .models import Customer, CustomerContact, CustomerTier, Organisation

CUSTOMER_FIELDS = ("name", "organisation", "tier", "external_id", "language", "notes")


@dataclass(frozen=True, kw_only=True)
class CustomerIdentity:
    """What a channel knows about the person behind a request."""

    external_id: str = ""
    email: str = ""
    phone: str = ""
    name: str = ""
    language: str = ""

    def normalised(self, *, field_prefix: str = "customer.") -> "CustomerIdentity":
        errors = {}
        email = phone = ""
        try:
            email = normalise_email(self.email) if self.email.strip() else ""
        except DomainError as error:
            errors[field_prefix + "email"] = error.message
        try:
            phone = normalise_phone(self.phone) if self.phone.strip() else ""
        except DomainError as error:
            errors[field_prefix + "phone"] = error.message
        external_id = self.external_id.strip()
        if len(external_id) > 64:
            errors[field_prefix + "external_id"] = _("Use at most 64 characters.")
        if errors:
            raise ValidationFailed(errors)
        if not (external_id or email or phone):
            raise ValidationFailed(
                {
                    field_prefix.rstrip(".") or "email": _(
                        "Give the customer's e-mail, phone or CRM id."
                    )
                }
            )
        return replace(
            self, external_id=external_id, email=email, phone=phone, name=self.name.strip()
        )


@cache
def _by_crm_id() -> str:
    return (
        f"SELECT {rows.columns_of(Customer, 'c')} FROM {Customer._meta.db_table} c"  # noqa: S608
        " WHERE c.external_id = %s"
    )


@cache
def _by_contact() -> str:
    return (
        f"SELECT {rows.columns_of(Customer, 'c')} FROM {Customer._meta.db_table} c"  # noqa: S608
        f" JOIN {CustomerContact._meta.db_table} k ON k.customer_id = c.id"
        " WHERE k.kind = %s AND k.value = %s"
    )


def _find(identity: CustomerIdentity, *, lock: bool) -> tuple[Customer | None, str]:
    """The customer these identifiers point at — CRM id first, then e-mail, then phone —
    and which identifier found them.

    Hand-written SQL: every intake runs this (see core.rows on the ORM's compile cost).
    """
    suffix = (
        " LIMIT 1 FOR UPDATE OF c" if lock and connection.vendor == "postgresql" else " LIMIT 1"
    )
    lookups = (
        ("external_id", identity.external_id, _by_crm_id, [identity.external_id]),
        (ContactKind.EMAIL, identity.email, _by_contact, [ContactKind.EMAIL, identity.email]),
        (ContactKind.PHONE, identity.phone, _by_contact, [ContactKind.PHONE, identity.phone]),
    )
    for name, value, sql, params in lookups:
        if value and (found := rows.fetch_one(Customer, sql() + suffix, params, alias="c")):
            return found, name
    return None, ""


def find_or_create_customer(
    *, identity: CustomerIdentity, actor: User | None, lock: bool = False
) -> tuple[Customer, bool]:
    """Match a customer by CRM id / e-mail / phone or create one; returns (customer, created).

    The contacts of the identity are what the submitter typed, not proof: a new customer's
    contacts and the new contacts of a known one are recorded unverified (never primary,
    never used to sign in, to follow a ticket or to receive our messages).
    With `lock`, the customer row stays locked until the caller's transaction ends, so two
    requests for the same customer are handled one after the other.
    """
    identity = identity.normalised()
    found, matched_by = _find(identity, lock=lock)
    if found is not None:
        _add_missing_contacts(found, identity, matched_by=matched_by, actor=actor)
        return found, False
    name = identity.name or identity.email.split("@")[0] or identity.phone or identity.external_id
    try:
        with transaction.atomic():  # a concurrent request may be creating the same customer
            customer = _insert_customer(
                actor=actor,
                name=name[:200],
                email=identity.email,
                phone=identity.phone,
                external_id=identity.external_id,
                language=identity.language,
            )
    except IntegrityError:
        found, _matched_by = _find(identity, lock=lock)
        if found is not None:
            return found, False
        raise
    return customer, True


def _add_missing_contacts(
    customer: Customer, identity: CustomerIdentity, *, matched_by: str, actor: User | None
) -> None:
    """Remember a new e-mail or phone of a known customer, unless it belongs to someone else.
    It is unverified: whoever named it may not be the customer."""
    for kind, value in ((ContactKind.EMAIL, identity.email), (ContactKind.PHONE, identity.phone)):
        if not value or kind == matched_by:
            continue
        if not CustomerContact.objects.filter(kind=kind, value=value).exists():
            _insert_contact(customer, kind, value, actor=actor)


def _insert_contact(
    customer: Customer, kind: str, value: str, *, actor: User | None
) -> CustomerContact:
    contact = CustomerContact.objects.create(customer=customer, kind=kind, value=value)
    audit.record(
        actor=actor,
        action=events.CUSTOMER_CONTACT_ADDED,
        target=customer,
        after={"kind": kind, "value": value},
    )
    return contact


def _verify(
    contact: CustomerContact, *, via: str, actor: User | None, note: str = ""
) -> CustomerContact:
    """Mark the contact verified; it becomes primary when its customer has no primary
    contact of its kind yet. Audit: customer.contact_verified."""
    contact.verified_at = clock.now()
    contact.verified_via = via
    contact.verified_by = actor if via == Verification.STAFF else None
    contact.verification_note = note
    contact.is_primary = not CustomerContact.objects.filter(
        customer_id=contact.customer_id, kind=contact.kind, is_primary=True
    ).exists()
    contact.save(
        update_fields=[
            "verified_at", "verified_via", "verified_by", "verification_note", "is_primary",
        ]
    )  # fmt: skip
    audit.record(
        actor=actor,
        action=events.CUSTOMER_CONTACT_VERIFIED,
        target=contact.customer,
        after={"kind": contact.kind, "value": contact.value, "via": via},
        note=note,
    )
    return contact


def _reason(reason: str, *, field: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say how you know this contact is the customer's own."), field=field)
    if len(reason) > 200:
        raise DomainError(_("Use at most 200 characters."), field=field)
    return reason


def _insert_customer(
    *,
    actor: User | None,
    name: str,
    email: str = "",
    phone: str = "",
    external_id: str = "",
    organisation: Organisation | None = None,
    tier: CustomerTier | None = None,
    language: str = "",
    notes: str = "",
    user: User | None = None,
    confirmation: str = "",
) -> Customer:
    """The customer and their contacts, unverified unless staff give a `confirmation`."""
    customer = Customer.objects.create(
        name=name,
        external_id=external_id or None,
        organisation=organisation,
        tier=tier,
        language=language,
        notes=notes,
        user=user,
        created_by=actor,
    )
    contacts = [
        CustomerContact.objects.create(customer=customer, kind=kind, value=value)
        for kind, value in ((ContactKind.EMAIL, email), (ContactKind.PHONE, phone))
        if value
    ]
    audit.record(
        actor=actor,
        action=events.CUSTOMER_CREATED,
        target=customer,
        after={**audit.snapshot(customer, CUSTOMER_FIELDS), "email": email, "phone": phone},
    )
    if confirmation:
        for contact in contacts:
            _verify(contact, via=Verification.STAFF, actor=actor, note=confirmation)
    return customer


def _require_staff(actor: User) -> None:
    if not actor.works_tickets:
        raise NotPermitted(_("Your role may not change customer records."))


@transaction.atomic
def create_customer(
    *,
    actor: User,
    name: str,
    email: str = "",
    phone: str = "",
    external_id: str = "",
    organisation: Organisation | None = None,
    tier: CustomerTier | None = None,
    language: str = "",
    notes: str = "",
    user: User | None = None,
    confirmation: str = "",
) -> Customer:
    """Register a customer; e-mail, phone and CRM id must not belong to another customer.

    The contacts are unverified unless `confirmation` says how the staff member knows they
    are the customer's (e.g. "checked with the customer on the phone"): then they are
    confirmed by staff, audited with that reason.
    """
    _require_staff(actor)
    errors: dict[str, Promise | str] = {}
    if not name.strip():
        errors["name"] = _("This field is required.")
    if confirmation.strip():
        try:
            confirmation = _reason(confirmation, field="confirmation")
        except DomainError as error:
            errors["confirmation"] = error.message
    try:
        identity = CustomerIdentity(external_id=external_id, email=email, phone=phone).normalised(
            field_prefix=""
        )
    except ValidationFailed as error:
        errors.update(error.errors)
        identity = CustomerIdentity()
    if identity.external_id and Customer.objects.filter(external_id=identity.external_id).exists():
        errors["external_id"] = _("Another customer has this CRM id.")
    for kind, value in ((ContactKind.EMAIL, identity.email), (ContactKind.PHONE, identity.phone)):
        if value and CustomerContact.objects.filter(kind=kind, value=value).exists():
            errors[kind] = _("Another customer has this contact.")
    if errors:
        raise ValidationFailed(errors)
    return _insert_customer(
        actor=actor,
        name=name.strip(),
        email=identity.email,
        phone=identity.phone,
        external_id=identity.external_id,
        organisation=organisation,
        tier=tier,
        language=language,
        notes=notes,
        user=user,
        confirmation=confirmation.strip(),
    )


@transaction.atomic
def update_customer(*, customer: Customer, actor: User, changes: Mapping[str, object]) -> Customer:
    """Change the customer's own fields (CUSTOMER_FIELDS); contacts have their own use cases."""
    _require_staff(actor)
    unknown = set(changes) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValueError(f"not customer fields: {sorted(unknown)}")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if "name" in changes and not str(changes["name"]).strip():
        raise DomainError(_("This field is required."), field="name")
    if "external_id" in changes:
        external_id = str(changes["external_id"] or "").strip() or None
        if (
            external_id
            and Customer.objects.filter(external_id=external_id).exclude(pk=customer.pk).exists()
        ):
            raise DomainError(_("Another customer has this CRM id."), field="external_id")
        changes = {**changes, "external_id": external_id}
    before = audit.snapshot(customer, changes)
    for field, value in changes.items():
        setattr(
            customer, field, value.strip() if isinstance(value, str) and field == "name" else value
        )
    customer.updated_at = clock.now()
    customer.save(update_fields=[*changes, "updated_at"])
    before, after = audit.changed(before, audit.snapshot(customer, changes))
    if after:
        audit.record(
            actor=actor, action=events.CUSTOMER_UPDATED, target=customer, before=before, after=after
        )
    return customer


@transaction.atomic
def add_contact(
    *, customer: Customer, actor: User, kind: str, value: str, confirmation: str = ""
) -> CustomerContact:
    """Add an e-mail or phone to the customer: unverified, or confirmed by staff when
    `confirmation` gives the reason."""
    _require_staff(actor)
    if confirmation.strip():
        confirmation = _reason(confirmation, field="confirmation")
    if kind not in ContactKind.values:
        raise DomainError(_("Choose e-mail or phone."), field="kind")
    value = (
        normalise_email(value, field="value")
        if kind == ContactKind.EMAIL
        else normalise_phone(value, field="value")
    )
    if CustomerContact.objects.filter(kind=kind, value=value).exists():
        raise DomainError(_("Another customer has this contact."), field="value")
    contact = _insert_contact(customer, kind, value, actor=actor)
    if confirmation:
        _verify(contact, via=Verification.STAFF, actor=actor, note=confirmation)
    return contact


@transaction.atomic
def confirm_contact(*, contact: CustomerContact, actor: User, reason: str) -> CustomerContact:
    """Staff confirm that a contact is the customer's own, saying how they know (audited):
    from then on it can sign in to the portal, follow tickets and receive our messages.
    Confirming a verified contact changes nothing."""
    _require_staff(actor)
    reason = _reason(reason, field="reason")
    contact = (
        CustomerContact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
    )
    if contact.is_verified:
        return contact
    return _verify(contact, via=Verification.STAFF, actor=actor, note=reason)


@transaction.atomic
def customer_for_verified_email(*, user: User, email: str) -> tuple[Customer, bool]:
    """The customer record of a portal login whose owner has just proved `email` is theirs
    (they followed the link mailed to it); returns (customer, created).

    Only a verified contact names a customer: staff confirmed it, or its owner verified it
    before. An address someone else typed on a customer record proves nothing about that
    customer, so the login gets a new record with the address (verified), and the record
    that named it loses it (audited). Raises Conflict when the customer of the verified
    address has another login.
    """
    email = normalise_email(email)
    contact = (
        CustomerContact.objects.select_for_update()
        .select_related("customer")
        .filter(kind=ContactKind.EMAIL, value=email)
        .first()
    )
    if contact is not None and contact.is_verified:
        customer = Customer.objects.select_for_update().get(pk=contact.customer_id)
        if customer.user_id is not None and customer.user_id != user.pk:
            raise Conflict(
                _("This e-mail address belongs to another account. Sign in with that one."),
                field="email",
            )
        return customer, False
    if contact is not None:
        audit.record(
            actor=user,
            action=events.CUSTOMER_CONTACT_REMOVED,
            target=contact.customer,
            before={"kind": contact.kind, "value": contact.value},
            note="the owner of the address verified it for their own portal account",
        )
        contact.delete()
    customer = _insert_customer(
        actor=user,
        name=(user.full_name or email.split("@")[0])[:200],
        email=email,
        language=user.language,
    )
    _verify(customer.contacts.get(kind=ContactKind.EMAIL), via=Verification.LINK, actor=user)
    return customer, True


@transaction.atomic
def remove_contact(*, contact: CustomerContact, actor: User) -> None:
    _require_staff(actor)
    audit.record(
        actor=actor,
        action=events.CUSTOMER_CONTACT_REMOVED,
        target=contact.customer,
        before={"kind": contact.kind, "value": contact.value},
    )
    contact.delete()
