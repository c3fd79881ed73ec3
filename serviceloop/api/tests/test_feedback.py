"""/api/v1/feedback and /api/v1/staff-surveys: every role against every operation, and the
rules one cell of the table cannot show (the partner's door with a token, anonymity,
exports, results under five answers)."""

import csv
import io
from datetime import timedelta
from typing import Any

import openpyxl
import pytest

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock
from serviceloop.feedback.choices import Source
from serviceloop.feedback.models import FeedbackItem, StaffSurveyAnswer
from serviceloop.feedback.services import (
    answer_staff_survey,
    register_feedback,
    send_staff_survey,
)
from serviceloop.feedback.tests import conftest as feedback_tests
from serviceloop.feedback.tests.given import QUESTIONS, mentions, stored_state, survey_of
from tests.builders import Api, field_errors, make_organisation, make_team, make_ticket, make_user

# The feedback tests' clock (autouse): a Wednesday morning in Shanghai. Named apart from
# the module `clock`, which these tests read.
wednesday_morning = feedback_tests.clock

ROLES = ("admin", "supervisor", "manager", "specialist", "agent", "analyst", "customer", "partner")
PROBLEM = "application/problem+json"


class World:
    """The support team with a user of every role. The "own" item is in everybody's scope
    (support's, of the customer user's record, from the partner's organisation); the
    "foreign" one is billing's, seen by the register's readers only."""

    def __init__(self) -> None:
        self.support = make_team("support", default=True)
        self.billing = make_team("billing")
        organisation = make_organisation("顺丰速运", kind="partner")
        self.users: dict[str, User] = {}
        for role in ROLES:
            teams = [self.support] if role in ("agent", "supervisor") else []
            extra = {"organisation": organisation} if role == "partner" else {}
            self.users[role] = make_user(role, username=role, teams=teams, **extra)
        self.own = register_feedback(
            source=Source.CUSTOMER,
            text="客服电话一直占线",
            actor=None,
            customer=self.users["customer"].customer,
            organisation=organisation,
            classification={"team": "support"},
        )
        self.foreign = register_feedback(
            source=Source.STAFF,
            text="The invoice template is confusing",
            actor=self.users["admin"],
            classification={"team": "billing"},
        )
        self._apis: dict[str, Api] = {}

    def api(self, role: str) -> Api:
        if role not in self._apis:
            self._apis[role] = Api(self.users[role])
        return self._apis[role]

    def item(self, scope: str) -> FeedbackItem:
        return self.own if scope == "own" else self.foreign

    def survey(self, answered: int = 0):
        members = [self.users["agent"], self.users["supervisor"]]
        members += [make_user(Role.AGENT, teams=[self.support]) for _ in range(4)]
        survey = survey_of(self.support, self.users["specialist"])
        send_staff_survey(survey=survey, actor=self.users["specialist"])
        for member in members[-answered:] if answered else []:
            answer = {"workload": 3, "tools": 4, "change": "排班更灵活"}
            answer_staff_survey(survey=survey, user=member, answers=answer)
        return survey


@pytest.fixture
def world(db) -> World:
    return World()


F = "/api/v1/feedback"
S = "/api/v1/staff-surveys"

