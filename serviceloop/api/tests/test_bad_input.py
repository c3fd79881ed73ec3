"""Bad input for every field of every write endpoint: a field-level problem+json answer
(422, or 400 for a body that is not JSON at all) naming the field, and nothing stored.

Each case changes one field of a body that is otherwise valid
(`test_it_accepts_the_good_bodies_the_cases_start_from` proves those bodies are accepted).
"""

import copy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError

from serviceloop.accounts.choices import Role
from serviceloop.core import clock
from serviceloop.customers.models import Customer, Organisation
from serviceloop.tickets.models import (
    Commitment,
    CustomField,
    IdempotencyKey,
    Interaction,
    Ticket,
)
from tests.builders import make_customer, make_team, make_ticket, make_user

from .conftest import (
    CUSTOMER_EMAIL,
    PROBLEM,
    Call,
    World,
    in_a_day,
    send,
    stored_state,
    text_file,
)

DROP = object()  # remove the field from the good body
NAIVE = "2030-01-01T10:00:00"
PAST = "2020-01-01T10:00:00+08:00"
BEYOND_9999 = "9999-12-31T23:59:59-12:00"  # a valid ISO time that is year 10000 in UTC


@pytest.fixture
def custom_fields(db) -> None:
    """One optional custom field of each type."""
    for key, kind, choices in [
        ("amount", "decimal", []),
        ("parcels", "integer", []),
        ("ordered_on", "date", []),
        ("gift", "boolean", []),
        ("box", "choice", ["small", "large"]),
        ("serial", "text", []),
    ]:
        CustomField.objects.create(
            key=key, field_type=kind, choices=choices, name_en=key.title(), name_zh=key
        )


def body_with(base: dict[str, Any], changes: dict[str, Any], world: World) -> dict[str, Any]:
    """`base` with `changes` applied; a callable value is called with the world."""
    body = copy.deepcopy(base)
    for name, value in changes.items():
        if value is DROP:
            body.pop(name, None)
        else:
            body[name] = value
    return {name: value(world) if callable(value) else value for name, value in body.items()}


def assert_problem(
    response: Any, status: int, field: str | None, *, changed: Any = ()
) -> dict[str, Any]:
    assert response.status_code == status, (
        f"expected {status}, got {response.status_code}: {response.content[:600]!r}"
        + (f"; and it stored: {sorted(changed)}" if changed else "")
    )
    assert response["Content-Type"] == PROBLEM, response.content[:300]
    problem = response.json()
    assert problem["status"] == status
    assert isinstance(problem["title"], str)
    assert problem["title"].strip()
    for error in problem["errors"]:
        assert isinstance(error["message"], str), error
        assert error["message"].strip(), error
    if field is not None:
        fields = [error["field"] for error in problem["errors"]]
        assert field in fields, f"expected an error on {field!r}, got {problem['errors']}"
    return problem


def refuse(world: World, role: str, call: Call, field: str | None, status: int = 422) -> Any:
    """Send `call` as `role`; assert the field-level refusal and that nothing was stored."""
    api = world.api(role)  # issuing the test token is itself audited: before the snapshot
    before = stored_state()
    response = send(api, call)
    try:
        after = stored_state()
    except DatabaseError as error:
        pytest.fail(
            f"{call.method} {call.path} answered {response.status_code} "
            f"and stored rows that cannot be read back: {error}"
        )
    changed = [name for name in before if before[name] != after[name]]
    assert_problem(response, status, field, changed=changed)
    assert after == before, "a refused request stored something"
    return response


def cases(table: list[tuple[str, dict[str, Any], str]]) -> list[Any]:
    return [pytest.param(changes, field, id=name) for name, changes, field in table]


# --- POST /tickets ------------------------------------------------------------------------

GOOD_TICKET = {
    "description": "The parcel of order SF1024 has not arrived",
    "customer": {"email": "li.lei@example.com", "name": "Li Lei"},
}
LI_LEI = "li.lei@example.com"

TICKET_CASES = [
    ("description missing", {"description": DROP}, "description"),
    ("description empty", {"description": ""}, "description"),
    ("description blank", {"description": "   \n "}, "description"),
    ("description too long", {"description": "x" * 20_001}, "description"),
    ("description a number", {"description": 42}, "description"),
    ("description null", {"description": None}, "description"),
    ("subject too long", {"subject": "x" * 201}, "subject"),
    ("subject a list", {"subject": ["parcel"]}, "subject"),
    ("kind unknown", {"kind": "rant"}, "kind"),
    ("kind a number", {"kind": 1}, "kind"),
    ("urgency unknown", {"urgency": "asap"}, "urgency"),
    ("channel unknown", {"channel": "fax"}, "channel"),
    ("category unknown", {"category": "no-such-category"}, "category"),
    ("category too long", {"category": "c" * 65}, "category"),
    ("category a number", {"category": 7}, "category"),
    ("team unknown", {"team": "no-such-team"}, "team"),
    ("team too long", {"team": "t" * 51}, "team"),
    ("assignee unknown", {"assignee": 999_999}, "assignee"),
    ("assignee a name", {"assignee": "wang.fang"}, "assignee"),
    ("assignee of another team", {"assignee": lambda w: w.someone_else.pk}, "assignee"),
    ("assignee does not work tickets", {"assignee": lambda w: w.user("analyst").pk}, "assignee"),
    ("customer_id unknown", {"customer": DROP, "customer_id": 999_999}, "customer_id"),
    ("customer_id a name", {"customer": DROP, "customer_id": "Li Lei"}, "customer_id"),
    ("no customer at all", {"customer": DROP}, "customer"),
    ("customer a string", {"customer": LI_LEI}, "customer"),
    ("customer empty", {"customer": {}}, "customer"),
    ("customer.email invalid", {"customer": {"email": "not-an-email"}}, "customer.email"),
    ("customer.email too long", {"customer": {"email": "a" * 250 + "@x.cn"}}, "customer.email"),
    ("customer.email a number", {"customer": {"email": 12}}, "customer.email"),
    ("customer.phone invalid", {"customer": {"phone": "call me"}}, "customer.phone"),
    ("customer.phone too long", {"customer": {"phone": "1" * 41}}, "customer.phone"),
    ("customer.external_id long", {"customer": {"external_id": "x" * 65}}, "customer.external_id"),
    ("customer.name too long", {"customer": {"email": LI_LEI, "name": "x" * 201}}, "customer.name"),
    ("customer.language unknown", {"customer": {"email": LI_LEI, "language": "fr"}},
     "customer.language"),
    ("customer unknown field", {"customer": {"email": LI_LEI, "vip": True}}, "customer.vip"),
    ("order_ref too long", {"order_ref": "x" * 65}, "order_ref"),
    ("custom_fields a string", {"custom_fields": "amount=3"}, "custom_fields"),
    ("custom field unknown", {"custom_fields": {"colour": "red"}}, "custom_fields.colour"),
    ("decimal not a number", {"custom_fields": {"amount": "lots"}}, "custom_fields.amount"),
    ("decimal infinite", {"custom_fields": {"amount": "Infinity"}}, "custom_fields.amount"),
    ("decimal a boolean", {"custom_fields": {"amount": True}}, "custom_fields.amount"),
    ("decimal a list", {"custom_fields": {"amount": [1]}}, "custom_fields.amount"),
    ("integer a fraction", {"custom_fields": {"parcels": 2.5}}, "custom_fields.parcels"),
    ("integer a word", {"custom_fields": {"parcels": "two"}}, "custom_fields.parcels"),
    ("integer a boolean", {"custom_fields": {"parcels": False}}, "custom_fields.parcels"),
    ("date not ISO", {"custom_fields": {"ordered_on": "31/12/2026"}}, "custom_fields.ordered_on"),
    ("date a number", {"custom_fields": {"ordered_on": 20261231}}, "custom_fields.ordered_on"),
    ("date impossible", {"custom_fields": {"ordered_on": "2026-02-30"}},
     "custom_fields.ordered_on"),
    ("boolean a word", {"custom_fields": {"gift": "yes"}}, "custom_fields.gift"),
    ("boolean a number", {"custom_fields": {"gift": 1}}, "custom_fields.gift"),
    ("choice unknown", {"custom_fields": {"box": "huge"}}, "custom_fields.box"),
    ("text too long", {"custom_fields": {"serial": "x" * 1001}}, "custom_fields.serial"),
    ("text a number", {"custom_fields": {"serial": 12345}}, "custom_fields.serial"),
    ("unknown field", {"priority": "high"}, "priority"),
    ("status is not an input", {"status": "resolved"}, "status"),
]  # fmt: skip


