"""/api/v1/analytics: the same figures as the pages, permission-checked."""

import csv
import io

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.analytics.registry import METRICS
from serviceloop.analytics.tests import conftest as analytics_tests
from tests.builders import Api, field_errors, make_user

# The analytics tests' fixtures: the hand-computed week and an analyst.
week = analytics_tests.week
analyst = analytics_tests.analyst

WEEK = {"start": "2026-11-16", "end": "2026-11-22"}


def test_the_registry_is_listed(analyst):
    response = Api(analyst, language="zh-hans").get("analytics/metrics")
    assert response.status_code == 200
    keys = [m["key"] for m in response.json()]
    assert keys == list(METRICS)
    fcr = next(m for m in response.json() if m["key"] == "fcr_rate")
    assert (fcr["unit"], fcr["direction"], fcr["plannable"]) == ("percent", "higher", True)


def test_the_dashboard_answers_with_every_figure(week, analyst):
    body = Api(analyst).get("analytics/dashboard", WEEK).json()
    tiles = {t["metric"]: t for t in body["tiles"]}
    assert tiles["tickets"]["value"] == 4
    assert tiles["handling_median"]["value"] == 120
    assert tiles["handling_median"]["n"] == 3
    assert tiles["csat_mean"]["value"] is None  # no data, not zero
    assert body["categories"][0]["count"] == 4
    assert len(body["trend"]["periods"]) == 7
    assert body["emotions"] == {"satisfied": 0, "neutral": 0, "dissatisfied": 0, "angry": 0}


def test_filters_are_checked_field_by_field(week, analyst):
    api = Api(analyst)
    bad = api.get("analytics/dashboard", {"start": "2026-11-22", "end": "2026-11-01"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "end"
    unknown = api.get("analytics/dashboard", {**WEEK, "channels": "pigeon"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "channels"


def test_the_tickets_behind_a_figure(week, analyst):
    body = Api(analyst).get("analytics/tickets", {**WEEK, "only": "complaints"}).json()
    assert body["count"] == 2
    assert set(body["tickets"]) == {week.a.number, week.c.number}


def test_an_analyst_exports_and_an_agent_does_not(week, analyst, agent):
    response = Api(analyst).get("analytics/export/tickets.csv", WEEK)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == 5
    assert Api(agent).get("analytics/export/tickets.csv", WEEK).status_code == 403


def test_customers_and_partners_get_no_figures(week):
    for role in (Role.CUSTOMER, Role.PARTNER):
        user = make_user(role, username=f"api-{role}")
        assert Api(user).get("analytics/dashboard", WEEK).status_code == 403


def test_a_supervisor_cannot_ask_for_another_team(week, supervisor, other_team):
    response = Api(supervisor).get("analytics/dashboard", {**WEEK, "teams": other_team.pk})
    assert response.status_code == 403
    own = Api(supervisor).get("analytics/dashboard", WEEK).json()
    assert own["tiles"][0]["value"] == 4


# Who may do what under /api/v1/analytics (the central matrix of api/tests leaves this prefix
# to this table). "-": no particular object.
A = "/api/v1/analytics"
ROLES = ("admin", "supervisor", "manager", "specialist", "agent", "analyst", "customer", "partner")
# fmt: off
# (method, path):                                      admin sup  mgr  spec agent anal cust part
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", A + "/metrics"):                           (200, 200, 200, 200, 200, 200, 403, 403),
    ("GET", A + "/dashboard"):                         (200, 200, 200, 200, 200, 200, 403, 403),
    ("GET", A + "/tickets"):                           (200, 200, 200, 200, 200, 200, 403, 403),
    ("GET", A + "/export/{what}.{fmt}"):               (200, 200, 200, 200, 403, 200, 403, 403),
}
# fmt: on


@pytest.mark.parametrize(("method", "path"), list(MATRIX))
def test_every_role_gets_what_the_table_says(week, team, method, path):
    expected = dict(zip(ROLES, MATRIX[(method, path)], strict=True))
    concrete = path.replace("{what}.{fmt}", "tickets.csv")
    got = {}
    for role in ROLES:
        user = make_user(
            role, username=f"matrix-{role}", teams=[team] if role in ("agent", "supervisor") else ()
        )
        got[role] = Api(user).get(concrete, WEEK).status_code
    assert got == expected


def test_the_table_covers_every_analytics_operation(db):
    document = Api(None).get("/api/v1/openapi.json").json()
    operations = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if path.startswith(A)
    }
    assert operations == set(MATRIX)
    anonymous = {
        op: Api(None).get(op[1].replace("{what}.{fmt}", "tickets.csv")).status_code
        for op in operations
    }
    assert set(anonymous.values()) == {401}


@pytest.mark.parametrize(
    ("window", "field"),
    [
        ({"end": "0001-01-03"}, "end"),
        ({"start": "0001-01-01", "end": "0001-01-31"}, "start"),
        ({"start": "9999-12-01", "end": "9999-12-31"}, "start"),
        ({"end": "9999-12-31"}, "end"),
    ],
)
@pytest.mark.parametrize("path", ["analytics/dashboard", "analytics/tickets"])
def test_a_window_beyond_the_years_dates_can_hold_is_a_field_error(analyst, path, window, field):
    response = Api(analyst).get(path, window)
    assert response.status_code == 422, response.content
    assert field in field_errors(response)


@pytest.mark.parametrize("offset", [2**31, 2**63 - 1, 10**30])
def test_a_drill_offset_beyond_any_list_is_a_field_error(week, analyst, offset):
    # skipping more rows than a database holds is no page: a 422, not the query's overflow
    response = Api(analyst).get("analytics/tickets", {**WEEK, "offset": offset})
    assert response.status_code == 422, response.content
    assert set(field_errors(response)) == {"offset"}


def test_the_last_drill_offset_is_an_empty_page(week, analyst):
    response = Api(analyst).get("analytics/tickets", {**WEEK, "offset": 2**31 - 1})
    assert response.status_code == 200, response.content
    assert response.json()["tickets"] == []
