"""Who may call the survey and follow-up endpoints: every role against every operation, in
a world like the one of the API's permission matrix (serviceloop/api/tests: "own" is in the
scope of the agent, the supervisor and the customer user, "foreign" is another customer's,
of another team). The rows below are the ones that matrix needs for these endpoints."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from serviceloop.accounts.models import User
from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock
from serviceloop.followups.models import FollowUp
from serviceloop.satisfaction.models import CsatSurvey, NpsCampaign
from serviceloop.satisfaction.services import create_nps_campaign, schedule_csat
from serviceloop.satisfaction.tests import conftest as satisfaction_tests
from serviceloop.tickets import services as tickets
from serviceloop.tickets.models import Ticket
from tests.builders import Api, make_customer, make_team, make_ticket, make_user

# The satisfaction tests' autouse fixtures: the frozen clock (named apart from the module
# `clock`, which these tests read) and the site's settings.
frozen_clock = satisfaction_tests.clock
site = satisfaction_tests.site

ROLES = ("admin", "supervisor", "manager", "specialist", "agent", "analyst", "customer", "partner")
S = "/api/v1/surveys"
F = "/api/v1/follow-ups"

# fmt: off
# (method, path, scope):                            admin sup  mgr  spec agent anal cust part
MATRIX: dict[tuple[str, str, str], tuple[int, ...]] = {
    ("GET",  S + "/csat", "-"):                       (200, 200, 200, 200, 200, 200, 403, 403),
    ("GET",  S + "/mine", "-"):                       (403, 403, 403, 403, 403, 403, 200, 403),
    ("POST", S + "/csat/{number}", "own"):            (403, 403, 403, 403, 403, 403, 200, 403),
    ("POST", S + "/csat/{number}", "foreign"):        (403, 403, 403, 403, 403, 403, 404, 403),
    ("GET",  S + "/nps", "-"):                        (200, 200, 200, 200, 403, 200, 403, 403),
    ("POST", S + "/nps", "-"):                        (201, 201, 201, 201, 403, 403, 403, 403),
    ("GET",  S + "/nps/{campaign_id}", "-"):          (200, 200, 200, 200, 403, 200, 403, 403),
    ("POST", S + "/nps/{campaign_id}/send", "-"):     (200, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  F, "-"):                                 (200, 200, 200, 200, 200, 200, 403, 403),
    ("GET",  F + "/{follow_up_id}", "own"):           (200, 200, 200, 200, 200, 200, 403, 403),
    ("GET",  F + "/{follow_up_id}", "foreign"):       (200, 404, 200, 200, 404, 200, 403, 403),
    ("POST", F + "/{follow_up_id}/record", "own"):    (200, 200, 200, 403, 200, 403, 403, 403),
    ("POST", F + "/{follow_up_id}/record", "foreign"): (200, 404, 200, 403, 404, 403, 403, 403),
}
# fmt: on

ANONYMOUS = {(method, path): 401 for method, path, _scope in MATRIX}
PROBLEM = "application/problem+json"


class World:
    """Teams support (default, the agent's and supervisor's) and billing; one user per role;
    the customer user's ticket in support ("own") and another customer's in billing."""

    def __init__(self) -> None:
        self.support = make_team("support", default=True)
        self.billing = make_team("billing")
        self.users: dict[str, User] = {}
        self.tickets: dict[str, Ticket] = {}

    def user(self, role: str) -> User:
        if role not in self.users:
            teams = [self.support] if role in ("agent", "supervisor") else []
            self.users[role] = make_user(role, username=role, teams=teams)
        return self.users[role]

    def api(self, role: str | None) -> Api:
        return Api(self.user(role) if role else None)

    def ticket(self, scope: str) -> Ticket:
        if scope not in self.tickets:
            if scope == "own":
                customer_id = self.user("customer").customer.pk
                team = "support"
            else:
                customer_id, team = make_customer("Zhang Wei").pk, "billing"
            self.tickets[scope] = make_ticket(
                self.user("admin"), customer_id=customer_id, team=team,
                description=f"The {scope} parcel has not arrived",
            )  # fmt: skip
        return self.tickets[scope]

    def resolved(self, scope: str) -> Ticket:
        return tickets.transition_ticket(
            ticket=self.ticket(scope), to="resolved", actor=self.user("admin"),
            resolution="Sent again",
        )  # fmt: skip


@dataclass
class Call:
    method: str
    path: str
    body: Any = None


def send(api: Api, call: Call) -> Any:
    if call.method == "GET":
        return api.get(call.path)
    return api.post(call.path, call.body)


def _survey(world: World, scope: str) -> CsatSurvey:
    ticket = world.resolved(scope)
    survey = schedule_csat(ticket=ticket)
    assert survey is not None
    return survey


def _campaign(world: World) -> NpsCampaign:
    return create_nps_campaign(actor=world.user("admin"), name="Spring", seed=1)


def _follow_up(world: World, scope: str) -> FollowUp:
    ticket = world.ticket(scope)
    return FollowUp.objects.create(
        ticket=ticket, customer=ticket.customer, team=ticket.team, reason="random",
        due_at=clock.now() + timedelta(hours=48),
    )  # fmt: skip


def build(world: World, method: str, path: str, scope: str, role: str) -> Call:
    world.user(role)
    if path == S + "/csat/{number}":
        return Call("POST", f"{S}/csat/{_survey(world, scope).ticket.number}", {"score": 4})
    if path in (S + "/csat", S + "/mine"):
        _survey(world, "own"), _survey(world, "foreign")
        return Call(method, path)
    if path == S + "/nps":
        return Call(method, path, {"name": "Autumn"} if method == "POST" else None)
    if "{campaign_id}" in path:
        return Call(method, path.replace("{campaign_id}", str(_campaign(world).pk)))
    if path == F:
        _follow_up(world, "own"), _follow_up(world, "foreign")
        return Call(method, path)
    concrete = path.replace("{follow_up_id}", str(_follow_up(world, scope).pk))
    return Call(method, concrete, {"outcome": "solved"} if method == "POST" else None)


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.mark.parametrize(
    ("method", "path", "scope", "role", "expected"),
    [
        pytest.param(m, p, s, role, codes[i], id=f"{m} {p} {s} {role}")
        for (m, p, s), codes in MATRIX.items()
        for i, role in enumerate(ROLES)
    ],
)
def test_it_answers_every_role_as_the_table_says(
    world: World, method: str, path: str, scope: str, role: str, expected: int
) -> None:
    call = build(world, method, path, scope, role)
    api = world.api(role)
    before = _state()

    response = send(api, call)

    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        assert response["Content-Type"] == PROBLEM
        assert _state() == before, "a refused request changed something"


@pytest.mark.parametrize(("method", "path"), list(ANONYMOUS))
def test_it_asks_anonymous_callers_to_authenticate(world: World, method: str, path: str) -> None:
    concrete = path.replace("{number}", "CS-20260101-000001")
    concrete = concrete.replace("{campaign_id}", "1").replace("{follow_up_id}", "1")
    api = world.api(None)
    before = _state()

    response = send(api, Call(method, concrete, {} if method == "POST" else None))

    assert response.status_code == 401
    assert _state() == before


def _state() -> dict[str, Any]:
    return {
        "tickets": list(Ticket.objects.order_by("pk").values_list()),
        "events": AuditEvent.objects.count(),
        "surveys": list(CsatSurvey.objects.order_by("pk").values_list()),
        "campaigns": list(NpsCampaign.objects.order_by("pk").values_list()),
        "follow_ups": list(FollowUp.objects.order_by("pk").values_list()),
    }


def test_the_table_covers_every_survey_and_follow_up_operation(db) -> None:
    document = Api(None).get("/api/v1/openapi.json").json()
    operations = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if path.startswith(("/api/v1/surveys", "/api/v1/follow-ups"))
    }
    assert operations == {(method, path) for method, path, _scope in MATRIX}