@pytest.mark.usefixtures("custom_fields")
@pytest.mark.parametrize(("changes", "field"), cases(TICKET_CASES))
def test_it_refuses_a_bad_ticket(world: World, changes: dict, field: str) -> None:
    # given
    body = body_with(GOOD_TICKET, changes, world)

    # when / then
    refuse(world, Role.AGENT, Call("POST", "/api/v1/tickets", body), field)


def test_it_names_every_bad_field_of_a_ticket_at_once(world: World, custom_fields: None) -> None:
    # given
    body = {**GOOD_TICKET, "kind": "rant", "channel": "fax", "subject": "x" * 201}

    # when
    response = refuse(world, Role.AGENT, Call("POST", "/api/v1/tickets", body), "kind")

    # then
    assert {"kind", "channel", "subject"} <= {e["field"] for e in response.json()["errors"]}


def test_it_names_every_rule_broken_by_a_ticket_at_once(world: World, custom_fields: None) -> None:
    # given: fields the schema accepts but the rules refuse
    body = {
        **GOOD_TICKET,
        "category": "no-such-category",
        "customer": {"email": "not-an-email"},
        "custom_fields": {"amount": "lots"},
    }

    # when
    response = refuse(world, Role.AGENT, Call("POST", "/api/v1/tickets", body), "category")

    # then
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"category", "customer.email", "custom_fields.amount"} <= fields


def test_it_requires_a_required_custom_field(world: World) -> None:
    # given
    CustomField.objects.create(
        key="order_amount", field_type="decimal", required=True, name_en="Amount", name_zh="金额"
    )

    # when / then
    refuse(
        world,
        Role.AGENT,
        Call("POST", "/api/v1/tickets", GOOD_TICKET),
        "custom_fields.order_amount",
    )
    body = {**GOOD_TICKET, "custom_fields": {"order_amount": None}}
    refuse(world, Role.AGENT, Call("POST", "/api/v1/tickets", body), "custom_fields.order_amount")


@pytest.mark.parametrize(
    ("role", "changes", "field"),
    [
        pytest.param("customer", {"urgency": "high"}, "urgency", id="customer sets urgency"),
        pytest.param("customer", {"team": "support"}, "team", id="customer sets team"),
        pytest.param(
            "customer", {"assignee": lambda w: w.user("agent").pk}, "assignee",
            id="customer sets assignee",
        ),
        pytest.param(
            "customer", {"customer_id": lambda w: w.foreign_customer.pk}, "customer_id",
            id="customer files for someone else",
        ),
        pytest.param(
            "customer", {"customer": {"email": "zhang.wei@example.com"}}, "customer",
            id="customer names another customer",
        ),
        pytest.param("partner", {"team": "support"}, "team", id="partner sets team"),
        pytest.param(
            "partner", {"assignee": lambda w: w.user("agent").pk}, "assignee",
            id="partner sets assignee",
        ),
        pytest.param(
            "partner", {"customer_id": lambda w: w.foreign_customer.pk}, "customer_id",
            id="partner sets customer_id",
        ),
    ],
)  # fmt: skip
def test_it_refuses_fields_the_submitter_may_not_set(
    world: World, role: str, changes: dict, field: str
) -> None:
    # given
    base = {"description": "The parcel of order SF1024 has not arrived"}
    if role == Role.PARTNER:
        base["customer"] = {"email": LI_LEI}
    world.user(role)

    # when / then
    refuse(world, role, Call("POST", "/api/v1/tickets", body_with(base, changes, world)), field)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("", id="empty"),
        pytest.param("has spaces", id="spaces"),
        pytest.param("键", id="not ASCII"),
        pytest.param("k" * 256, id="too long"),
    ],
)
def test_it_refuses_a_bad_idempotency_key(world: World, key: str) -> None:
    # given
    call = Call("POST", "/api/v1/tickets", GOOD_TICKET, headers={"Idempotency-Key": key})

    # when / then
    refuse(world, Role.AGENT, call, "Idempotency-Key")


def test_it_refuses_an_idempotency_key_reused_for_another_request(world: World) -> None:
    # given
    first = world.api(Role.AGENT).post(
        "/api/v1/tickets", GOOD_TICKET, headers={"Idempotency-Key": "order-SF1024"}
    )
    assert first.status_code == 201
    other = {**GOOD_TICKET, "description": "A different request"}

    # when / then
    call = Call("POST", "/api/v1/tickets", other, headers={"Idempotency-Key": "order-SF1024"})
    refuse(world, Role.AGENT, call, "Idempotency-Key")
    assert IdempotencyKey.objects.count() == 1


# --- POST /tickets/batch ------------------------------------------------------------------

BATCH_CASES = [
    ("items missing", {"items": DROP}, "items"),
    ("items empty", {"items": []}, "items"),
    ("items not a list", {"items": GOOD_TICKET}, "items"),
    ("item not an object", {"items": [GOOD_TICKET, "parcel lost"]}, "items.1"),
    ("items over 1000", {"items": [GOOD_TICKET] * 1001}, "items"),
    ("unknown field", {"items": [GOOD_TICKET], "atomic": True}, "atomic"),
]


@pytest.mark.parametrize(("changes", "field"), cases(BATCH_CASES))
def test_it_refuses_a_bad_batch(world: World, changes: dict, field: str) -> None:
    # given
    body = body_with({"items": [GOOD_TICKET]}, changes, world)

    # when / then
    refuse(world, Role.AGENT, Call("POST", "/api/v1/tickets/batch", body), field)


def test_it_creates_exactly_the_good_items_of_a_batch(world: World, custom_fields: None) -> None:
    # given
    def item(text: str, **fields: Any) -> dict[str, Any]:
        return {**GOOD_TICKET, "description": text, **fields}

    items = [
        item("Parcel one is late"),
        item("Parcel two is late", customer={"email": "not-an-email"}),
        item("Parcel three is late", idempotency_key="batch-7-item-2"),
        item("Parcel four is late", custom_fields={"amount": "lots"}),
        item("Parcel five is late", kind="rant"),
        item("Parcel six is late", priority="high"),
        item("Parcel seven is late", idempotency_key="has spaces"),
        item("Parcel eight is late", category="no-such-category"),
        item("", subject="Empty"),
        item("Parcel ten is late", idempotency_key=""),
    ]
    expected_errors = {
        1: "customer.email",
        3: "custom_fields.amount",
        4: "kind",
        5: "priority",
        6: "idempotency_key",
        7: "category",
        8: "description",
        9: "idempotency_key",
    }
    api = world.api(Role.AGENT)
    tickets, keys = Ticket.objects.count(), IdempotencyKey.objects.count()

    # when
    response = api.post("/api/v1/tickets/batch", {"items": items})

    # then
    assert response.status_code == 207, response.content[:500]
    result = response.json()
    assert [r["index"] for r in result["results"]] == list(range(len(items)))
    assert (result["created"], result["failed"]) == (2, 8)
    for index, field in expected_errors.items():
        outcome = result["results"][index]
        assert outcome["outcome"] == "error", outcome
        assert outcome["status"] == 422, outcome
        assert outcome["number"] is None
        assert field in [e["field"] for e in outcome["errors"]], (index, outcome["errors"])
        assert all(e["message"].strip() for e in outcome["errors"])
    created = [r["number"] for r in result["results"] if r["outcome"] == "created"]
    assert [result["results"][i]["outcome"] for i in (0, 2)] == ["created", "created"]
    assert Ticket.objects.count() == tickets + 2
    assert set(Ticket.objects.filter(number__in=created).values_list("description", flat=True)) == {
        "Parcel one is late",
        "Parcel three is late",
    }
    assert IdempotencyKey.objects.count() == keys + 1