# fmt: off
# (method, path, scope):                       admin sup  mgr  spec agent anal cust part
MATRIX: dict[tuple[str, str, str], tuple[int, ...]] = {
    ("GET",    F, "-"):                         (200, 200, 200, 200, 200, 200, 200, 200),
    ("POST",   F, "-"):                         (201, 201, 201, 201, 201, 201, 201, 201),
    ("GET",    F + "/export", "-"):             (200, 200, 200, 200, 403, 200, 403, 403),
    ("POST",   F + "/bulk-classify", "-"):      (200, 200, 200, 200, 403, 403, 403, 403),
    ("GET",    F + "/{n}", "own"):              (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",    F + "/{n}", "foreign"):          (200, 200, 200, 200, 404, 200, 404, 404),
    ("PATCH",  F + "/{n}", "own"):              (200, 200, 200, 200, 403, 403, 403, 403),
    ("PATCH",  F + "/{n}", "foreign"):          (200, 200, 200, 200, 404, 403, 404, 404),
    ("POST",   F + "/{n}/status", "own"):       (200, 200, 200, 200, 403, 403, 403, 403),
    ("POST",   F + "/{n}/tickets", "own"):      (200, 200, 200, 200, 403, 403, 403, 403),
    ("DELETE", F + "/{n}/tickets/{t}", "own"):  (200, 200, 200, 200, 403, 403, 403, 403),
    ("GET",    S, "-"):                         (200, 200, 200, 200, 200, 200, 200, 200),
    ("POST",   S, "-"):                         (201, 201, 201, 201, 403, 403, 403, 403),
    ("GET",    S + "/{s}", "-"):                (200, 200, 200, 200, 200, 200, 404, 404),
    ("POST",   S + "/{s}/send", "-"):           (200, 200, 200, 200, 403, 403, 404, 404),
    # the agent and the supervisor are invited; the others are not
    ("POST",   S + "/{s}/answer", "-"):         (403, 201, 403, 403, 201, 403, 404, 404),
    ("GET",    S + "/{s}/results", "-"):        (200, 200, 200, 200, 403, 200, 404, 404),
    ("POST",   S + "/{s}/answers/{a}/feedback", "-"):
                                                (201, 201, 201, 201, 403, 403, 404, 404),
}
# fmt: on


def _call(world: World, method: str, path: str, scope: str, role: str) -> tuple[str, Any]:
    """The concrete path and body of one cell."""
    item = world.item(scope)
    ticket = make_ticket(world.users["admin"], description="Parcel late", team="support")
    body: Any = None
    if "{s}" in path:
        survey = world.survey(answered=5 if "results" in path or "{a}" in path else 0)
        path = path.replace("{s}", str(survey.pk))
        if "{a}" in path:
            answer = StaffSurveyAnswer.objects.filter(survey=survey).first()
            path = path.replace("{a}", str(answer.pk))
            body = {"question": "change"}
    if path.endswith("/tickets/{t}"):
        item.tickets.add(ticket)
    path = path.replace("{n}", item.number).replace("{t}", ticket.number)
    if method == "POST" and path == F:
        body = {"text": "Pickup slots are announced too late", "title": "取件时间"}
    elif path.endswith("/bulk-classify"):
        body = {"ids": [world.own.pk], "type": "process_gap"}
    elif method == "PATCH":
        body = {"type": "experience", "stage": "follow_up"}
    elif path.endswith("/status"):
        body = {"status": "accepted"}
    elif path.endswith("/tickets"):
        body = {"numbers": [ticket.number]}
    elif method == "POST" and path == S:
        body = {
            "title": "Q4 team climate",
            "team": "support",
            "questions": QUESTIONS,
            "opens_at": clock.now().isoformat(),
            "closes_at": (clock.now() + timedelta(days=7)).isoformat(),
        }
    elif path.endswith("/answer"):
        body = {"answers": {"workload": 5, "tools": 4, "change": ""}}
    return path, body


@pytest.mark.parametrize(
    ("method", "path", "scope", "role", "expected"),
    [
        pytest.param(m, p, s, role, codes[i], id=f"{m} {p} {s} {role}")
        for (m, p, s), codes in MATRIX.items()
        for i, role in enumerate(ROLES)
    ],
)
def test_it_answers_every_role_as_the_table_says(world, method, path, scope, role, expected):
    # given
    concrete, body = _call(world, method, path, scope, role)
    api = world.api(role)
    before = stored_state()

    # when
    if method == "GET":
        response = api.get(concrete)
    elif method == "DELETE":
        response = api.delete(concrete)
    else:
        response = getattr(api, method.lower())(concrete, body)

    # then
    assert response.status_code == expected, response.content[:400]
    if expected >= 400:
        assert response["Content-Type"] == PROBLEM
        assert stored_state() == before


def test_the_table_covers_every_feedback_operation(world):
    document = Api(None).get("/api/v1/openapi.json").json()
    operations = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if path.startswith((F, S))
    }

    def template(path: str) -> str:
        return (
            path.replace("{number}", "{n}")
            .replace("{ticket_number}", "{t}")
            .replace("{survey_id}", "{s}")
            .replace("{answer_id}", "{a}")
        )

    assert {(m, template(p)) for m, p in operations} == {(m, p) for m, p, _s in MATRIX}


