"""Fixtures of the API tests: the people who call the API, each with a client that speaks
JSON with their bearer token; and one small world with a user of every role, built lazily so
each test pays only for the rows it touches (the permission matrix and the bad input).

Tests that came from a domain app keep running with that app's fixtures: their module names
them (`clock = satisfaction.clock`), so the fixtures of different apps never meet here."""

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import PersonalToken, Team, TeamMembership, User
from serviceloop.accounts.services import issue_token
from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock
from serviceloop.customers.models import Customer, CustomerContact, Organisation
from serviceloop.customers.services import CustomerIdentity
from serviceloop.inbox.models import Kind, Notification
from serviceloop.inbox.services import notify
from serviceloop.tickets import services
from serviceloop.tickets.models import (
    Attachment,
    Category,
    Commitment,
    CustomField,
    IdempotencyKey,
    Interaction,
    Ticket,
)
from tests.builders import Api, make_category, make_customer, make_team, make_ticket, make_user

from . import contract

PROBLEM = "application/problem+json"
CUSTOMER_EMAIL = "customer@example.com"  # the e-mail make_user gives the user "customer"
FOREIGN_EMAIL = "zhang.wei@example.com"


@dataclass
class Call:
    """One request: the path is complete (/api/v1/...)."""

    method: str
    path: str
    body: Any = None
    form: dict[str, Any] | None = None  # multipart (with a "file")
    headers: dict[str, str] = field(default_factory=dict)


def send(api: Api, call: Call) -> Any:
    if call.form is not None:
        return api.client.post(call.path, call.form, headers={**api.headers, **call.headers})
    if call.method == "GET":
        return api.get(call.path, headers=call.headers)
    if call.method == "DELETE":
        return api.delete(call.path, headers=call.headers)
    return getattr(api, call.method.lower())(call.path, call.body, headers=call.headers)


def text_file(name: str = "delivery-note.txt", content: bytes | None = None) -> SimpleUploadedFile:
    content = b"Parcel SF1024 left the depot at 09:40.\n" if content is None else content
    return SimpleUploadedFile(name, content, content_type="text/plain")


def in_a_day() -> str:
    return (clock.now() + timedelta(days=1)).isoformat()


def stored_state() -> dict[str, Any]:
    """Everything a refused request must leave as it was (token use times aside)."""
    return {
        "tickets": list(Ticket.objects.order_by("pk").values_list()),
        "interactions": list(Interaction.objects.order_by("pk").values_list()),
        "commitments": list(Commitment.objects.order_by("pk").values_list()),
        "attachments": list(Attachment.objects.order_by("pk").values_list()),
        "customers": list(Customer.objects.order_by("pk").values_list()),
        "contacts": list(CustomerContact.objects.order_by("pk").values_list()),
        "organisations": Organisation.objects.count(),
        "idempotency_keys": IdempotencyKey.objects.count(),
        "audit_events": AuditEvent.objects.count(),
        "notifications": list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        "categories": list(Category.objects.order_by("pk").values_list()),
        "custom_fields": CustomField.objects.count(),
        "teams": list(Team.objects.order_by("pk").values_list()),
        "memberships": list(TeamMembership.objects.order_by("pk").values_list("user", "team")),
        "users": list(
            User.objects.order_by("pk").values_list("pk", "role", "language", "time_zone")
        ),
        "tokens": list(
            PersonalToken.objects.order_by("pk").values_list("pk", "name", "revoked_at")
        ),
    }