# --- PATCH /tickets/{number} --------------------------------------------------------------

PATCH_TICKET_CASES = [
    ("subject empty", {"subject": ""}, "subject"),
    ("subject blank", {"subject": "   "}, "subject"),
    ("subject null", {"subject": None}, "subject"),
    ("subject too long", {"subject": "x" * 201}, "subject"),
    ("subject a number", {"subject": 5}, "subject"),
    ("description empty", {"description": ""}, "description"),
    ("description blank", {"description": "  "}, "description"),
    ("description null", {"description": None}, "description"),
    ("description too long", {"description": "x" * 20_001}, "description"),
    ("kind unknown", {"kind": "rant"}, "kind"),
    ("kind null", {"kind": None}, "kind"),
    ("category unknown", {"category": "no-such-category"}, "category"),
    ("category too long", {"category": "c" * 65}, "category"),
    ("order_ref too long", {"order_ref": "x" * 65}, "order_ref"),
    ("order_ref null", {"order_ref": None}, "order_ref"),
    ("custom_fields a string", {"custom_fields": "amount=3"}, "custom_fields"),
    ("custom_fields null", {"custom_fields": None}, "custom_fields"),
    ("custom field unknown", {"custom_fields": {"colour": "red"}}, "custom_fields.colour"),
    ("custom field wrong type", {"custom_fields": {"amount": "lots"}}, "custom_fields.amount"),
    ("status", {"status": "resolved"}, "status"),
    ("team", {"team": "billing"}, "team"),
    ("assignee", {"assignee": 1}, "assignee"),
    ("urgency", {"urgency": "high"}, "urgency"),
    ("number", {"number": "CS-20260101-000001"}, "number"),
]


@pytest.mark.usefixtures("custom_fields")
@pytest.mark.parametrize(("changes", "field"), cases(PATCH_TICKET_CASES))
def test_it_refuses_a_bad_ticket_edit(world: World, changes: dict, field: str) -> None:
    # given
    path = f"/api/v1/tickets/{world.own_ticket.number}"
    body = body_with({"subject": "Parcel SF1024 lost"}, changes, world)

    # when / then
    refuse(world, Role.AGENT, Call("PATCH", path, body), field)


def test_it_refuses_a_malformed_if_match(world: World) -> None:
    # given
    path = f"/api/v1/tickets/{world.own_ticket.number}"
    call = Call("PATCH", path, {"subject": "Lost"}, headers={"If-Match": "version 1"})

    # when / then
    refuse(world, Role.AGENT, call, "If-Match")


# --- ticket actions -----------------------------------------------------------------------

ACTION_CASES = [
    # (endpoint, good body, case name, changes, field)
    ("transition", {"to": "in_progress"}, "to missing", {"to": DROP}, "to"),
    ("transition", {"to": "in_progress"}, "to unknown", {"to": "done"}, "to"),
    ("transition", {"to": "in_progress"}, "to a number", {"to": 3}, "to"),
    ("transition", {"to": "in_progress"}, "to null", {"to": None}, "to"),
    ("transition", {"to": "resolved"}, "resolve without resolution", {}, "resolution"),
    ("transition", {"to": "resolved"}, "resolution blank", {"resolution": "  "}, "resolution"),
    ("transition", {"to": "resolved"}, "resolution too long", {"resolution": "x" * 20_001},
     "resolution"),
    ("transition", {"to": "in_progress"}, "reason too long", {"reason": "x" * 2_001}, "reason"),
    ("transition", {"to": "in_progress"}, "unknown field", {"note": "moving on"}, "note"),
    ("assign", {"assignee": None}, "assignee missing", {"assignee": DROP}, "assignee"),
    ("assign", {"assignee": None}, "assignee a name", {"assignee": "wang.fang"}, "assignee"),
    ("assign", {"assignee": None}, "assignee unknown", {"assignee": 999_999}, "assignee"),
    ("assign", {"assignee": None}, "assignee of another team",
     {"assignee": lambda w: w.someone_else.pk}, "assignee"),
    ("assign", {"assignee": None}, "assignee does not work tickets",
     {"assignee": lambda w: w.user("specialist").pk}, "assignee"),
    ("assign", {"assignee": None}, "assignee a customer",
     {"assignee": lambda w: w.user("customer").pk}, "assignee"),
    ("assign", {"assignee": None}, "assignee inactive",
     {"assignee": lambda w: make_user(Role.AGENT, username="gone", teams=[w.support],
                                       is_active=False).pk}, "assignee"),
    ("assign", {"assignee": None}, "unknown field", {"team": "billing"}, "team"),
    ("transfer", {"team": "billing"}, "team missing", {"team": DROP}, "team"),
    ("transfer", {"team": "billing"}, "team unknown", {"team": "no-such-team"}, "team"),
    ("transfer", {"team": "billing"}, "team too long", {"team": "t" * 51}, "team"),
    ("transfer", {"team": "billing"}, "team a number", {"team": 7}, "team"),
    ("transfer", {"team": "billing"}, "team inactive",
     {"team": lambda w: make_team("closed-desk", is_active=False).code}, "team"),
    ("transfer", {"team": "billing"}, "reason too long", {"reason": "x" * 2_001}, "reason"),
    ("transfer", {"team": "billing"}, "unknown field", {"assignee": 1}, "assignee"),
    ("urgency", {"urgency": "high"}, "urgency missing", {"urgency": DROP}, "urgency"),
    ("urgency", {"urgency": "high"}, "urgency unknown", {"urgency": "asap"}, "urgency"),
    ("urgency", {"urgency": "high"}, "urgency null", {"urgency": None}, "urgency"),
    ("urgency", {"urgency": "high"}, "reason too long", {"reason": "x" * 2_001}, "reason"),
    ("urgency", {"urgency": "high"}, "unknown field", {"sla": "4h"}, "sla"),
    ("merge", {"into": lambda w: w.own_twin.number}, "into missing", {"into": DROP}, "into"),
    ("merge", {"into": lambda w: w.own_twin.number}, "into unknown",
     {"into": "CS-20200101-999999"}, "into"),
    ("merge", {"into": lambda w: w.own_twin.number}, "into not a number", {"into": "garbage"},
     "into"),
    ("merge", {"into": lambda w: w.own_twin.number}, "into too long", {"into": "C" * 33}, "into"),
    ("merge", {"into": lambda w: w.own_twin.number}, "into itself",
     {"into": lambda w: w.own_ticket.number}, "into"),
    ("merge", {"into": lambda w: w.own_twin.number}, "into another customer's ticket",
     {"into": lambda w: make_ticket(w.user("agent"), description="Other parcel").number}, "into"),
    ("merge", {"into": lambda w: w.own_twin.number}, "note too long", {"note": "x" * 2_001},
     "note"),
    ("merge", {"into": lambda w: w.own_twin.number}, "unknown field", {"reason": "dup"}, "reason"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("endpoint", "good", "changes", "field"),
    [pytest.param(e, g, c, f, id=f"{e}: {name}") for e, g, name, c, f in ACTION_CASES],
)
def test_it_refuses_a_bad_ticket_action(
    world: World, endpoint: str, good: dict, changes: dict, field: str
) -> None:
    # given
    path = f"/api/v1/tickets/{world.own_ticket.number}/{endpoint}"
    body = body_with(good, changes, world)

    # when / then
    refuse(world, Role.AGENT, Call("POST", path, body), field)


def test_it_refuses_to_reopen_without_a_reason(world: World) -> None:
    # given
    ticket = world.resolved("own")
    call = Call("POST", f"/api/v1/tickets/{ticket.number}/transition", {"to": "in_progress"})

    # when / then
    refuse(world, Role.AGENT, call, "reason")
    refuse(world, Role.CUSTOMER, call, "reason")
    blank = Call("POST", call.path, {"to": "in_progress", "reason": "   "})
    refuse(world, Role.CUSTOMER, blank, "reason")


# --- POST /tickets/{number}/interactions --------------------------------------------------

INTERACTION_CASES = [
    ("content missing", {"content": DROP}, "content"),
    ("content empty", {"content": ""}, "content"),
    ("content blank", {"content": " \n "}, "content"),
    ("content too long", {"content": "x" * 20_001}, "content"),
    ("content a number", {"content": 7}, "content"),
    ("channel unknown", {"channel": "fax"}, "channel"),
    ("direction unknown", {"direction": "sideways"}, "direction"),
    ("emotion unknown", {"emotion": "furious"}, "emotion"),
    ("is_internal not a boolean", {"is_internal": "maybe"}, "is_internal"),
    ("occurred_at naive", {"occurred_at": NAIVE}, "occurred_at"),
    ("occurred_at a date", {"occurred_at": "2026-11-23"}, "occurred_at"),
    ("occurred_at words", {"occurred_at": "yesterday"}, "occurred_at"),
    ("occurred_at in the future", {"occurred_at": lambda w: in_a_day()}, "occurred_at"),
    ("occurred_at long before the ticket",
     {"occurred_at": lambda w: (w.own_ticket.created_at - timedelta(days=3)).isoformat()},
     "occurred_at"),
    ("unknown field", {"author": 1}, "author"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "field"), cases(INTERACTION_CASES))
def test_it_refuses_a_bad_interaction(world: World, changes: dict, field: str) -> None:
    # given
    path = f"/api/v1/tickets/{world.own_ticket.number}/interactions"
    body = body_with(
        {"content": "Called: the parcel is at the depot", "channel": "phone"}, changes, world
    )

    # when / then
    refuse(world, Role.AGENT, Call("POST", path, body), field)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"is_internal": True}, "is_internal", id="internal"),
        pytest.param({"emotion": "angry"}, "emotion", id="emotion"),
        pytest.param({"direction": "outbound"}, "direction", id="outbound"),
    ],
)
def test_it_refuses_staff_only_fields_from_a_customer(
    world: World, changes: dict, field: str
) -> None:
    # given
    path = f"/api/v1/tickets/{world.own_ticket.number}/interactions"
    body = {"content": "Where is my parcel?", **changes}

    # when / then
    refuse(world, Role.CUSTOMER, Call("POST", path, body), field)


