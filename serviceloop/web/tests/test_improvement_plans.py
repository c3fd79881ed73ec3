"""The improvement pages of the desk: the PDCA board, a plan's page, chart and forms."""

from datetime import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from serviceloop.accounts.choices import Role
from serviceloop.improvement import services
from serviceloop.improvement.models import ImprovementPlan, PlanAction
from serviceloop.improvement.tests import conftest as improvement_tests
from serviceloop.improvement.tests.conftest import SHANGHAI
from serviceloop.improvement.tests.given import days, make_action, make_plan, rows
from tests.builders import make_user

# The improvement tests' fixtures: working hours (autouse, a Wednesday morning in
# Shanghai), a specialist and an analyst.
working_hours = improvement_tests.working_hours
specialist = improvement_tests.specialist
analyst = improvement_tests.analyst


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def plan_form(**values) -> dict:
    data = {
        "title": "Fewer repeat complaints",
        "problem": "Customers complain twice about the same parcel.",
        "metric": "repeat_complaint_rate",
        "target": "5",
        "deadline": days(60).isoformat(),
        "baseline_start": days(-60).isoformat(),
        "baseline_end": days(-31).isoformat(),
    }
    return data | values


# --- navigation and access ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.SPECIALIST, True), (Role.SUPERVISOR, True), (Role.MANAGER, True),
        (Role.ADMIN, True), (Role.ANALYST, True), (Role.AGENT, True),
        (Role.CUSTOMER, False), (Role.PARTNER, False),
    ],
)  # fmt: skip
def test_the_menu_offers_improvement_to_staff_only(db, role, shown):
    html = signed_in(make_user(role)).get("/preferences/").content.decode()
    navbar = html.split('id="sl-nav"')[1].split("</ul>")[0]
    assert ('href="/desk/improvement/"' in navbar) is shown


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.PARTNER])
def test_customers_and_partners_are_refused(db, role, specialist):
    plan = make_plan(specialist)
    client = signed_in(make_user(role))
    for url in (
        "/desk/improvement/",
        f"/desk/improvement/plans/{plan.code}/",
        f"/desk/improvement/plans/{plan.code}/chart.json",
        "/desk/improvement/analyses/",
    ):
        assert client.get(url).status_code == 403, url


def test_signing_in_comes_first(db):
    response = Client().get("/desk/improvement/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- the board ----------------------------------------------------------------------------


def test_the_board_shows_plans_by_phase_with_progress_and_overdue(
    specialist, team, working_hours, django_assert_max_num_queries
):
    running = make_plan(specialist, scope={"teams": [team.pk]}, deadline=days(3))
    services.change_phase(plan=running, actor=specialist, phase="do")
    make_action(running, specialist)
    done = make_action(running, specialist)
    services.set_action_status(action=done, actor=specialist, status="done")
    make_plan(specialist, title="Still planning")
    client = signed_in(specialist)
    response = client.get("/desk/improvement/")
    html = response.content.decode()
    assert response.status_code == 200
    do_column = html.split('data-phase="do"')[1].split('data-phase="check"')[0]
    assert running.code in do_column
    assert "1 of 2 actions done" in do_column
    plan_column = html.split('data-phase="plan"')[1].split('data-phase="do"')[0]
    assert "Still planning" in plan_column
    assert "sl-overdue" not in html
    working_hours.move_to(datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI))
    client = signed_in(specialist)  # a new day, a new session
    with django_assert_max_num_queries(8):
        html = client.get("/desk/improvement/").content.decode()
    assert "sl-overdue" in html


def test_an_agent_sees_only_plans_that_concern_their_team(specialist, team, other_team, agent):
    ours = make_plan(specialist, title="Ours", scope={"teams": [team.pk]})
    theirs = make_plan(specialist, title="Theirs", scope={"teams": [other_team.pk]})
    everyone = make_plan(specialist, title="Everyone's")
    by_action = make_plan(specialist, title="By action", scope={"teams": [other_team.pk]})
    make_action(by_action, specialist, team=team.pk)
    client = signed_in(agent)
    html = client.get("/desk/improvement/").content.decode()
    assert ours.code in html
    assert everyone.code in html
    assert by_action.code in html
    assert theirs.code not in html
    assert client.get(f"/desk/improvement/plans/{theirs.code}/").status_code == 404
    assert client.get(f"/desk/improvement/plans/{ours.code}/").status_code == 200
    assert 'id="sl-plan-new"' not in html


