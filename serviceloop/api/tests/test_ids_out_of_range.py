"""A number that can be no row's id — below 1, or beyond the largest bigint — is bad input
wherever the API reads an id (a path, a query, a body, a list in a body): a 422 naming the
field, never a 500 from a database that cannot compare with it (found by schemathesis:
POST /improvement/plans with such an analysis id, POST /notifications/{id}/read,
GET /tickets?customer=, the analytics filters; a plan's or an analysis' scope). The document
gives the range of every id in a path or a query."""

from typing import Any

import pytest

from serviceloop.api.api import api as ninja_api
from serviceloop.core.ids import MAX_ID
from tests.builders import Api, make_team, make_user

from .conftest import PROBLEM

TOO_BIG = MAX_ID + 1
HUGE = 10**30

# (method, path, body, the field named): {id} is where the number goes
CALLS: list[tuple[str, str, Any, str]] = [
    ("POST", "/api/v1/notifications/{id}/read", {}, "notification_id"),
    ("GET", "/api/v1/customers/{id}", None, "customer_id"),
    ("GET", "/api/v1/tickets?customer={id}", None, "customer"),
    ("GET", "/api/v1/analytics/dashboard?teams={id}", None, "teams.0"),
    ("GET", "/api/v1/analytics/tickets?customer={id}", None, "customer"),
    ("GET", "/api/v1/audit?actor={id}", None, "actor"),
    ("POST", "/api/v1/tickets", {"description": "Lost parcel", "customer_id": "{id}"},
     "customer_id"),
    ("POST", "/api/v1/feedback/bulk-classify", {"ids": ["{id}"], "type": "process_gap"},
     "ids.0"),
    ("POST", "/api/v1/improvement/plans", {
        "title": "Faster answers", "problem": "Customers wait", "metric": "first_response_time",
        "target": 30, "baseline_start": "2026-10-01", "baseline_end": "2026-10-31",
        "deadline": "2027-03-31", "analyses": ["{id}"]}, "analyses.0"),
    ("POST", "/api/v1/improvement/plans", {
        "title": "Faster answers", "problem": "Customers wait", "metric": "first_response_time",
        "target": 30, "baseline_start": "2026-10-01", "baseline_end": "2026-10-31",
        "deadline": "2027-03-31", "scope": {"teams": ["{id}"]}}, "scope.teams"),
    ("POST", "/api/v1/improvement/analyses", {
        "title": "Late parcels", "problem": "Parcels arrive late",
        "scope": {"categories": ["{id}"]}}, "scope.categories"),
    ("POST", "/api/v1/customers/{id}/contacts/1/confirm", {"reason": "Called back"},
     "customer_id"),
]  # fmt: skip


def _with(body: Any, number: int) -> Any:
    if isinstance(body, dict):
        return {key: _with(value, number) for key, value in body.items()}
    if isinstance(body, list):
        return [_with(value, number) for value in body]
    return number if body == "{id}" else body


@pytest.mark.parametrize("number", [0, TOO_BIG, HUGE], ids=["zero", "bigint+1", "10**30"])
@pytest.mark.parametrize(
    ("method", "path", "body", "field"), CALLS, ids=[f"{c[0]} {c[1]}" for c in CALLS]
)
def test_a_number_that_can_be_no_id_is_bad_input(db, method, path, body, field, number):
    # given an administrator, who may call each of these
    make_team("support", default=True)
    api = Api(make_user("admin", username="boss"))
    url = path.format(id=number)

    # when the id is no id
    if method == "GET":
        response = api.get(url)
    else:
        response = getattr(api, method.lower())(url, _with(body, number))

    # then the answer is a 422 naming it
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == PROBLEM
    assert field in {error["field"] for error in response.json()["errors"]}


def test_the_document_gives_the_range_of_every_id_in_a_path():
    document = ninja_api.get_openapi_schema(path_prefix="/api/v1/")
    path_ids = [
        (f"{method.upper()} {path} {parameter['name']}", parameter["schema"])
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["schema"].get("type") == "integer"
    ]
    assert len(path_ids) > 30
    assert [
        where
        for where, schema in path_ids
        if (schema.get("minimum"), schema.get("maximum")) != (1, MAX_ID)
    ] == []
    plan = document["components"]["schemas"]["PlanIn"]["properties"]["analyses"]
    assert (plan["items"]["minimum"], plan["items"]["maximum"]) == (1, MAX_ID)