# --- commitments --------------------------------------------------------------------------

COMMITMENT_CASES = [
    ("text missing", {"text": DROP}, "text"),
    ("text empty", {"text": ""}, "text"),
    ("text blank", {"text": "   "}, "text"),
    ("text too long", {"text": "x" * 501}, "text"),
    ("due_at missing", {"due_at": DROP}, "due_at"),
    ("due_at naive", {"due_at": NAIVE}, "due_at"),
    ("due_at a date", {"due_at": "2030-01-01"}, "due_at"),
    ("due_at words", {"due_at": "tomorrow"}, "due_at"),
    ("due_at past", {"due_at": PAST}, "due_at"),
    ("due_at beyond year 9999 in UTC", {"due_at": BEYOND_9999}, "due_at"),
    ("due_at a minute ago", {"due_at": lambda w: (clock.now() - timedelta(minutes=1)).isoformat()},
     "due_at"),
    ("owner unknown", {"owner": 999_999}, "owner"),
    ("owner a name", {"owner": "wang.fang"}, "owner"),
    ("owner does not work tickets", {"owner": lambda w: w.user("analyst").pk}, "owner"),
    ("owner of another team", {"owner": lambda w: w.someone_else.pk}, "owner"),
    ("unknown field", {"status": "kept"}, "status"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "field"), cases(COMMITMENT_CASES))
def test_it_refuses_a_bad_commitment(world: World, changes: dict, field: str) -> None:
    # given
    path = f"/api/v1/tickets/{world.own_ticket.number}/commitments"
    good = {"text": "We call you back before 10:00 tomorrow", "due_at": in_a_day()}

    # when / then
    refuse(world, Role.AGENT, Call("POST", path, body_with(good, changes, world)), field)


RENEGOTIATE_CASES = [
    ("due_at missing", {"due_at": DROP}, "due_at"),
    ("due_at naive", {"due_at": NAIVE}, "due_at"),
    ("due_at words", {"due_at": "next week"}, "due_at"),
    ("due_at past", {"due_at": PAST}, "due_at"),
    ("due_at beyond year 9999 in UTC", {"due_at": BEYOND_9999}, "due_at"),
    ("reason missing", {"reason": DROP}, "reason"),
    ("reason empty", {"reason": ""}, "reason"),
    ("reason blank", {"reason": "   "}, "reason"),
    ("reason too long", {"reason": "x" * 2_001}, "reason"),
    ("text too long", {"text": "x" * 501}, "text"),
    ("text blank", {"text": "   "}, "text"),
    ("unknown field", {"owner": 1}, "owner"),
]


@pytest.mark.parametrize(("changes", "field"), cases(RENEGOTIATE_CASES))
def test_it_refuses_a_bad_renegotiation(world: World, changes: dict, field: str) -> None:
    # given
    commitment = world.commitment("own")
    path = f"/api/v1/commitments/{commitment.pk}/renegotiate"
    good = {"due_at": in_a_day(), "reason": "The courier is delayed by snow"}

    # when
    refuse(world, Role.AGENT, Call("POST", path, body_with(good, changes, world)), field)

    # then
    assert Commitment.objects.get(pk=commitment.pk).status == "open"


# --- PATCH /interactions/{id} -------------------------------------------------------------

EDIT_INTERACTION_CASES = [
    ("content empty", {"content": ""}, "content"),
    ("content blank", {"content": "   "}, "content"),
    ("content null", {"content": None}, "content"),
    ("content too long", {"content": "x" * 20_001}, "content"),
    ("content a number", {"content": 5}, "content"),
    ("emotion unknown", {"emotion": "furious"}, "emotion"),
    ("is_internal", {"is_internal": True}, "is_internal"),
    ("occurred_at", {"occurred_at": PAST}, "occurred_at"),
]


@pytest.mark.parametrize(("changes", "field"), cases(EDIT_INTERACTION_CASES))
def test_it_refuses_a_bad_interaction_edit(world: World, changes: dict, field: str) -> None:
    # given
    interaction = world.interaction("own")
    path = f"/api/v1/interactions/{interaction.pk}"
    body = body_with({"content": "Called at 10:05"}, changes, world)

    # when / then
    refuse(world, Role.AGENT, Call("PATCH", path, body), field)


# --- attachments --------------------------------------------------------------------------


def _other_ticket_interaction(world: World) -> int:
    other = make_ticket(world.user(Role.AGENT), description="Another parcel")
    return Interaction.objects.create(
        ticket=other,
        channel="phone",
        direction="outbound",
        content="Called",
        author=world.user("agent"),
    ).pk