# --- a plan's page --------------------------------------------------------------------------


def test_the_plan_page_shows_the_effect_with_n_and_no_data(specialist, team):
    plan = make_plan(specialist, scope={"teams": [team.pk]})
    response = signed_in(specialist).get(f"/desk/improvement/plans/{plan.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert plan.title in html
    assert "n = 0" in html
    assert "no data" in html
    assert 'id="sl-no-after"' in html
    assert 'data-source="/desk/improvement/plans/' in html
    assert "improvement/plan_chart.js" in html
    assert "improved" not in html.lower()


def test_the_chart_endpoint_gives_weekly_points(specialist, team):
    plan = make_plan(specialist, scope={"teams": [team.pk]})
    data = signed_in(specialist).get(f"/desk/improvement/plans/{plan.code}/chart.json").json()
    assert data["windows"]["after"] is None
    assert [p["window"] for p in data["series"]["scope"]] == ["baseline"] * 5
    assert all(p["n"] == 0 and p["value"] is None for p in data["series"]["scope"])
    assert data["labels"]["target"] == "Target"


def test_the_plan_page_speaks_chinese(specialist, team):
    plan = make_plan(specialist, scope={"teams": [team.pk]})
    client = signed_in(specialist)
    html = client.get(
        f"/desk/improvement/plans/{plan.code}/", headers={"Accept-Language": "zh-hans"}
    ).content.decode()
    assert 'lang="zh-hans"' in html


def test_an_analyst_reads_but_does_not_change(specialist, analyst, team):
    plan = make_plan(specialist, scope={"teams": [team.pk]})
    client = signed_in(analyst)
    html = client.get(f"/desk/improvement/plans/{plan.code}/").content.decode()
    assert 'id="sl-plan-edit"' not in html
    assert 'id="sl-action-new"' not in html
    assert client.get(f"/desk/improvement/plans/{plan.code}/edit/").status_code == 403
    response = client.post(f"/desk/improvement/plans/{plan.code}/phase/", {"phase": "do"})
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.phase == "plan"


# --- forms ----------------------------------------------------------------------------------


def test_it_creates_a_plan_from_the_form(specialist, team):
    client = signed_in(specialist)
    assert client.get("/desk/improvement/plans/new/").status_code == 200
    response = client.post(
        "/desk/improvement/plans/new/",
        plan_form(scope_teams=[team.pk], scope_channels=["phone", "email"]),
    )
    plan = ImprovementPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/desk/improvement/plans/{plan.code}/"
    assert plan.scope == {"teams": [team.pk], "channels": ["email", "phone"]}
    assert plan.metric == "repeat_complaint_rate"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"baseline_end": days(-70).isoformat()}, "baseline_end", "must not be before the start"),
        ({"metric": "tickets"}, "metric", "Select a valid choice"),
        ({"target": "150"}, "target", "from 0 to 100"),
        ({"target": ""}, "target", "required"),
        ({"deadline": "tomorrow"}, "deadline", "Enter a valid date"),
        ({"after_start": days(-40).isoformat()}, "after_start", "after the baseline ends"),
    ],
)
def test_the_form_shows_field_errors_and_stores_nothing(specialist, values, field, message):
    before = rows()
    response = signed_in(specialist).post("/desk/improvement/plans/new/", plan_form(**values))
    html = response.content.decode()
    assert response.status_code == 422
    error = html.split(f'data-error-for="{field}">')[1].split("<")[0]
    assert message in error
    assert rows() == before


def test_a_pilot_outside_the_scope_is_refused_on_the_form(specialist, team, other_team):
    response = signed_in(specialist).post(
        "/desk/improvement/plans/new/",
        plan_form(
            scope_teams=[team.pk], pilot_teams=[other_team.pk], pilot_start=days(-5).isoformat()
        ),
    )
    assert response.status_code == 422
    assert "The pilot must be a part of the plan" in response.content.decode()
    assert not ImprovementPlan.objects.exists()


