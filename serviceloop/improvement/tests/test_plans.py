"""Creating, editing and running improvement plans (create_plan, update_plan, change_phase,
change_plan_status, delete_plan)."""

from datetime import date, datetime

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import Conflict, DomainError, NotPermitted, ValidationFailed
from serviceloop.improvement import services
from serviceloop.improvement.models import ImprovementPlan
from tests.builders import make_category, make_user

from .conftest import SHANGHAI
from .given import TODAY, days, make_action, make_analysis, make_plan, plan_draft, rows


def refused(actor, **values) -> dict[str, str]:
    """The field errors create_plan answers with; nothing may have been stored."""
    before = rows()
    with pytest.raises(ValidationFailed) as raised:
        make_plan(actor, **values)
    assert rows() == before
    return {field: str(message) for field, message in raised.value.errors.items()}


def test_it_creates_a_plan_in_the_plan_phase_with_a_code_per_year(specialist, working_hours):
    first = make_plan(specialist)
    second = make_plan(specialist)
    assert (first.code, second.code) == ("IP-2026-001", "IP-2026-002")
    assert (first.phase, first.status, first.owner) == ("plan", "active", specialist)
    working_hours.move_to(datetime(2027, 1, 2, 9, 0, tzinfo=SHANGHAI))
    assert make_plan(specialist, deadline=date(2027, 3, 1)).code == "IP-2027-001"


def test_it_audits_the_creation_with_the_values(specialist, team):
    plan = make_plan(specialist, scope={"teams": [team.pk]})
    event = AuditEvent.objects.get(action="plan.created")
    assert (event.actor, event.target_id) == (specialist, str(plan.pk))
    assert event.after["metric"] == "complaint_rate"
    assert event.after["scope"] == {"teams": [team.pk]}
    assert event.after["code"] == plan.code


def test_it_links_the_analyses_it_comes_from(specialist):
    analysis = make_analysis(specialist)
    plan = make_plan(specialist, analyses=[analysis.pk])
    assert list(plan.analyses.all()) == [analysis]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"baseline_end": days(-70)}, "baseline_end", "must not be before the start"),
        ({"baseline_start": None}, "baseline_start", "Enter a start date"),
        ({"baseline_end": days(3)}, "baseline_end", "The baseline must be over"),
        ({"metric": "tickets"}, "metric", "cannot be a plan's goal"),
        ({"metric": "backlog"}, "metric", "cannot be a plan's goal"),
        ({"metric": "no_such_metric"}, "metric", "Unknown metric"),
        ({"metric": ""}, "metric", "required"),
        ({"target": None}, "target", "required"),
        ({"target": 120.0}, "target", "from 0 to 100"),
        ({"target": float("nan")}, "target", "Enter a number"),
        ({"metric": "csat_mean", "target": 7.0}, "target", "from 1 to 5"),
        ({"deadline": days(-1)}, "deadline", "must not be in the past"),
        ({"deadline": None}, "deadline", "required"),
        ({"title": "  "}, "title", "required"),
        ({"title": "x" * 201}, "title", "at most"),
        ({"problem": ""}, "problem", "required"),
        ({"scope": {"teams": [999_999]}}, "scope.teams", "Choose from the list"),
        ({"scope": {"colour": ["red"]}}, "scope.colour", "Unknown filter"),
        ({"after_start": days(-40)}, "after_start", "after the baseline ends"),
        ({"after_end": days(-2)}, "after_start", "Enter a start date"),
        ({"after_start": days(-5), "after_end": days(-9)}, "after_end", "not be before"),
        ({"pilot_start": days(-10)}, "pilot_scope", "Choose the pilot's scope"),
        ({"analyses": [999_999]}, "analyses", "Choose from the list"),
    ],
)
def test_it_refuses_bad_input_with_field_errors_and_stores_nothing(
    specialist, values, field, message
):
    errors = refused(specialist, **values)
    assert message in errors[field], errors


def test_it_reports_every_problem_at_once(specialist):
    errors = refused(specialist, title="", baseline_end=days(-70), metric="tickets")
    assert set(errors) >= {"title", "baseline_end", "metric"}


def test_a_pilot_must_be_part_of_the_scope_and_leave_a_rest(specialist, team, other_team):
    errors = refused(
        specialist,
        scope={"teams": [team.pk]},
        pilot_scope={"teams": [other_team.pk]},
        pilot_start=days(-10),
    )
    assert "part of the plan's scope" in errors["pilot_scope"]
    errors = refused(
        specialist,
        scope={"teams": [team.pk]},
        pilot_scope={"teams": [team.pk]},
        pilot_start=days(-10),
    )
    assert "leave part of the plan's scope out" in errors["pilot_scope"]
    errors = refused(specialist, pilot_scope={"teams": [team.pk]})
    assert "Enter the day the pilot starts" in errors["pilot_start"]
    errors = refused(specialist, pilot_scope={"teams": [team.pk]}, pilot_start=days(-40))
    assert "after the baseline ends" in errors["pilot_start"]


def test_a_pilot_category_below_the_scope_category_leaves_a_rest(specialist, team):
    parent = make_category("logistics", team=team)
    child = make_category("delay", team=team, parent=parent)
    plan = make_plan(
        specialist,
        scope={"categories": [parent.pk]},
        pilot_scope={"categories": [child.pk]},
        pilot_start=days(-10),
    )
    assert plan.has_pilot


def test_the_owner_must_be_able_to_run_plans(specialist, agent, supervisor):
    errors = refused(specialist, owner=agent.pk)
    assert "Choose a person who may run" in errors["owner"]
    assert make_plan(specialist, owner=supervisor.pk).owner == supervisor