ATTACHMENT_CASES = [
    ("file missing", {"file": DROP}, "file"),
    ("file empty", {"file": lambda w: text_file(content=b"")}, "file"),
    ("file a program", {"file": lambda w: text_file("setup.exe", b"MZ\x90\x00" + b"\x00" * 60)},
     "file"),
    ("file too large", {"file": lambda w: text_file(content=b"x" * 2_048)}, "file"),
    ("is_internal not a boolean", {"is_internal": "maybe"}, "is_internal"),
    ("interaction not a number", {"interaction": "first"}, "interaction"),
    ("interaction unknown", {"interaction": "999999"}, "interaction"),
    ("interaction of another ticket", {"interaction": _other_ticket_interaction}, "interaction"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "field"), cases(ATTACHMENT_CASES))
def test_it_refuses_a_bad_attachment(
    world: World, settings: Any, changes: dict, field: str
) -> None:
    # given
    settings.ATTACHMENT_MAX_BYTES = 1_024
    path = f"/api/v1/tickets/{world.own_ticket.number}/attachments"
    form = body_with({"file": lambda w: text_file()}, changes, world)

    # when / then
    refuse(world, Role.AGENT, Call("POST", path, form=form), field)


# --- customers ----------------------------------------------------------------------------


def _taken_crm_id(world: World) -> str:
    make_customer("Wang Fang", external_id="CRM-0042")
    return "CRM-0042"


CUSTOMER_CASES = [
    ("name missing", {"name": DROP}, "name"),
    ("name empty", {"name": ""}, "name"),
    ("name blank", {"name": "   "}, "name"),
    ("name too long", {"name": "x" * 201}, "name"),
    ("name a number", {"name": 5}, "name"),
    ("email invalid", {"email": "li.lei at example"}, "email"),
    ("email too long", {"email": "a" * 250 + "@x.cn"}, "email"),
    ("email taken", {"email": CUSTOMER_EMAIL}, "email"),
    ("phone invalid", {"phone": "call me"}, "phone"),
    ("phone too long", {"phone": "1" * 41}, "phone"),
    ("external_id too long", {"external_id": "x" * 65}, "external_id"),
    ("external_id taken", {"external_id": _taken_crm_id}, "external_id"),
    ("organisation unknown", {"organisation": 999_999}, "organisation"),
    ("organisation a name", {"organisation": "Acme"}, "organisation"),
    ("tier unknown", {"tier": "platinum"}, "tier"),
    ("tier too long", {"tier": "t" * 31}, "tier"),
    ("language unknown", {"language": "fr"}, "language"),
    ("notes too long", {"notes": "x" * 5_001}, "notes"),
    ("unknown field", {"vip": True}, "vip"),
]


@pytest.mark.parametrize(("changes", "field"), cases(CUSTOMER_CASES))
def test_it_refuses_a_bad_customer(world: World, changes: dict, field: str) -> None:
    # given
    world.own_customer  # noqa: B018 - holds customer@example.com
    good = {"name": "Li Lei", "email": LI_LEI, "phone": "+8613800138000"}

    # when / then
    refuse(
        world, Role.AGENT, Call("POST", "/api/v1/customers", body_with(good, changes, world)), field
    )


PATCH_CUSTOMER_CASES = [
    ("name empty", {"name": ""}, "name"),
    ("name blank", {"name": "   "}, "name"),
    ("name null", {"name": None}, "name"),
    ("name too long", {"name": "x" * 201}, "name"),
    ("external_id too long", {"external_id": "x" * 65}, "external_id"),
    ("external_id taken", {"external_id": _taken_crm_id}, "external_id"),
    ("organisation unknown", {"organisation": 999_999}, "organisation"),
    ("tier unknown", {"tier": "platinum"}, "tier"),
    ("language unknown", {"language": "fr"}, "language"),
    ("language null", {"language": None}, "language"),
    ("notes too long", {"notes": "x" * 5_001}, "notes"),
    ("notes null", {"notes": None}, "notes"),
    ("email is not a field here", {"email": LI_LEI}, "email"),
]


@pytest.mark.parametrize(("changes", "field"), cases(PATCH_CUSTOMER_CASES))
def test_it_refuses_a_bad_customer_edit(world: World, changes: dict, field: str) -> None:
    # given
    path = f"/api/v1/customers/{world.foreign_customer.pk}"
    body = body_with({"notes": "Prefers phone calls"}, changes, world)

    # when / then
    refuse(world, Role.AGENT, Call("PATCH", path, body), field)


CONTACT_CASES = [
    ("kind missing", {"kind": DROP}, "kind"),
    ("kind unknown", {"kind": "fax"}, "kind"),
    ("value missing", {"value": DROP}, "value"),
    ("value empty", {"value": ""}, "value"),
    ("value not an e-mail", {"value": "li.lei at example"}, "value"),
    ("value not a phone", {"kind": "phone", "value": "call me"}, "value"),
    ("value too long", {"value": "a" * 250 + "@x.cn"}, "value"),
    ("value of another customer", {"value": CUSTOMER_EMAIL}, "value"),
    ("unknown field", {"is_primary": True}, "is_primary"),
]


@pytest.mark.parametrize(("changes", "field"), cases(CONTACT_CASES))
def test_it_refuses_a_bad_contact(world: World, changes: dict, field: str) -> None:
    # given
    world.own_customer  # noqa: B018 - holds customer@example.com
    path = f"/api/v1/customers/{world.foreign_customer.pk}/contacts"
    body = body_with({"kind": "email", "value": "wei.work@example.com"}, changes, world)

    # when / then
    refuse(world, Role.AGENT, Call("POST", path, body), field)


# --- /tokens and /me ----------------------------------------------------------------------

ACCOUNT_CASES = [
    ("POST", "/api/v1/tokens", {"name": "CI"}, "name missing", {"name": DROP}, "name"),
    ("POST", "/api/v1/tokens", {"name": "CI"}, "name empty", {"name": ""}, "name"),
    ("POST", "/api/v1/tokens", {"name": "CI"}, "name blank", {"name": "   "}, "name"),
    ("POST", "/api/v1/tokens", {"name": "CI"}, "name too long", {"name": "x" * 101}, "name"),
    ("POST", "/api/v1/tokens", {"name": "CI"}, "name a number", {"name": 5}, "name"),
    ("POST", "/api/v1/tokens", {"name": "CI"}, "unknown field", {"user": 1}, "user"),
    ("PATCH", "/api/v1/me", {}, "language unknown", {"language": "fr"}, "language"),
    ("PATCH", "/api/v1/me", {}, "language null", {"language": None}, "language"),
    ("PATCH", "/api/v1/me", {}, "language a number", {"language": 5}, "language"),
    ("PATCH", "/api/v1/me", {}, "time_zone unknown", {"time_zone": "Mars/Olympus"}, "time_zone"),
    ("PATCH", "/api/v1/me", {}, "time_zone too long", {"time_zone": "x" * 65}, "time_zone"),
    ("PATCH", "/api/v1/me", {}, "time_zone null", {"time_zone": None}, "time_zone"),
    ("PATCH", "/api/v1/me", {}, "time_zone a path", {"time_zone": "../../etc/passwd"},
     "time_zone"),
    ("PATCH", "/api/v1/me", {}, "role", {"role": "admin"}, "role"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "good", "changes", "field"),
    [pytest.param(m, p, g, c, f, id=f"{m} {p}: {name}") for m, p, g, name, c, f in ACCOUNT_CASES],
)
def test_it_refuses_bad_account_input(
    world: World, method: str, path: str, good: dict, changes: dict, field: str
) -> None:
    # when / then
    refuse(world, Role.CUSTOMER, Call(method, path, body_with(good, changes, world)), field)