@pytest.mark.parametrize("path", [F, F + "/export", S])
def test_anonymous_callers_must_authenticate(db, path):
    assert Api(None).get(path).status_code == 401


# --- the doors -----------------------------------------------------------------------------


def test_a_partner_sends_feedback_with_a_token_for_their_organisation(world):
    partner = world.users["partner"]
    ticket = make_ticket(partner, description="Parcel SF1 damaged")

    response = Api(partner).post(
        F, {"text": "Labels tear in the rain", "tickets": [ticket.number.lower()]}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["source"], body["organisation"]["id"]) == ("partner", partner.organisation_id)
    assert body["tickets"] == [ticket.number]
    assert body["type"] is None  # internal: hidden
    assert body["submitted_by"] is None
    assert response["Location"] == f"{F}/{body['number']}"
    listed = Api(partner).get(F).json()["items"]
    assert {item["number"] for item in listed} == {world.own.number, body["number"]}


def test_a_partner_cannot_choose_another_source_or_organisation(world):
    other = make_organisation("Other logistics", kind="partner")

    response = world.api("partner").post(
        F, {"text": "Hello", "source": "staff", "organisation_id": other.pk}
    )

    assert response.status_code == 201
    item = FeedbackItem.objects.get(number=response.json()["number"])
    assert item.source == "partner"
    assert item.organisation_id == world.users["partner"].organisation_id


def test_a_customer_sees_only_their_own_items(world):
    other = make_user(Role.CUSTOMER, username="bob")
    register_feedback(source="customer", text="Bob's", actor=other, customer=other.customer)

    listed = world.api("customer").get(F).json()["items"]

    assert [item["number"] for item in listed] == [world.own.number]


def test_an_anonymous_staff_item_through_the_api_names_nobody(world):
    agent = world.users["agent"]

    response = world.api("agent").post(F, {"text": "夜班人手不够", "anonymous": True})

    assert response.status_code == 201
    item = FeedbackItem.objects.get(number=response.json()["number"])
    assert item.submitted_by_id is None
    assert response.json()["anonymous"] is True
    events = AuditEvent.objects.filter(target_type="feedbackitem", target_id=str(item.pk))
    assert not any(mentions(agent, event) for event in events)


def test_bad_input_is_named_by_field_and_nothing_is_stored(world):
    api = world.api("specialist")
    before = stored_state()

    response = api.post(F, {"text": "x", "tickets": ["CS-20200101-000001"], "type": "bad"})

    assert response.status_code == 422
    assert set(field_errors(response)) == {"tickets"}
    assert stored_state() == before


def test_bulk_classify_is_all_or_nothing(world):
    api = world.api("specialist")
    before = stored_state()

    missing = world.own.pk + 1_000_000  # an id no feedback item has
    response = api.post(
        F + "/bulk-classify", {"ids": [world.own.pk, missing], "type": "process_gap"}
    )

    assert response.status_code == 422
    assert set(field_errors(response)) == {"ids"}
    assert stored_state() == before


def test_rejecting_needs_a_reason(world):
    path = f"{F}/{world.own.number}/status"

    refused = world.api("specialist").post(path, {"status": "rejected"})
    done = world.api("specialist").post(path, {"status": "rejected", "reason": "重复反馈"})

    assert refused.status_code == 422
    assert set(field_errors(refused)) == {"reason"}
    assert (done.status_code, done.json()["rejection_reason"]) == (200, "重复反馈")
    seen = world.api("customer").get(f"{F}/{world.own.number}").json()
    assert (seen["status"], seen["rejection_reason"]) == ("rejected", "重复反馈")


def test_the_list_filters_and_counts(world):
    world.api("specialist").post(f"{F}/{world.foreign.number}/status", {"status": "done"})

    body = world.api("analyst").get(F, {"team": "support"}).json()
    done = world.api("analyst").get(F, {"status": "done"}).json()
    bad = world.api("analyst").get(F, {"stage": "nowhere"})

    assert [item["number"] for item in body["items"]] == [world.own.number]
    assert body["counts"]["new"] == 1
    assert [item["number"] for item in done["items"]] == [world.foreign.number]
    assert done["counts"] == {"new": 1, "accepted": 0, "planned": 0, "done": 1, "rejected": 0}
    assert set(field_errors(bad)) == {"stage"}


