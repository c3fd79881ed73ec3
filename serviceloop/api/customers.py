"""/api/v1/customers: customers with their contacts, ticket history and summary counts."""

from contextlib import suppress
from datetime import datetime
from typing import Any, Literal

from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Status

from serviceloop.accounts.models import User
from serviceloop.core.errors import DomainError
from serviceloop.core.keyset import paginate
from serviceloop.customers import queries, services
from serviceloop.customers.contacts import normalise_phone
from serviceloop.customers.models import Customer, CustomerContact, CustomerTier, Organisation
from serviceloop.tickets import queries as ticket_queries
from serviceloop.tickets.choices import Kind
from serviceloop.tickets.choices import Status as TicketStatus

from .common import (
    CodeName,
    Id,
    In,
    OrganisationRef,
    Out,
    PageOut,
    QueryIn,
    actor,
    code_name,
    page_links,
)

router = Router(tags=["customers"])


class ContactOut(Out):
    id: int
    kind: str
    value: str
    is_primary: bool
    verified: bool = Field(
        description="Its owner followed a link we sent to it, or staff confirmed it"
    )
    verified_via: Literal["", "link", "staff"]


CONFIRMATION = (
    "How you know the contacts are the customer's own (e.g. 'checked with the customer on"
    " the phone'). Given, they are confirmed: they can sign in to the portal and receive our"
    " messages. Left out, they are recorded unverified."
)


class CustomerOut(Out):
    id: int
    name: str
    organisation: OrganisationRef | None
    tier: CodeName | None
    external_id: str | None
    language: str
    notes: str | None
    contacts: list[ContactOut]
    created_at: datetime
    updated_at: datetime


class TicketSummary(Out):
    number: str
    subject: str
    kind: Kind
    status: TicketStatus
    created_at: datetime
    resolved_at: datetime | None


class TicketHistory(Out):
    total: int
    open: int
    resolved: int
    complaints: int
    reopened: int
    last_ticket_at: datetime | None
    recent: list[TicketSummary]


class CustomerDetail(CustomerOut):
    tickets: TicketHistory


class CustomerList(PageOut):
    items: list[CustomerOut]


class CustomerQuery(QueryIn):
    q: str = Field("", max_length=100, description="Name, e-mail, phone or CRM id")
    cursor: str | None = None
    limit: int = Field(25, ge=1, le=100)


class CustomerIn(In):
    name: str = Field(..., min_length=1, max_length=200)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    external_id: str = Field("", max_length=64)
    organisation: Id | None = Field(None, description="Organisation id")
    tier: str | None = Field(None, max_length=30, description="Tier code")
    language: Literal["", "en", "zh-hans"] = ""
    notes: str = Field("", max_length=5_000)
    confirmation: str = Field("", max_length=200, description=CONFIRMATION)


class CustomerPatch(In):
    """Fields left out stay as they are; null only where the type allows it."""

    name: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    external_id: str | None = Field(None, max_length=64)
    organisation: Id | None = None
    tier: str | None = Field(None, max_length=30)
    language: Literal["", "en", "zh-hans"] = None  # type: ignore[assignment]
    notes: str = Field(None, max_length=5_000)  # type: ignore[assignment]


class ContactIn(In):
    kind: Literal["email", "phone"]
    value: str = Field(..., min_length=1, max_length=254)
    confirmation: str = Field("", max_length=200, description=CONFIRMATION)


class ConfirmationIn(In):
    reason: str = Field(
        ...,
        min_length=1,
        max_length=200,
        description="How you know the contact is the customer's own (audited)",
    )


