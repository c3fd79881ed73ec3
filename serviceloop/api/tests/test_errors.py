"""The edges of /api/v1: unknown paths and missing credentials answer problem+json, and the
OpenAPI schema and its documentation page describe the public contract, offline."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from serviceloop.tickets.models import Ticket
from tests.builders import Api

from .given import PROBLEM


@pytest.mark.parametrize(
    "path", ["/api/v1/no-such-thing", "/api/v1/tickets/CS-1/nothing/here", "/api/v2/tickets"]
)
def test_it_answers_an_unknown_path_with_a_404_problem(agent_api, path):
    response = agent_api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert (problem["status"], problem["code"], problem["instance"]) == (404, "not_found", path)
    assert problem["title"]
    assert problem["detail"]


def test_it_answers_an_unknown_path_with_a_404_problem_without_credentials(db):
    response = Client().post("/api/v1/nothing", "{}", content_type="application/json")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize(("method", "path"), [("delete", "/api/v1/tickets"), ("put", "/api/v1/me")])
def test_it_answers_a_method_an_endpoint_lacks_with_a_405_problem(agent_api, method, path):
    response = getattr(agent_api.client, method)(path, headers=agent_api.headers)
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM, response.content
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer sl_not-a-real-token"}, {"Authorization": "Basic YTpi"}],
    ids=["nothing", "unknown token", "basic"],
)
def test_it_asks_for_credentials_with_401_and_www_authenticate(db, headers):
    response = Client().get("/api/v1/tickets", headers=headers)
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "not_authenticated"


def test_it_refuses_a_write_without_credentials_and_stores_nothing(db, team):
    response = Client().post(
        "/api/v1/tickets",
        json.dumps({"description": "Parcel lost", "customer": {"email": "a@example.com"}}),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert not Ticket.objects.exists()


# --- the contract --------------------------------------------------------------------------


@pytest.fixture
def schema(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


CONTRACT = [
    ("post", "/api/v1/tickets"),
    ("post", "/api/v1/tickets/batch"),
    ("get", "/api/v1/tickets"),
    ("get", "/api/v1/tickets/{number}"),
    ("patch", "/api/v1/tickets/{number}"),
    ("post", "/api/v1/tickets/{number}/transition"),
    ("get", "/api/v1/tickets/{number}/interactions"),
    ("post", "/api/v1/tickets/{number}/interactions"),
    ("post", "/api/v1/tickets/{number}/commitments"),
    ("post", "/api/v1/tickets/{number}/merge"),
    ("get", "/api/v1/customers/{customer_id}"),
]


def test_it_publishes_an_openapi_3_schema_of_the_public_contract(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "serviceloop API"
    missing = [
        f"{method.upper()} {path}"
        for method, path in CONTRACT
        if method not in schema["paths"].get(path, {})
    ]
    assert missing == []
    assert set(schema["components"]["securitySchemes"]) == {"BearerToken", "Session"}


def test_it_documents_the_idempotency_key_header(schema):
    parameters = schema["paths"]["/api/v1/tickets"]["post"]["parameters"]
    header = next(p for p in parameters if p["name"] == "Idempotency-Key")
    assert header["in"] == "header"
    assert header["required"] is False


def test_it_documents_both_answers_of_ticket_creation(schema):
    responses = schema["paths"]["/api/v1/tickets"]["post"]["responses"]
    assert {"200", "201"} <= set(responses)


def test_it_serves_the_documentation_page_from_its_own_static_files(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "cdn.jsdelivr" not in page
    assert "unpkg" not in page
    assert "/api/v1/openapi.json" in page
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', page)
    assert any(asset.endswith(".js") for asset in assets)
    assert any(asset.endswith(".css") for asset in assets)
    # every file the page loads ships with the application
    assert [asset for asset in assets if finders.find(asset) is None] == []


def test_it_answers_problems_in_the_language_asked_for(agent):
    response = Api(agent, language="zh-hans").get("tickets/CS-20260101-000001")
    assert response.status_code == 404
    assert response["Content-Language"] == "zh-hans"
    assert response.json()["title"] == "未找到"


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("?teams=1&teams=x", {"teams.1"}),
        ("?kinds=complaint&start=x", {"start"}),
        ("?categories=x&tiers=2&tiers=y", {"categories.0", "tiers.1"}),
    ],
)
def test_it_names_a_query_parameter_as_the_client_sent_it(admin_api, query, fields):
    # an item of a list parameter is named by the parameter, not by the view's argument
    response = admin_api.get(f"analytics/dashboard{query}")
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == fields