# --- exports -------------------------------------------------------------------------------


def test_the_csv_export_streams_the_filtered_register(world):
    response = world.api("analyst").get(F + "/export", {"format": "csv", "team": "support"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="feedback-')
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert text.startswith("\ufeff")
    assert [row[0] for row in rows[1:]] == [world.own.number]
    assert rows[1][4] == "客服电话一直占线"


def test_the_xlsx_export_opens_in_a_spreadsheet(world):
    response = world.api("manager").get(F + "/export", {"format": "xlsx", "q": "占线"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["Number", "Created", "Source"]
    assert [(row[0], row[4]) for row in rows[1:]] == [(world.own.number, "客服电话一直占线")]


def test_the_export_headers_follow_the_language(world):
    response = Api(world.users["analyst"], language="zh-hans").get(F + "/export")

    header = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert header.split(",")[5:7] == ["类型", "紧急程度"]


# --- staff surveys -------------------------------------------------------------------------


def test_results_are_refused_under_five_answers_and_shown_at_five(world):
    survey = world.survey(answered=4)
    path = f"{S}/{survey.pk}/results"

    refused = world.api("specialist").get(path)
    answer_staff_survey(
        survey=survey,
        user=world.users["agent"],
        answers={"workload": 5, "tools": 5, "change": "多一些培训"},
    )
    shown = world.api("specialist").get(path)

    assert refused.status_code == 409
    assert refused.json()["code"] == "too_few_answers"
    assert (refused.json()["answers"], refused.json()["needed"]) == (4, 5)
    assert "(now 4)" in refused.json()["detail"]
    assert shown.status_code == 200
    workload = shown.json()["questions"][0]
    assert (workload["mean"], workload["distribution"]) == (
        3.4, {"1": 0, "2": 0, "3": 4, "4": 0, "5": 1},
    )  # fmt: skip
    assert sorted(t["text"] for t in shown.json()["questions"][2]["texts"]) == [
        "多一些培训", *["排班更灵活"] * 4,
    ]  # fmt: skip


def test_a_second_answer_through_the_api_is_refused(world):
    survey = world.survey()
    path = f"{S}/{survey.pk}/answer"
    first = world.api("agent").post(path, {"answers": {"workload": 2, "tools": 3}})

    second = world.api("agent").post(path, {"answers": {"workload": 5, "tools": 5}})
    bad = world.api("supervisor").post(path, {"answers": {"workload": 9}})

    assert (first.status_code, first.json()["answered_on"]) == (201, "2026-11-25")
    assert (second.status_code, second.json()["code"]) == (409, "already_answered")
    assert set(field_errors(bad)) == {"answers.workload", "answers.tools"}
    assert StaffSurveyAnswer.objects.count() == 1


def test_invitees_see_their_invitation_and_readers_the_participation(world):
    survey = world.survey(answered=1)
    world.api("agent").post(f"{S}/{survey.pk}/answer", {"answers": {"workload": 2, "tools": 3}})

    mine = world.api("agent").get(f"{S}/{survey.pk}").json()
    theirs = world.api("analyst").get(f"{S}/{survey.pk}").json()

    assert mine["me"] == {"invited": True, "answered": True}
    assert theirs["me"] == {"invited": False, "answered": False}
    assert (mine["invited"], mine["answered"]) == (None, None)
    assert (theirs["invited"], theirs["answered"]) == (6, 2)
    assert theirs["questions"][0]["text"] == "My workload is manageable"


def test_a_bad_survey_is_named_by_field(world):
    response = world.api("specialist").post(
        S,
        {
            "title": "Q4",
            "team": "nowhere",
            "questions": [{"kind": "text"}],
            "opens_at": clock.now().isoformat(),
            "closes_at": clock.now().isoformat(),
        },
    )

    assert response.status_code == 422
    assert set(field_errors(response)) == {"team", "questions"}
