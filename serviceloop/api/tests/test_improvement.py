"""/api/v1/improvement: every role against every operation, and the wiring of each."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.analytics import services as analytics
from serviceloop.improvement import services
from serviceloop.improvement.models import ImprovementPlan, RootCauseAnalysis
from serviceloop.improvement.tests import conftest as improvement_tests
from serviceloop.improvement.tests.conftest import SHANGHAI, WEDNESDAY_MORNING
from serviceloop.improvement.tests.given import days, make_action, make_analysis, make_plan, rows
from tests.builders import Api, field_errors, make_ticket, make_user

# The improvement tests' fixtures: working hours (autouse, a Wednesday morning in
# Shanghai) and a specialist.
working_hours = improvement_tests.working_hours
specialist = improvement_tests.specialist

PROBLEM = "application/problem+json"
ROLES = ("admin", "supervisor", "manager", "specialist", "agent", "analyst", "customer", "partner")


@dataclass
class World:
    specialist: Any
    team: Any
    other_team: Any
    agent: Any

    def plan(self, *, own: bool = True, with_action: bool = True) -> ImprovementPlan:
        team = self.team if own else self.other_team
        plan = make_plan(self.specialist, scope={"teams": [team.pk]})
        if with_action:
            make_action(plan, self.specialist, team=team.pk)
        return plan

    def analysis(self, *, concluded: bool = False) -> RootCauseAnalysis:
        analysis = make_analysis(self.specialist)
        services.add_why(analysis=analysis, actor=self.specialist, question="Why?", answer="So")
        services.add_cause(analysis=analysis, actor=self.specialist, category="method", text="x")
        if concluded:
            services.conclude_analysis(analysis=analysis, actor=self.specialist, conclusions="c")
        return analysis


@pytest.fixture
def world(specialist, team, other_team, agent) -> World:
    return World(specialist, team, other_team, agent)


P = "/api/v1/improvement/plans"
A = "/api/v1/improvement/analyses"
Request = tuple[str, str, dict[str, Any] | None]


def _plan_body(w: World) -> dict[str, Any]:
    return {
        "title": "Faster first answers",
        "problem": "Customers wait.",
        "metric": "complaint_rate",
        "target": 10,
        "deadline": days(30).isoformat(),
        "baseline_start": days(-40).isoformat(),
        "baseline_end": days(-10).isoformat(),
        "scope": {"teams": [w.team.pk]},
    }


def _action_body(w: World, team: Any) -> dict[str, Any]:
    return {
        "title": "Script",
        "team": team.pk,
        "planned_start": days(0).isoformat(),
        "planned_end": days(9).isoformat(),
    }


def _plan_op(method: str, tail: str, body: Callable[[World, Any], Any] | None = None, **kw: Any):
    def build(w: World, own: bool) -> Request:
        plan = w.plan(own=own, **kw)
        action = plan.actions.first()
        path = f"{P}/{plan.code}{tail}".replace("{action}", str(action.pk if action else 0))
        team = w.team if own else w.other_team
        return method, path, body(w, team) if body else None

    return build


def _analysis_op(method: str, tail: str, body: dict | None = None, **kw: Any):
    def build(w: World, own: bool) -> Request:
        analysis = w.analysis(**kw)
        why, cause = analysis.whys.first(), analysis.causes.first()
        path = f"{A}/{analysis.pk}{tail}".replace("{why}", str(why.pk)).replace(
            "{cause}", str(cause.pk)
        )
        if body == "ticket":
            return method, path, {"tickets": [make_ticket(w.agent).number]}
        return method, path, body

    return build


W, R, N = (201, 201, 201, 201), 403, 404  # managers' success; refused; not found
# fmt: off
# name: (builder, scope, statuses for admin sup mgr spec agent anal cust part)
MATRIX: dict[str, tuple[Callable[[World, bool], Request], str, tuple[int, ...]]] = {
    "list plans": (lambda w, o: ("GET", P, None), "-", (200,) * 6 + (R, R)),
    "create plan": (lambda w, o: ("POST", P, _plan_body(w)), "-", (*W, R, R, R, R)),
    "get own plan": (_plan_op("GET", ""), "own", (200,) * 6 + (R, R)),
    "get foreign plan": (_plan_op("GET", ""), "foreign", (200,) * 4 + (N, 200, R, R)),
    "patch own plan": (_plan_op("PATCH", "", lambda w, t: {"target": 8}), "own",
                       (200,) * 4 + (R, R, R, R)),
    "patch foreign plan": (_plan_op("PATCH", "", lambda w, t: {"target": 8}), "foreign",
                           (200,) * 4 + (N, R, R, R)),
    "delete plan": (_plan_op("DELETE", "", with_action=False), "own", (204,) * 4 + (R, R, R, R)),
    "phase": (_plan_op("POST", "/phase", lambda w, t: {"phase": "do"}), "own",
              (200,) * 4 + (R, R, R, R)),
    "status": (_plan_op("POST", "/status", lambda w, t: {"status": "completed"}), "own",
               (200,) * 4 + (R, R, R, R)),
    "own effect": (_plan_op("GET", "/effect"), "own", (200,) * 6 + (R, R)),
    "foreign effect": (_plan_op("GET", "/effect"), "foreign", (200,) * 4 + (N, 200, R, R)),
    "list actions": (_plan_op("GET", "/actions"), "own", (200,) * 6 + (R, R)),
    "add action": (_plan_op("POST", "/actions", _action_body), "own", (*W, R, R, R, R)),
    "replan action": (_plan_op("PATCH", "/actions/{action}", lambda w, t: {"title": "New"}),
                      "own", (200,) * 4 + (R, R, R, R)),
    "action status": (_plan_op("POST", "/actions/{action}/status",
                               lambda w, t: {"status": "done"}), "own",
                      (200,) * 4 + (R, R, R, R)),
    "action note": (_plan_op("POST", "/actions/{action}/notes", lambda w, t: {"text": "n"}),
                    "own", (*W, R, R, R, R)),
    "delete action": (_plan_op("DELETE", "/actions/{action}"), "own", (204,) * 4 + (R, R, R, R)),
    "list analyses": (lambda w, o: ("GET", A, None), "-", (200,) * 4 + (R, 200, R, R)),
    "start analysis": (lambda w, o: ("POST", A, {"title": "T", "problem": "P"}), "-",
                       (*W, R, R, R, R)),
    "get analysis": (_analysis_op("GET", ""), "-", (200,) * 4 + (R, 200, R, R)),
    "patch analysis": (_analysis_op("PATCH", "", {"title": "U"}), "-",
                       (200,) * 4 + (R, R, R, R)),
    "delete analysis": (_analysis_op("DELETE", ""), "-", (204,) * 4 + (R, R, R, R)),
    "add why": (_analysis_op("POST", "/whys", {"question": "Why?"}), "-", (*W, R, R, R, R)),
    "patch why": (_analysis_op("PATCH", "/whys/{why}", {"question": "Why not?"}), "-",
                  (200,) * 4 + (R, R, R, R)),
    "remove why": (_analysis_op("DELETE", "/whys/{why}"), "-", (200,) * 4 + (R, R, R, R)),
    "add cause": (_analysis_op("POST", "/causes", {"category": "people", "text": "t"}), "-",
                  (*W, R, R, R, R)),
    "patch cause": (_analysis_op("PATCH", "/causes/{cause}", {"category": "people",
                                                               "text": "t"}), "-",
                    (200,) * 4 + (R, R, R, R)),
    "remove cause": (_analysis_op("DELETE", "/causes/{cause}"), "-", (200,) * 4 + (R, R, R, R)),
    "link evidence": (_analysis_op("POST", "/evidence", "ticket"), "-",
                      (200,) * 4 + (R, R, R, R)),
    "unlink evidence": (_analysis_op("POST", "/evidence/unlink", {"tickets": []}), "-",
                        (200,) * 4 + (R, R, R, R)),
    "conclude": (_analysis_op("POST", "/conclude", {"conclusions": "c"}), "-",
                 (200,) * 4 + (R, R, R, R)),
    "reopen": (_analysis_op("POST", "/reopen", concluded=True), "-", (200,) * 4 + (R, R, R, R)),
}
# fmt: on


def _user(role: str, world: World):
    if role == Role.AGENT:
        return world.agent
    if role == Role.SUPERVISOR:
        return make_user(role, teams=[world.team])
    return make_user(role)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_what_the_table_says(world, role):
    user = _user(role, world)
    api = Api(user)
    wrong = {}
    for name, (build, scope, statuses) in MATRIX.items():
        method, path, body = build(world, scope != "foreign")
        if method == "GET":
            response = api.get(path)
        elif method == "DELETE":
            response = api.delete(path)
        else:
            response = getattr(api, method.lower())(path, body)
        expected = statuses[ROLES.index(role)]
        if response.status_code != expected:
            wrong[name] = (response.status_code, expected, response.content[:200])
        elif response.status_code >= 400:
            assert response["Content-Type"] == PROBLEM
    assert wrong == {}


def test_the_table_covers_every_operation_of_the_openapi_document(db):
    document = Api(None).get("/api/v1/openapi.json").json()
    ours = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        if path.startswith("/api/v1/improvement/")
        for method in item
    }
    assert len(ours) == 29
    assert len({name for name, (_b, scope, _s) in MATRIX.items() if scope != "foreign"}) == 29


def test_anonymous_callers_must_authenticate(db):
    assert Api(None).get(P).status_code == 401
    assert Api(None).get(A).status_code == 401


# --- wiring ---------------------------------------------------------------------------------


def test_it_creates_a_plan_and_answers_with_its_location(world):
    api = Api(world.specialist)
    response = api.post(P, _plan_body(world))
    body = response.json()
    assert response.status_code == 201
    assert body["code"] == "IP-2026-001"
    assert response["Location"] == f"{P}/IP-2026-001"
    assert body["scope"] == {"teams": [world.team.pk]}
    assert body["phase"] == "plan"
    assert body["after"] is None
    assert body["progress"] == {"done": 0, "total": 0, "delayed": 0}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"baseline_end": days(-50).isoformat()}, "baseline_end"),
        ({"metric": "tickets"}, "metric"),
        ({"scope": {"teams": [999_999]}}, "scope.teams"),
        ({"target": "many"}, "target"),
        ({"deadline": None}, "deadline"),
        ({"colour": "red"}, "colour"),
        ({"pilot_scope": {"teams": [999_999]}, "pilot_start": days(-1).isoformat()},
         "pilot_scope.teams"),
    ],
)  # fmt: skip
def test_it_refuses_a_bad_plan_with_field_errors_and_stores_nothing(world, changes, field):
    api = Api(world.specialist)  # issuing its token is audited
    before = rows()
    response = api.post(P, _plan_body(world) | changes)
    assert response.status_code == 422
    assert field in field_errors(response)
    assert rows() == before


def test_a_patch_changes_only_what_it_names(world):
    plan = world.plan()
    api = Api(world.specialist)
    response = api.patch(f"{P}/{plan.code}", {"title": "Renamed", "after_start": None})
    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"
    assert response.json()["scope"] == {"teams": [world.team.pk]}
    response = api.patch(f"{P}/{plan.code}", {"metric": "backlog"})
    assert response.status_code == 422
    assert "metric" in field_errors(response)


def test_the_phase_moves_and_the_after_window_starts(world):
    plan = world.plan()
    body = Api(world.specialist).post(f"{P}/{plan.code}/phase", {"phase": "do"}).json()
    assert body["phase"] == "do"
    assert body["after"] == {"start": days(0).isoformat(), "end": days(0).isoformat()}


def test_the_effect_says_no_data_with_n_zero(world):
    plan = world.plan()
    body = Api(world.specialist).get(f"{P}/{plan.code}/effect").json()
    assert body["metric"]["key"] == "complaint_rate"
    assert body["overall"]["before_value"] is None
    assert body["overall"]["n_before"] == 0
    assert body["overall"]["significant"] is False
    assert body["overall"]["method"] == "newcombe"
    assert "no data" in body["overall"]["summary"]
    assert body["after"] is None
    assert body["pilot"] is None
    assert body["completion"] is None


def test_the_effect_of_a_pilot_has_the_four_n(world, working_hours, outsider):
    for offset, actor, team in ((-30, world.agent, None), (-30, outsider, "billing"),
                                (-3, world.agent, None), (-3, outsider, "billing")):  # fmt: skip
        working_hours.move_to(datetime.combine(days(offset), datetime.min.time(), SHANGHAI))
        for kind in ("complaint", "inquiry", "inquiry"):
            make_ticket(actor, kind=kind, **({"team": team} if team else {}))
    working_hours.move_to(WEDNESDAY_MORNING)
    analytics.rebuild()
    plan = make_plan(
        world.specialist,
        baseline_start=days(-40),
        baseline_end=days(-20),
        pilot_scope={"teams": [world.team.pk]},
        pilot_start=days(-10),
    )
    body = Api(world.specialist).get(f"{P}/{plan.code}/effect").json()
    assert (body["overall"]["n_before"], body["overall"]["n_after"]) == (6, 6)
    assert body["overall"]["change"] == 0
    did = body["pilot"]["did"]
    assert (did["n_pilot_before"], did["n_pilot_after"], did["n_rest_before"],
            did["n_rest_after"]) == (3, 3, 3, 3)  # fmt: skip
    assert did["estimate"] == 0
    assert did["low"] < 0 < did["high"]
    assert did["method"] == "normal"


def test_actions_through_the_api(world, agent):
    plan = world.plan(with_action=False)
    api = Api(world.specialist)
    created = api.post(
        f"{P}/{plan.code}/actions", _action_body(world, world.team) | {"person": agent.pk}
    )
    assert created.status_code == 201
    action = created.json()
    assert action["person"] == {"id": agent.pk, "name": agent.display_name}
    path = f"{P}/{plan.code}/actions/{action['id']}"
    bad = api.post(f"{path}/status", {"status": "done", "actual_end": days(2).isoformat()})
    assert bad.status_code == 422
    assert "actual_end" in field_errors(bad)
    done = api.post(f"{path}/status", {"status": "done", "note": "Shipped"}).json()
    assert (done["status"], done["actual_end"]) == ("done", days(0).isoformat())
    assert [n["text"] for n in done["notes"]] == ["Shipped"]
    assert api.delete(path).status_code == 409
    listed = api.get(f"{P}/{plan.code}").json()
    assert listed["progress"] == {"done": 1, "total": 1, "delayed": 0}


def test_an_analysis_through_the_api(world, agent, category):
    api = Api(world.specialist)
    ticket = make_ticket(agent, category=category.code)
    created = api.post(
        A,
        {
            "title": "Late parcels",
            "problem": "Why?",
            "category": category.pk,
            "tickets": [ticket.number],
            "scope": {"channels": ["phone"]},
            "start": days(-7).isoformat(),
            "end": days(-1).isoformat(),
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["tickets"] == [ticket.number]
    assert body["evidence"]["linked_tickets"] == 1
    assert body["evidence"]["category_tickets"] == 1
    assert body["origin"]["scope"] == {"channels": ["phone"]}
    path = f"{A}/{body['id']}"
    body = api.post(f"{path}/whys", {"question": "Why late?", "answer": "Hub"}).json()
    assert [w["question"] for w in body["whys"]] == ["Why late?"]
    body = api.post(f"{path}/causes", {"category": "machine", "text": "Sync",
                                       "is_root_cause": True}).json()  # fmt: skip
    assert body["causes"][0]["is_root_cause"] is True
    bad = api.post(f"{path}/causes", {"category": "money", "text": "x"})
    assert bad.status_code == 422
    assert "category" in field_errors(bad)
    concluded = api.post(f"{path}/conclude", {"conclusions": "The sync"}).json()
    assert concluded["status"] == "concluded"
    refused = api.post(f"{path}/whys", {"question": "More?"})
    assert refused.status_code == 409
    assert refused["Content-Type"] == PROBLEM