def test_the_edit_form_starts_from_the_plan_and_saves(specialist, team):
    plan = make_plan(specialist, scope={"teams": [team.pk]})
    client = signed_in(specialist)
    html = client.get(f"/desk/improvement/plans/{plan.code}/edit/").content.decode()
    assert plan.title in html
    assert f'<option value="{team.pk}" selected>' in html
    response = client.post(
        f"/desk/improvement/plans/{plan.code}/edit/",
        plan_form(title="Renamed", metric="complaint_rate", scope_teams=[team.pk]),
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.metric) == ("Renamed", "complaint_rate")


def test_phase_and_status_forms(specialist):
    plan = make_plan(specialist)
    client = signed_in(specialist)
    response = client.post(f"/desk/improvement/plans/{plan.code}/phase/", {"phase": "do"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.phase == "do"
    response = client.post(f"/desk/improvement/plans/{plan.code}/status/", {"status": "cancelled"})
    assert response.status_code == 422
    assert 'data-error-for="note"' in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "active"
    html = client.get(f"/desk/improvement/plans/{plan.code}/").content.decode()
    assert "Phase changed: Plan → Do" in html


# --- actions, inline ------------------------------------------------------------------------


def test_an_action_is_added_with_htmx(specialist, team, agent):
    plan = make_plan(specialist, scope={"teams": [team.pk]})
    client = signed_in(specialist)
    response = client.post(
        f"/desk/improvement/plans/{plan.code}/actions/",
        {
            "title": "Call-back script",
            "team": team.pk,
            "person": agent.pk,
            "planned_start": days(0).isoformat(),
            "planned_end": days(14).isoformat(),
        },
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div class="card mb-3" id="sl-actions">')
    assert "Call-back script" in html
    assert PlanAction.objects.get().person == agent


def test_a_bad_action_comes_back_with_its_errors(specialist, team):
    plan = make_plan(specialist, scope={"teams": [team.pk]})
    response = signed_in(specialist).post(
        f"/desk/improvement/plans/{plan.code}/actions/",
        {
            "title": "Late",
            "team": team.pk,
            "planned_start": days(5).isoformat(),
            "planned_end": days(1).isoformat(),
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert 'data-error-for="planned_end"' in response.content.decode()
    assert not PlanAction.objects.exists()


def test_an_action_row_is_updated_inline(specialist, team):
    plan = make_plan(specialist, scope={"teams": [team.pk]})
    action = make_action(plan, specialist)
    client = signed_in(specialist)
    url = f"/desk/improvement/plans/{plan.code}/actions/{action.pk}/"
    response = client.post(
        url, {"status": "done", "note": "Rolled out"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="sl-action-{action.pk}"')
    assert 'data-status="done"' in html
    assert "Rolled out" in html
    response = client.post(
        url,
        {"status": "done", "actual_end": days(3).isoformat()},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "must not be in the future" in response.content.decode()
    response = client.post(
        url, {"status": "done", "note": "A second note"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert list(action.notes.values_list("text", flat=True)) == ["Rolled out", "A second note"]


def test_the_board_costs_the_same_queries_for_one_plan_or_many(specialist, team):
    client = signed_in(specialist)

    def queries_of_board() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/desk/improvement/").status_code == 200
        return len(captured)

    plan = make_plan(specialist, scope={"teams": [team.pk]})
    make_action(plan, specialist)
    one = queries_of_board()
    for _ in range(5):
        more = make_plan(specialist, scope={"teams": [team.pk]})
        make_action(more, specialist)
    assert queries_of_board() == one


def test_the_admin_lists_plans_but_changes_nothing(specialist, admin_user):
    plan = make_plan(specialist)
    client = signed_in(admin_user)
    listing = client.get("/admin/improvement/improvementplan/")
    assert listing.status_code == 200
    assert plan.code in listing.content.decode()
    assert client.get("/admin/improvement/improvementplan/add/").status_code == 403


def test_an_agent_in_two_concerned_teams_sees_each_plan_once_with_true_counts(
    specialist, team, other_team, agent
):
    agent.memberships.create(team=other_team)
    plan = make_plan(specialist, scope={"teams": [team.pk, other_team.pk]})
    make_action(plan, specialist, team=team.pk)
    make_action(plan, specialist, team=other_team.pk)
    html = signed_in(agent).get("/desk/improvement/").content.decode()
    assert html.count(f'data-plan="{plan.code}"') == 1
    assert "0 of 2 actions done" in html