# --- configuration (administrators) -------------------------------------------------------

GOOD_CATEGORY = {"code": "refunds", "name_en": "Refunds", "name_zh": "退款"}
GOOD_TEAM = {"code": "vip-care", "name_en": "VIP care", "name_zh": "贵宾服务"}

CONFIGURATION_CASES = [
    ("POST", "/api/v1/categories", GOOD_CATEGORY, "code missing", {"code": DROP}, "code"),
    ("POST", "/api/v1/categories", GOOD_CATEGORY, "code malformed", {"code": "Bad Code!"}, "code"),
    ("POST", "/api/v1/categories", GOOD_CATEGORY, "code taken", {"code": "delivery"}, "code"),
    ("POST", "/api/v1/categories", GOOD_CATEGORY, "code too long", {"code": "c" * 65}, "code"),
    ("POST", "/api/v1/categories", GOOD_CATEGORY, "name_en missing", {"name_en": DROP}, "name_en"),
    ("POST", "/api/v1/categories", GOOD_CATEGORY, "name_en blank", {"name_en": "  "}, "name_en"),
    ("POST", "/api/v1/categories", GOOD_CATEGORY, "name_zh empty", {"name_zh": ""}, "name_zh"),
    ("POST", "/api/v1/categories", GOOD_CATEGORY, "name_zh too long", {"name_zh": "类" * 101},
     "name_zh"),
    ("POST", "/api/v1/categories", GOOD_CATEGORY, "parent unknown", {"parent": "no-such"},
     "parent"),
    ("POST", "/api/v1/categories", GOOD_CATEGORY, "team unknown", {"team": "no-such"}, "team"),
    ("POST", "/api/v1/categories", GOOD_CATEGORY, "position negative", {"position": -1},
     "position"),
    ("POST", "/api/v1/categories", GOOD_CATEGORY, "position too big", {"position": 40_000},
     "position"),
    ("POST", "/api/v1/categories", GOOD_CATEGORY, "position a word", {"position": "first"},
     "position"),
    ("POST", "/api/v1/categories", GOOD_CATEGORY, "unknown field", {"sla": "4h"}, "sla"),
    ("PATCH", "/api/v1/categories/delivery", {}, "name_en empty", {"name_en": ""}, "name_en"),
    ("PATCH", "/api/v1/categories/delivery", {}, "name_en null", {"name_en": None}, "name_en"),
    ("PATCH", "/api/v1/categories/delivery", {}, "parent unknown", {"parent": "no-such"},
     "parent"),
    ("PATCH", "/api/v1/categories/delivery", {}, "parent itself", {"parent": "delivery"},
     "parent"),
    ("PATCH", "/api/v1/categories/delivery", {}, "team unknown", {"team": "no-such"}, "team"),
    ("PATCH", "/api/v1/categories/delivery", {}, "position negative", {"position": -1},
     "position"),
    ("PATCH", "/api/v1/categories/delivery", {}, "is_active a word", {"is_active": "maybe"},
     "is_active"),
    ("PATCH", "/api/v1/categories/delivery", {}, "is_active null", {"is_active": None},
     "is_active"),
    ("PATCH", "/api/v1/categories/delivery", {}, "code", {"code": "parcels"}, "code"),
    ("POST", "/api/v1/teams", GOOD_TEAM, "code missing", {"code": DROP}, "code"),
    ("POST", "/api/v1/teams", GOOD_TEAM, "code malformed", {"code": "VIP Care"}, "code"),
    ("POST", "/api/v1/teams", GOOD_TEAM, "code taken", {"code": "support"}, "code"),
    ("POST", "/api/v1/teams", GOOD_TEAM, "code too long", {"code": "t" * 51}, "code"),
    ("POST", "/api/v1/teams", GOOD_TEAM, "name_en empty", {"name_en": ""}, "name_en"),
    ("POST", "/api/v1/teams", GOOD_TEAM, "name_zh missing", {"name_zh": DROP}, "name_zh"),
    ("POST", "/api/v1/teams", GOOD_TEAM, "manager unknown", {"manager": 999_999}, "manager"),
    ("POST", "/api/v1/teams", GOOD_TEAM, "manager not a manager",
     {"manager": lambda w: w.user("agent").pk}, "manager"),
    ("POST", "/api/v1/teams", GOOD_TEAM, "is_default a word", {"is_default": "maybe"},
     "is_default"),
    ("POST", "/api/v1/teams", GOOD_TEAM, "unknown field", {"members": [1]}, "members"),
    ("PATCH", "/api/v1/teams/support", {}, "name_en empty", {"name_en": ""}, "name_en"),
    ("PATCH", "/api/v1/teams/support", {}, "name_zh null", {"name_zh": None}, "name_zh"),
    ("PATCH", "/api/v1/teams/support", {}, "manager unknown", {"manager": 999_999}, "manager"),
    ("PATCH", "/api/v1/teams/support", {}, "is_active a word", {"is_active": "maybe"},
     "is_active"),
    ("PATCH", "/api/v1/teams/support", {}, "code", {"code": "helpdesk"}, "code"),
    ("POST", "/api/v1/teams/support/members", {}, "user missing", {}, "user"),
    ("POST", "/api/v1/teams/support/members", {}, "user unknown", {"user": 999_999}, "user"),
    ("POST", "/api/v1/teams/support/members", {}, "user a name", {"user": "wang.fang"}, "user"),
    ("POST", "/api/v1/teams/support/members", {}, "user a customer",
     {"user": lambda w: w.user("customer").pk}, "user"),
    ("POST", "/api/v1/teams/support/members", {}, "unknown field",
     {"user": lambda w: w.newcomer.pk, "lead": True}, "lead"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "good", "changes", "field"),
    [
        pytest.param(m, p, g, c, f, id=f"{m} {p}: {name}")
        for m, p, g, name, c, f in CONFIGURATION_CASES
    ],
)
def test_it_refuses_bad_configuration(
    world: World, method: str, path: str, good: dict, changes: dict, field: str
) -> None:
    # given
    world.user(Role.MANAGER)

    # when / then
    refuse(world, Role.ADMIN, Call(method, path, body_with(good, changes, world)), field)


# --- text that no database column can hold ----------------------------------------------

NUL = "Parcel \x00 lost"  # PostgreSQL text and jsonb cannot store U+0000