def customer_out(customer: Customer, user: User) -> dict[str, Any]:
    return {
        "id": customer.pk,
        "name": customer.name,
        "organisation": (
            {"id": customer.organisation.pk, "name": customer.organisation.name}
            if customer.organisation
            else None
        ),
        "tier": code_name(customer.tier),
        "external_id": customer.external_id,
        "language": customer.language,
        "notes": customer.notes if user.is_staff_member else None,
        "contacts": [contact_out(c) for c in customer.contacts.all()],
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


def contact_out(contact: CustomerContact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "kind": contact.kind,
        "value": contact.value,
        "is_primary": contact.is_primary,
        "verified": contact.is_verified,
        "verified_via": contact.verified_via,
    }


def _references(values: dict[str, Any]) -> dict[str, Any]:
    """Organisation id and tier code in the body -> objects (field errors when unknown)."""
    if values.get("organisation") is not None:
        organisation = Organisation.objects.filter(pk=values["organisation"]).first()
        if organisation is None:
            raise DomainError(_("There is no organisation with this id."), field="organisation")
        values["organisation"] = organisation
    if values.get("tier") is not None:
        tier = CustomerTier.objects.filter(code=values["tier"]).first()
        if tier is None:
            raise DomainError(_("There is no customer tier with this code."), field="tier")
        values["tier"] = tier
    return values


@router.get("", response=CustomerList, summary="Find customers")
def list_customers(request: HttpRequest, filters: Query[CustomerQuery]) -> dict[str, Any]:
    user = actor(request)
    customers = queries.customers_visible_to(user).prefetch_related("contacts")
    if q := filters.q.strip():
        condition = (
            Q(name__icontains=q) | Q(external_id=q) | Q(contacts__value__icontains=q.lower())
        )
        with suppress(DomainError):  # "138 0013 8000" finds +8613800138000
            condition |= Q(contacts__kind="phone", contacts__value=normalise_phone(q))
        customers = customers.filter(id__in=Customer.objects.filter(condition).values("id"))
    page = paginate(customers, fields=("id",), cursor=filters.cursor, size=filters.limit)
    return {"items": [customer_out(c, user) for c in page.items], **page_links(request, page)}


@router.post("", response={201: CustomerOut}, summary="Register a customer")
def create_customer(request: HttpRequest, payload: CustomerIn) -> Status[dict[str, Any]]:
    user = actor(request)
    customer = services.create_customer(actor=user, **_references(payload.model_dump()))
    return Status(201, customer_out(queries.get_customer_for(user, customer.pk), user))


@router.get("/{customer_id}", response=CustomerDetail, summary="A customer with their tickets")
def get_customer(request: HttpRequest, customer_id: Id) -> dict[str, Any]:
    user = actor(request)
    customer = queries.get_customer_for(user, customer_id)
    history = ticket_queries.customer_history(customer, user=user)
    return {
        **customer_out(customer, user),
        "tickets": {
            "total": history.total,
            "open": history.open,
            "resolved": history.resolved,
            "complaints": history.complaints,
            "reopened": history.reopened,
            "last_ticket_at": history.last_ticket_at,
            "recent": [
                {
                    "number": t.number,
                    "subject": t.subject,
                    "kind": t.kind,
                    "status": t.status,
                    "created_at": t.created_at,
                    "resolved_at": t.resolved_at,
                }
                for t in history.recent
            ],
        },
    }


@router.patch("/{customer_id}", response=CustomerOut, summary="Edit a customer")
def update_customer(
    request: HttpRequest, customer_id: Id, payload: CustomerPatch
) -> dict[str, Any]:
    user = actor(request)
    customer = queries.get_customer_for(user, customer_id)
    changes = _references(payload.model_dump(exclude_unset=True))
    services.update_customer(customer=customer, actor=user, changes=changes)
    return customer_out(queries.get_customer_for(user, customer_id), user)


@router.post(
    "/{customer_id}/contacts", response={201: ContactOut}, summary="Add an e-mail or phone"
)
def add_contact(
    request: HttpRequest, customer_id: Id, payload: ContactIn
) -> Status[dict[str, Any]]:
    user = actor(request)
    customer = queries.get_customer_for(user, customer_id)
    contact = services.add_contact(
        customer=customer,
        actor=user,
        kind=payload.kind,
        value=payload.value,
        confirmation=payload.confirmation,
    )
    return Status(201, contact_out(contact))


@router.post(
    "/{customer_id}/contacts/{contact_id}/confirm",
    response=ContactOut,
    summary="Confirm that a contact is the customer's own",
)
def confirm_contact(
    request: HttpRequest, customer_id: Id, contact_id: Id, payload: ConfirmationIn
) -> dict[str, Any]:
    user = actor(request)
    customer = queries.get_customer_for(user, customer_id)
    contact = customer.contacts.filter(pk=contact_id).first()
    if contact is None:
        raise Http404("contact")
    return contact_out(services.confirm_contact(contact=contact, actor=user, reason=payload.reason))


@router.delete(
    "/{customer_id}/contacts/{contact_id}", response={204: None}, summary="Remove a contact"
)
def remove_contact(request: HttpRequest, customer_id: Id, contact_id: Id) -> Status[None]:
    user = actor(request)
    customer = queries.get_customer_for(user, customer_id)
    contact = customer.contacts.filter(pk=contact_id).first()
    if contact is None:
        raise Http404("contact")
    services.remove_contact(contact=contact, actor=user)
    return Status(204, None)