class World:
    """Teams support (default) and billing, the category delivery (-> support), and on
    demand: one user per role, a ticket in everybody's scope and one outside most scopes.

    - "own" ticket: of the customer user's record, submitted by the partner's organisation,
      owned by support (the agent's and the supervisor's team).
    - "foreign" ticket: of another customer (Zhang Wei), owned by billing, submitted by the
      admin: only the roles that see all tickets see it.
    """

    def __init__(self) -> None:
        self.support = make_team("support", default=True)
        self.billing = make_team("billing")
        self.delivery = make_category("delivery", team=self.support)
        self._users: dict[str, User] = {}
        self._apis: dict[str, Api] = {}

    # --- people --------------------------------------------------------------------------

    def user(self, role: str) -> User:
        if role not in self._users:
            teams = [self.support] if role in (Role.AGENT, Role.SUPERVISOR) else []
            self._users[role] = make_user(role, username=role, teams=teams, full_name=role.title())
        return self._users[role]

    def api(self, role: str | None, *, language: str | None = None) -> Api:
        if role is None:
            return Api(None, language=language)
        key = f"{role}:{language}"
        if key not in self._apis:
            self._apis[key] = Api(self.user(role), language=language)
        return self._apis[key]

    @cached_property
    def returns(self) -> Team:
        return make_team("returns")

    @cached_property
    def newcomer(self) -> User:
        """An agent in no team yet."""
        return make_user(Role.AGENT, username="newcomer")

    @cached_property
    def member(self) -> User:
        """A second agent of support."""
        return make_user(Role.AGENT, username="member", teams=[self.support])

    @cached_property
    def someone_else(self) -> User:
        return make_user(Role.AGENT, username="someone-else", teams=[self.billing])

    # --- customers and tickets -----------------------------------------------------------

    @cached_property
    def own_customer(self) -> Customer:
        return self.user(Role.CUSTOMER).customer

    @cached_property
    def foreign_customer(self) -> Customer:
        return make_customer("Zhang Wei", email=FOREIGN_EMAIL)

    def customer_record(self, scope: str) -> Customer:
        return self.own_customer if scope == "own" else self.foreign_customer

    def _own(self, description: str) -> Ticket:
        self.own_customer  # noqa: B018 - the partner's request must find this record
        return make_ticket(
            self.user(Role.PARTNER),
            description=description,
            category="delivery",
            customer=CustomerIdentity(email=CUSTOMER_EMAIL),
        )

    def _foreign(self, description: str) -> Ticket:
        return make_ticket(
            self.user(Role.ADMIN),
            description=description,
            team="billing",
            customer_id=self.foreign_customer.pk,
        )

    @cached_property
    def own_ticket(self) -> Ticket:
        return self._own("The parcel of order SF1024 has not arrived")

    @cached_property
    def own_twin(self) -> Ticket:
        return self._own("Where is my parcel SF1024? Nobody answers the phone")

    @cached_property
    def foreign_ticket(self) -> Ticket:
        return self._foreign("The invoice for May shows the wrong amount")

    @cached_property
    def foreign_twin(self) -> Ticket:
        return self._foreign("I was charged twice in May")

    def ticket(self, scope: str) -> Ticket:
        return self.own_ticket if scope == "own" else self.foreign_ticket

    def twin(self, scope: str) -> Ticket:
        return self.own_twin if scope == "own" else self.foreign_twin

    def worker(self, scope: str) -> User:
        """Who records things on the ticket: the agent on support's, the admin on billing's."""
        return self.user(Role.AGENT) if scope == "own" else self.user(Role.ADMIN)

    def resolved(self, scope: str) -> Ticket:
        return services.transition_ticket(
            ticket=self.ticket(scope),
            to="resolved",
            actor=self.user(Role.ADMIN),
            resolution="A replacement parcel was sent with SF2048.",
        )

    def interaction(self, scope: str, *, internal: bool = False) -> Interaction:
        return services.add_interaction(
            ticket=self.ticket(scope),
            actor=self.worker(scope),
            content="Internal: courier blames the weather"
            if internal
            else "We called the courier: your parcel is at the depot",
            emotion="" if internal else "dissatisfied",
            is_internal=internal,
        )

    def commitment(self, scope: str) -> Commitment:
        return services.create_commitment(
            ticket=self.ticket(scope),
            actor=self.worker(scope),
            text="We call you back before 10:00 tomorrow",
            due_at=clock.now() + timedelta(days=1),
        )

    def attachment(self, scope: str, kind: str = "public") -> Attachment:
        """kind: public, internal (flagged), note (attached to an internal note)."""
        ticket = self.ticket(scope)
        return services.add_attachment(
            ticket=ticket,
            actor=self.worker(scope),
            upload=text_file(),
            interaction=self.interaction(scope, internal=True) if kind == "note" else None,
            is_internal=kind == "internal",
        )

    def notification(self, scope: str, role: str) -> Notification:
        """A notification (the bell) of the role's user ("own") or of another agent's."""
        recipient = self.user(role) if scope == "own" else self.someone_else
        return notify([recipient], kind=Kind.ASSIGNED, ticket=self.own_ticket, urgent=True)[0]

    def token(self, scope: str, role: str) -> PersonalToken:
        owner = self.user(role) if scope == "own" else self.someone_else
        token, _secret = issue_token(user=owner, name="laptop", actor=owner)
        return token


@pytest.fixture
def world(db) -> World:
    return World()


# --- the contract ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def answers_as_documented(monkeypatch):
    """Every answer the API gives in a test is one the OpenAPI document promises: a status
    documented for the operation, its content type, and a JSON body of the published schema
    (contract.py). A test that breaks the promise fails in its teardown, naming the answer."""
    answers: list[Any] = []
    send = Client.request

    def recorded(self: Client, **request: Any) -> Any:
        response = send(self, **request)
        answers.append(response)
        return response

    monkeypatch.setattr(Client, "request", recorded)
    yield
    breaches = [breach for response in answers for breach in contract.breaches(response)]
    if breaches:
        pytest.fail("answers the OpenAPI document does not promise:\n" + "\n".join(breaches))


# --- the people who call the API ----------------------------------------------------------


@pytest.fixture
def billing_category(other_team):
    """A category owned by billing, so routing is told apart from the default team."""
    return make_category("invoice", team=other_team)


@pytest.fixture
def customer_user(team):
    return make_user(Role.CUSTOMER, username="li-wei", full_name="李伟")


@pytest.fixture
def partner(team):
    return make_user(Role.PARTNER, username="courier")


@pytest.fixture
def agent_api(agent):
    return Api(agent)


@pytest.fixture
def teammate_api(teammate):
    return Api(teammate)


@pytest.fixture
def admin_api(admin_user):
    return Api(admin_user)


@pytest.fixture
def customer_api(customer_user):
    return Api(customer_user)


@pytest.fixture
def partner_api(partner):
    return Api(partner)


@pytest.fixture
def supervisor_api(supervisor):
    return Api(supervisor)