NUL_CASES = [
    ("agent", "POST", "/api/v1/tickets", {**GOOD_TICKET, "description": NUL}, "description"),
    ("agent", "POST", "/api/v1/tickets", {**GOOD_TICKET, "subject": NUL}, "subject"),
    ("agent", "POST", "/api/v1/tickets", {**GOOD_TICKET, "order_ref": "SF\x001024"}, "order_ref"),
    ("agent", "POST", "/api/v1/tickets",
     {**GOOD_TICKET, "customer": {"email": LI_LEI, "name": "Li\x00Lei"}}, "customer.name"),
    ("agent", "POST", "/api/v1/tickets",
     {**GOOD_TICKET, "customer": {"external_id": "CRM\x0042"}}, "customer.external_id"),
    ("agent", "POST", "/api/v1/tickets",
     {**GOOD_TICKET, "custom_fields": {"serial": "SN\x001"}}, "custom_fields.serial"),
    ("agent", "PATCH", "/api/v1/tickets/{number}", {"subject": NUL}, "subject"),
    ("agent", "PATCH", "/api/v1/tickets/{number}", {"description": NUL}, "description"),
    ("agent", "POST", "/api/v1/tickets/{number}/transition",
     {"to": "resolved", "resolution": NUL}, "resolution"),
    ("agent", "POST", "/api/v1/tickets/{number}/transfer", {"team": "billing", "reason": NUL},
     "reason"),
    ("agent", "POST", "/api/v1/tickets/{number}/urgency", {"urgency": "high", "reason": NUL},
     "reason"),
    ("agent", "POST", "/api/v1/tickets/{number}/interactions", {"content": NUL}, "content"),
    ("customer", "POST", "/api/v1/tickets/{number}/interactions", {"content": NUL}, "content"),
    ("agent", "POST", "/api/v1/tickets/{number}/commitments",
     {"text": NUL, "due_at": lambda w: in_a_day()}, "text"),
    ("agent", "POST", "/api/v1/commitments/{commitment_id}/renegotiate",
     {"due_at": lambda w: in_a_day(), "reason": NUL}, "reason"),
    ("agent", "PATCH", "/api/v1/interactions/{interaction_id}", {"content": NUL}, "content"),
    ("agent", "POST", "/api/v1/customers", {"name": "Li\x00Lei", "email": LI_LEI}, "name"),
    ("agent", "POST", "/api/v1/customers", {"name": "Li Lei", "email": LI_LEI, "notes": NUL},
     "notes"),
    ("agent", "PATCH", "/api/v1/customers/{customer_id}", {"notes": NUL}, "notes"),
    ("customer", "POST", "/api/v1/tokens", {"name": "CI\x00"}, "name"),
    ("admin", "POST", "/api/v1/categories", {**GOOD_CATEGORY, "name_en": NUL}, "name_en"),
    ("admin", "PATCH", "/api/v1/categories/{code}", {"name_zh": NUL}, "name_zh"),
    ("admin", "POST", "/api/v1/teams", {**GOOD_TEAM, "name_en": NUL}, "name_en"),
    ("admin", "PATCH", "/api/v1/teams/{code}", {"name_zh": NUL}, "name_zh"),
]  # fmt: skip


@pytest.mark.usefixtures("custom_fields")
@pytest.mark.parametrize(
    ("role", "method", "path", "body", "field"),
    [pytest.param(r, m, p, b, f, id=f"{r} {m} {p}: {f}") for r, m, p, b, f in NUL_CASES],
)
def test_it_refuses_a_nul_character_in_text(
    world: World, role: str, method: str, path: str, body: dict, field: str
) -> None:
    # given
    call = Call(method, _real_path(world, path), body_with(body, {}, world))

    # when / then
    refuse(world, role, call, field)


# --- bodies that are not JSON objects -----------------------------------------------------

JSON_ENDPOINTS = [
    ("POST", "/api/v1/tickets"),
    ("POST", "/api/v1/tickets/batch"),
    ("PATCH", "/api/v1/tickets/{number}"),
    ("POST", "/api/v1/tickets/{number}/transition"),
    ("POST", "/api/v1/tickets/{number}/assign"),
    ("POST", "/api/v1/tickets/{number}/transfer"),
    ("POST", "/api/v1/tickets/{number}/urgency"),
    ("POST", "/api/v1/tickets/{number}/merge"),
    ("POST", "/api/v1/tickets/{number}/interactions"),
    ("POST", "/api/v1/tickets/{number}/commitments"),
    ("POST", "/api/v1/commitments/{commitment_id}/renegotiate"),
    ("PATCH", "/api/v1/interactions/{interaction_id}"),
    ("POST", "/api/v1/customers"),
    ("PATCH", "/api/v1/customers/{customer_id}"),
    ("POST", "/api/v1/customers/{customer_id}/contacts"),
    ("POST", "/api/v1/tokens"),
    ("PATCH", "/api/v1/me"),
    ("POST", "/api/v1/categories"),
    ("PATCH", "/api/v1/categories/{code}"),
    ("POST", "/api/v1/teams"),
    ("PATCH", "/api/v1/teams/{code}"),
    ("POST", "/api/v1/teams/{code}/members"),
]


def _real_path(world: World, path: str) -> str:
    if "{number}" in path:
        path = path.replace("{number}", world.own_ticket.number)
    if "{commitment_id}" in path:
        path = path.replace("{commitment_id}", str(world.commitment("own").pk))
    if "{interaction_id}" in path:
        path = path.replace("{interaction_id}", str(world.interaction("own").pk))
    if "{customer_id}" in path:
        path = path.replace("{customer_id}", str(world.foreign_customer.pk))
    return path.replace("{code}", "support" if "/teams/" in path else "delivery")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        pytest.param('{"description": "The parcel', 400, None, id="cut off"),
        pytest.param("description=lost", 400, None, id="form encoded"),
        pytest.param("[1, 2]", 422, "body", id="a list"),
        pytest.param('"lost parcel"', 422, "body", id="a string"),
        pytest.param("null", 422, "body", id="null"),
    ],
)
@pytest.mark.parametrize(("method", "path"), JSON_ENDPOINTS)
def test_it_refuses_a_body_that_is_not_a_json_object(
    world: World, method: str, path: str, body: str, status: int, field: str | None
) -> None:
    # given
    call = Call(method, _real_path(world, path), body)

    # when / then
    refuse(world, Role.ADMIN, call, field, status=status)


# --- the language of the problem ----------------------------------------------------------

CHINESE = [
    ("tickets", "agent", "POST", "/api/v1/tickets", {"description": ""}, "description"),
    ("batch", "agent", "POST", "/api/v1/tickets/batch", {"items": []}, "items"),
    ("ticket edit", "agent", "PATCH", "/api/v1/tickets/{number}", {"status": "closed"}, "status"),
    ("ticket actions", "agent", "POST", "/api/v1/tickets/{number}/transition", {"to": "resolved"},
     "resolution"),
    ("interactions", "agent", "POST", "/api/v1/tickets/{number}/interactions",
     {"content": "Called", "occurred_at": NAIVE}, "occurred_at"),
    ("commitments", "agent", "POST", "/api/v1/tickets/{number}/commitments",
     {"text": "Call back", "due_at": PAST}, "due_at"),
    ("renegotiation", "agent", "POST", "/api/v1/commitments/{commitment_id}/renegotiate",
     {"due_at": PAST, "reason": "Snow"}, "due_at"),
    ("interaction edit", "agent", "PATCH", "/api/v1/interactions/{interaction_id}",
     {"emotion": "furious"}, "emotion"),
    ("customers", "agent", "POST", "/api/v1/customers", {"name": "Li", "email": "nope"}, "email"),
    ("customer edit", "agent", "PATCH", "/api/v1/customers/{customer_id}", {"language": "fr"},
     "language"),
    ("contacts", "agent", "POST", "/api/v1/customers/{customer_id}/contacts",
     {"kind": "phone", "value": "call me"}, "value"),
    ("tokens", "customer", "POST", "/api/v1/tokens", {"name": ""}, "name"),
    ("me", "customer", "PATCH", "/api/v1/me", {"time_zone": "Mars/Olympus"}, "time_zone"),
    ("categories", "admin", "POST", "/api/v1/categories", {**GOOD_CATEGORY, "code": "Bad!"},
     "code"),
    ("teams", "admin", "PATCH", "/api/v1/teams/{code}", {"manager": 999_999}, "manager"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "field"),
    [pytest.param(r, m, p, b, f, id=family) for family, r, m, p, b, f in CHINESE],
)
def test_it_answers_bad_input_in_the_language_asked_for(
    world: World, role: str, method: str, path: str, body: dict, field: str
) -> None:
    # given
    api = world.api(role, language="zh-hans")
    call = Call(method, _real_path(world, path), body)
    before = stored_state()

    # when
    response = send(api, call)

    # then
    problem = assert_problem(response, 422, field)
    assert response["Content-Language"] == "zh-hans"
    assert problem["detail"].strip()
    assert stored_state() == before


