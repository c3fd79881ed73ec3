"""Building blocks for tests: real rows made through the real use cases."""

import importlib
import itertools
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.apps import apps
from django.db import connection
from django.test import Client
from django.utils import timezone

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import Team, TeamMembership, User
from serviceloop.accounts.services import issue_token
from serviceloop.customers.models import Customer, CustomerContact, Organisation
from serviceloop.customers.services import CustomerIdentity
from serviceloop.tickets import services
from serviceloop.tickets.models import Category, Ticket

# A few bytes of each kind of file, as the upload checks see them (by their magic numbers).
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120

_serial = itertools.count(1)


def make_team(code: str | None = None, *, default: bool = False, **values: Any) -> Team:
    code = code or f"team-{next(_serial)}"
    values.setdefault("name_en", code.title())
    values.setdefault("name_zh", f"{code}组")
    return Team.objects.create(code=code, is_default=default, **values)


def make_category(
    code: str | None = None, *, team: Team | None = None, parent: Category | None = None
) -> Category:
    code = code or f"category-{next(_serial)}"
    return Category.objects.create(
        code=code, name_en=code.title(), name_zh=f"{code}类", team=team, parent=parent
    )


def make_organisation(
    name: str | None = None, *, kind: str = "company", shares: bool = False
) -> Organisation:
    return Organisation.objects.create(
        name=name or f"Org {next(_serial)}", kind=kind, shares_tickets=shares
    )


def make_customer(
    name: str | None = None,
    *,
    email: str | None = None,
    phone: str | None = None,
    organisation: Organisation | None = None,
    user: User | None = None,
    external_id: str | None = None,
    verified: bool = True,
) -> Customer:
    """A customer with an e-mail (and a phone); their contacts are verified (confirmed by
    staff) unless `verified` is False, as if someone had only typed them."""
    n = next(_serial)
    customer = Customer.objects.create(
        name=name or f"Customer {n}", organisation=organisation, user=user, external_id=external_id
    )
    proof = (
        {"verified_at": timezone.now(), "verified_via": "staff", "is_primary": True}
        if verified
        else {}
    )
    CustomerContact.objects.create(
        customer=customer, kind="email", value=email or f"customer{n}@example.com", **proof
    )
    if phone:
        CustomerContact.objects.create(customer=customer, kind="phone", value=phone, **proof)
    return customer


def make_user(
    role: str = Role.AGENT,
    *,
    username: str | None = None,
    teams: tuple[Team, ...] | list[Team] = (),
    organisation: Organisation | None = None,
    language: str = "",
    **values: Any,
) -> User:
    """A user of `role`; a customer user gets a customer record, a partner an organisation."""
    username = username or f"{role}-{next(_serial)}"
    if role == Role.PARTNER and organisation is None:
        organisation = make_organisation(kind="partner")
    user = User.objects.create_user(
        username=username, password="a long test password 42", role=role,
        organisation=organisation, language=language, full_name=values.pop("full_name", username),
        email=values.pop("email", f"{username}@example.com"), **values,
    )  # fmt: skip
    for team in teams:
        TeamMembership.objects.create(user=user, team=team)
    if role == Role.CUSTOMER:
        make_customer(
            username, email=f"{username}@example.com", user=user, organisation=organisation
        )
    return user


def make_ticket(actor: User, *, confirmed: bool = True, **fields: Any) -> Ticket:
    """A ticket created through create_ticket (a customer by e-mail unless given). The
    contacts the draft names are then confirmed, as staff would for a known customer, so that
    our messages reach them; `confirmed=False` leaves them as typed (unverified)."""
    fields.setdefault("description", f"My parcel has not arrived ({next(_serial)})")
    if "customer_id" not in fields and actor.role != Role.CUSTOMER:
        fields.setdefault("customer", CustomerIdentity(email=f"buyer{next(_serial)}@example.com"))
    ticket = services.create_ticket(actor=actor, draft=services.TicketDraft(**fields)).ticket
    if confirmed and fields.get("customer") is not None:
        confirm_contacts(ticket.customer)
    return ticket


def confirm_contacts(customer: Customer) -> None:
    """Every contact of the customer verified (staff confirmed), the first of a kind primary."""
    for contact in customer.contacts.filter(verified_at__isnull=True).order_by("id"):
        has_primary = customer.contacts.filter(kind=contact.kind, is_primary=True).exists()
        contact.verified_at = timezone.now()
        contact.verified_via = "staff"
        contact.is_primary = not has_primary
        contact.save(update_fields=["verified_at", "verified_via", "is_primary"])


class Api:
    """A test client speaking JSON to /api/v1 with the user's bearer token."""

    def __init__(self, user: User | None, *, language: str | None = None) -> None:
        self.user = user
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _token, secret = issue_token(user=user, name="tests", actor=None)
            self.headers["Authorization"] = f"Bearer {secret}"
        if language:
            self.headers["Accept-Language"] = language

    def _send(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ):
        url = path if path.startswith("/") else f"/api/v1/{path}"
        kwargs: dict[str, Any] = {"headers": {**self.headers, **(headers or {})}}
        if body is not None:
            kwargs["data"] = json.dumps(body) if not isinstance(body, str | bytes) else body
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(url, **kwargs)

    def get(
        self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ):
        url = path if path.startswith("/") else f"/api/v1/{path}"
        return self.client.get(url, params or {}, headers={**self.headers, **(headers or {})})

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None):
        return self._send("post", path, {} if body is None else body, headers)

    def patch(self, path: str, body: Any = None, headers: dict[str, str] | None = None):
        return self._send("patch", path, {} if body is None else body, headers)

    def delete(self, path: str, headers: dict[str, str] | None = None):
        return self._send("delete", path, None, headers)


def field_errors(response: Any) -> dict[str, str]:
    """{field: message} of a problem+json response."""
    assert response["Content-Type"] == "application/problem+json", response.content
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def at_once[T](work: Callable[[int], T], count: int = 2) -> list[T]:
    """work(i) for i in range(count), in `count` threads released together, each with its
    own database connection (closed after): several workers at the same moment."""
    barrier = threading.Barrier(count)

    def run(i: int) -> T:
        try:
            barrier.wait(timeout=30)
            return work(i)
        finally:
            connection.close()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


# Models that moved to another app after the migration that made their first rows:
# (app in the migration, model) -> the app that has it now.
_MOVED = {
    ("sla", model): "calendars"
    for model in ("businesscalendar", "calendarteam", "workingperiod", "calendardate")
}


class _AppsOfToday:
    """What a data migration's function asks for by its then names, answered with today's
    models (their tables are the same rows)."""

    def get_model(self, app_label: str, model_name: str) -> Any:
        app_label = _MOVED.get((app_label, model_name.lower()), app_label)
        return apps.get_model(app_label, model_name)


def replay_data_migrations(*steps: tuple[str, str, str]) -> None:
    """Run the data-making functions of migrations again, as (app, migration, function):
    the rows an installation starts with, which a transactional test's flush removed."""
    for app, migration, function in steps:
        module = importlib.import_module(f"serviceloop.{app}.migrations.{migration}")
        getattr(module, function)(_AppsOfToday(), None)