@pytest.mark.parametrize("role", [Role.AGENT, Role.ANALYST, Role.CUSTOMER, Role.PARTNER])
def test_only_improvement_roles_create_plans(db, role):
    user = make_user(role)
    before = rows()
    with pytest.raises(NotPermitted):
        make_plan(user)
    assert rows() == before


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN])
def test_improvement_roles_create_plans(db, role):
    assert make_plan(make_user(role)).pk


def test_it_keeps_the_teams_a_plan_concerns(specialist, team, other_team):
    everywhere = make_plan(specialist)
    assert everywhere.all_teams
    assert list(everywhere.teams.all()) == []
    local = make_plan(specialist, scope={"teams": [team.pk]})
    assert not local.all_teams
    assert list(local.teams.all()) == [team]
    make_action(local, specialist, team=other_team.pk)
    assert set(local.teams.all()) == {team, other_team}


def test_it_updates_a_plan_and_audits_only_what_changed(specialist, team):
    plan = make_plan(specialist)
    draft = services.draft_of(plan)
    changed = services.update_plan(
        plan=plan,
        actor=specialist,
        draft=plan_draft(
            **{**draft.__dict__, "target": 8.0, "scope": {"teams": [team.pk]}},
        ),
    )
    assert changed.target == 8.0
    event = AuditEvent.objects.get(action="plan.updated")
    assert event.before == {"target": 10.0, "scope": {}}
    assert event.after == {"target": 8.0, "scope": {"teams": [team.pk]}}
    assert list(changed.teams.all()) == [team]


def test_an_update_keeps_a_deadline_that_has_passed_meanwhile(specialist, working_hours):
    plan = make_plan(specialist, deadline=days(2))
    working_hours.move_to(datetime(2026, 12, 10, 10, 0, tzinfo=SHANGHAI))
    draft = services.draft_of(plan)
    kept = services.update_plan(
        plan=plan, actor=specialist, draft=plan_draft(**{**draft.__dict__, "title": "Renamed"})
    )
    assert (kept.title, kept.deadline) == ("Renamed", days(2))
    assert kept.is_overdue


def test_a_refused_update_changes_nothing(specialist):
    plan = make_plan(specialist)
    draft = services.draft_of(plan)
    before = rows()
    with pytest.raises(ValidationFailed) as raised:
        services.update_plan(
            plan=plan,
            actor=specialist,
            draft=plan_draft(**{**draft.__dict__, "title": "New", "metric": "tickets"}),
        )
    assert "metric" in raised.value.errors
    assert rows() == before
    plan.refresh_from_db()
    assert plan.title == "Answer delivery complaints faster"


def test_moving_into_do_dates_the_start_of_the_change(specialist):
    plan = make_plan(specialist)
    assert plan.after_window(TODAY) is None
    plan = services.change_phase(plan=plan, actor=specialist, phase="do", note="Scripts ready")
    assert (plan.phase, plan.do_started_on) == ("do", TODAY)
    assert plan.after_window(days(20)) == (TODAY, days(20))
    event = AuditEvent.objects.get(action="plan.phase_changed")
    assert (event.before, event.after["phase"], event.note) == (
        {"phase": "plan"},
        "do",
        "Scripts ready",
    )
    services.change_phase(plan=plan, actor=specialist, phase="check")
    services.change_phase(plan=plan, actor=specialist, phase="do")
    plan.refresh_from_db()
    assert plan.do_started_on == TODAY  # the first start counts


def test_a_phase_change_to_the_same_or_an_unknown_phase_is_refused(specialist):
    plan = make_plan(specialist)
    with pytest.raises(Conflict):
        services.change_phase(plan=plan, actor=specialist, phase="plan")
    with pytest.raises(DomainError) as raised:
        services.change_phase(plan=plan, actor=specialist, phase="dance")
    assert raised.value.field == "phase"


def test_cancelling_needs_a_reason_and_closes_the_plan(specialist):
    plan = make_plan(specialist)
    with pytest.raises(ValidationFailed) as raised:
        services.change_plan_status(plan=plan, actor=specialist, status="cancelled")
    assert "note" in raised.value.errors
    plan = services.change_plan_status(
        plan=plan, actor=specialist, status="cancelled", note="Merged into IP-2026-009"
    )
    assert plan.status == "cancelled"
    assert plan.closed_at is not None
    with pytest.raises(Conflict):
        services.change_phase(plan=plan, actor=specialist, phase="do")
    reopened = services.change_plan_status(plan=plan, actor=specialist, status="active")
    assert (reopened.status, reopened.closed_at) == ("active", None)


def test_a_completed_plan_cannot_be_edited(specialist):
    plan = services.change_plan_status(
        plan=make_plan(specialist), actor=specialist, status="completed"
    )
    with pytest.raises(Conflict):
        services.update_plan(plan=plan, actor=specialist, draft=services.draft_of(plan))


def test_only_a_fresh_plan_can_be_deleted(specialist, team):
    fresh = make_plan(specialist)
    services.delete_plan(plan=fresh, actor=specialist)
    assert not ImprovementPlan.objects.filter(pk=fresh.pk).exists()
    assert AuditEvent.objects.filter(action="plan.deleted", target_id=str(fresh.pk)).exists()
    running = services.change_phase(plan=make_plan(specialist), actor=specialist, phase="do")
    with pytest.raises(Conflict):
        services.delete_plan(plan=running, actor=specialist)
    with_action = make_plan(specialist, scope={"teams": [team.pk]})
    make_action(with_action, specialist)
    with pytest.raises(Conflict):
        services.delete_plan(plan=with_action, actor=specialist)