def test_it_answers_a_bad_batch_item_in_the_language_asked_for(world: World) -> None:
    # given
    api = world.api(Role.AGENT, language="zh-hans")
    items = [{**GOOD_TICKET, "customer": {"email": "nope"}}, {**GOOD_TICKET, "kind": "rant"}]

    # when
    response = api.post("/api/v1/tickets/batch", {"items": items})

    # then
    assert response.status_code == 207
    assert response["Content-Language"] == "zh-hans"
    for result in response.json()["results"]:
        assert result["errors"]
        assert all(e["message"].strip() for e in result["errors"])
    assert Ticket.objects.count() == 0


def test_it_answers_an_attachment_problem_in_the_language_asked_for(world: World) -> None:
    # given
    api = world.api(Role.AGENT, language="zh-hans")
    path = f"/api/v1/tickets/{world.own_ticket.number}/attachments"
    before = stored_state()

    # when
    response = send(api, Call("POST", path, form={"file": text_file(content=b"")}))

    # then
    assert_problem(response, 422, "file")
    assert response["Content-Language"] == "zh-hans"
    assert stored_state() == before


# --- the good bodies the cases start from -------------------------------------------------

GOOD_CUSTOM_FIELDS = {
    "amount": "12.50",
    "parcels": 2,
    "ordered_on": "2026-11-01",
    "gift": True,
    "box": "small",
    "serial": "SN-1",
}
GOOD_CALLS: list[tuple[str, str, Callable[[World], Call], int]] = [
    ("agent", "ticket", lambda w: Call("POST", "/api/v1/tickets", {
        **GOOD_TICKET, "custom_fields": GOOD_CUSTOM_FIELDS}), 201),
    ("agent", "batch", lambda w: Call("POST", "/api/v1/tickets/batch", {"items": [GOOD_TICKET]}),
     207),
    ("agent", "ticket edit", lambda w: Call("PATCH", f"/api/v1/tickets/{w.own_ticket.number}",
                                            {"subject": "Parcel SF1024 lost"}), 200),
    ("agent", "transition", lambda w: Call(
        "POST", f"/api/v1/tickets/{w.own_ticket.number}/transition", {"to": "in_progress"}), 200),
    ("agent", "resolve", lambda w: Call(
        "POST", f"/api/v1/tickets/{w.own_ticket.number}/transition",
        {"to": "resolved", "resolution": "Sent again"}), 200),
    ("agent", "assign", lambda w: Call(
        "POST", f"/api/v1/tickets/{w.own_ticket.number}/assign", {"assignee": None}), 200),
    ("agent", "transfer", lambda w: Call(
        "POST", f"/api/v1/tickets/{w.own_ticket.number}/transfer", {"team": "billing"}), 200),
    ("agent", "urgency", lambda w: Call(
        "POST", f"/api/v1/tickets/{w.own_ticket.number}/urgency", {"urgency": "high"}), 200),
    ("agent", "merge", lambda w: Call(
        "POST", f"/api/v1/tickets/{w.own_ticket.number}/merge", {"into": w.own_twin.number}), 200),
    ("agent", "interaction", lambda w: Call(
        "POST", f"/api/v1/tickets/{w.own_ticket.number}/interactions",
        {"content": "Called: the parcel is at the depot", "channel": "phone"}), 201),
    ("customer", "customer reply", lambda w: Call(
        "POST", f"/api/v1/tickets/{w.own_ticket.number}/interactions",
        {"content": "Where is my parcel?"}), 201),
    ("agent", "commitment", lambda w: Call(
        "POST", f"/api/v1/tickets/{w.own_ticket.number}/commitments",
        {"text": "We call you back before 10:00 tomorrow", "due_at": in_a_day()}), 201),
    ("agent", "renegotiation", lambda w: Call(
        "POST", f"/api/v1/commitments/{w.commitment('own').pk}/renegotiate",
        {"due_at": in_a_day(), "reason": "The courier is delayed by snow"}), 201),
    ("agent", "interaction edit", lambda w: Call(
        "PATCH", f"/api/v1/interactions/{w.interaction('own').pk}", {"content": "Called at 10:05"}),
     200),
    ("agent", "attachment", lambda w: Call(
        "POST", f"/api/v1/tickets/{w.own_ticket.number}/attachments", form={"file": text_file()}),
     201),
    ("agent", "customer", lambda w: Call("POST", "/api/v1/customers", {
        "name": "Li Lei", "email": LI_LEI, "phone": "+8613800138000"}), 201),
    ("agent", "customer edit", lambda w: Call(
        "PATCH", f"/api/v1/customers/{w.foreign_customer.pk}", {"notes": "Prefers phone calls"}),
     200),
    ("agent", "contact", lambda w: Call(
        "POST", f"/api/v1/customers/{w.foreign_customer.pk}/contacts",
        {"kind": "email", "value": "wei.work@example.com"}), 201),
    ("customer", "token", lambda w: Call("POST", "/api/v1/tokens", {"name": "CI"}), 201),
    ("customer", "me", lambda w: Call("PATCH", "/api/v1/me", {}), 200),
    ("admin", "category", lambda w: Call("POST", "/api/v1/categories", GOOD_CATEGORY), 201),
    ("admin", "category edit", lambda w: Call("PATCH", "/api/v1/categories/delivery", {}), 200),
    ("admin", "team", lambda w: Call("POST", "/api/v1/teams", GOOD_TEAM), 201),
    ("admin", "team edit", lambda w: Call("PATCH", "/api/v1/teams/support", {}), 200),
    ("admin", "member", lambda w: Call(
        "POST", "/api/v1/teams/support/members", {"user": w.newcomer.pk}), 201),
]  # fmt: skip


@pytest.mark.usefixtures("custom_fields")
@pytest.mark.parametrize(
    ("role", "build", "expected"), [pytest.param(r, b, e, id=name) for r, name, b, e in GOOD_CALLS]
)
def test_it_accepts_the_good_bodies_the_cases_start_from(
    world: World, role: str, build: Callable[[World], Call], expected: int
) -> None:
    # given
    call = build(world)

    # when
    response = send(world.api(role), call)

    # then
    assert response.status_code == expected, response.content[:500]


def test_it_keeps_customers_and_organisations_untouched_by_refused_tickets(world: World) -> None:
    """A new customer named in a refused ticket is not left behind."""
    # given
    body = {**GOOD_TICKET, "customer": {"email": "new.buyer@example.com"}, "kind": "rant"}
    body_rule = {**GOOD_TICKET, "customer": {"email": "new.buyer@example.com"}, "team": "nope"}

    # when
    refuse(world, Role.AGENT, Call("POST", "/api/v1/tickets", body), "kind")
    refuse(world, Role.AGENT, Call("POST", "/api/v1/tickets", body_rule), "team")

    # then
    assert not Customer.objects.filter(contacts__value="new.buyer@example.com").exists()
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("assignee", ["²", "9" * 30, "-3", "1.5"])
def test_it_answers_an_assignee_filter_that_is_no_id_on_its_field(
    world: World, assignee: str
) -> None:
    response = world.api(Role.ADMIN).get("/api/v1/tickets", {"assignee": assignee})
    assert_problem(response, 422, "assignee")


ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/tickets", {"description": ZERO_WIDTH}, "description"),
        ("/api/v1/tickets", {"description": "Parcel lost", "subject": ZERO_WIDTH + " "}, None),
        ("/api/v1/tickets/{number}/interactions", {"content": f" {ZERO_WIDTH} "}, "content"),
    ],
)
def test_it_takes_invisible_characters_for_nothing_written(
    world: World, path: str, body: dict, field: str | None
) -> None:
    call = Call("POST", _real_path(world, path), body)
    if field is not None:
        refuse(world, Role.ADMIN, call, field, status=422)
        return
    response = send(world.api(Role.CUSTOMER), call)  # an invisible subject: the first line
    assert response.status_code == 201, response.content
    assert response.json()["subject"] == "Parcel lost"
