"""The actions of a plan: add, replan, status, notes, delete."""

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import Conflict, NotPermitted, ValidationFailed
from serviceloop.improvement import services
from serviceloop.improvement.models import PlanAction
from tests.builders import make_user

from .given import TODAY, days, make_action, make_plan, rows


@pytest.fixture
def plan(specialist, team):
    return make_plan(specialist, scope={"teams": [team.pk]})


def test_it_adds_an_action_with_its_responsible_team_and_person(plan, specialist, team, agent):
    action = make_action(plan, specialist, person=agent.pk)
    assert (action.team, action.person, action.status) == (team, agent, "on_schedule")
    event = AuditEvent.objects.get(action="plan_action.added")
    assert event.after["plan"] == plan.code
    assert event.after["person"] == agent.pk


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"title": ""}, "title", "required"),
        ({"team": None}, "team", "required"),
        ({"team": 999_999}, "team", "Choose from the list"),
        ({"planned_start": None}, "planned_start", "Enter a start date"),
        ({"planned_end": None}, "planned_end", "Enter an end date"),
        ({"planned_start": days(5), "planned_end": days(4)}, "planned_end", "not be before"),
        ({"person": 999_999}, "person", "no active staff member"),
    ],
)
def test_it_refuses_a_bad_action_and_stores_nothing(plan, specialist, values, field, message):
    before = rows()
    with pytest.raises(ValidationFailed) as raised:
        make_action(plan, specialist, **values)
    assert message in str(raised.value.errors[field])
    assert rows() == before


def test_the_person_must_be_in_the_responsible_team(plan, specialist, outsider):
    with pytest.raises(ValidationFailed) as raised:
        make_action(plan, specialist, person=outsider.pk)
    assert "member of the responsible team" in str(raised.value.errors["person"])


def test_a_customer_is_never_responsible(plan, specialist, team):
    customer = make_user(Role.CUSTOMER)
    with pytest.raises(ValidationFailed) as raised:
        make_action(plan, specialist, person=customer.pk)
    assert "person" in raised.value.errors


def test_an_agent_cannot_add_actions(plan, agent):
    with pytest.raises(NotPermitted):
        make_action(plan, agent)
    assert not PlanAction.objects.exists()


def test_a_closed_plan_takes_no_actions(plan, specialist):
    services.change_plan_status(plan=plan, actor=specialist, status="completed")
    with pytest.raises(Conflict):
        make_action(plan, specialist)


def test_done_dates_the_actual_end_and_notes_go_to_the_history(plan, specialist):
    action = make_action(plan, specialist)
    done = services.set_action_status(
        action=action, actor=specialist, status="done", note="Took a day longer: IT change"
    )
    assert (done.status, done.actual_end) == ("done", TODAY)
    assert [n.text for n in done.notes.all()] == ["Took a day longer: IT change"]
    event = AuditEvent.objects.get(action="plan_action.status_changed")
    assert event.after == {"status": "done", "actual_end": TODAY.isoformat()}
    assert AuditEvent.objects.filter(action="plan_action.noted").count() == 1


def test_status_input_is_checked(plan, specialist):
    action = make_action(plan, specialist)
    for values, field in [
        ({"status": "done", "actual_end": days(1)}, "actual_end"),
        ({"status": "on_schedule", "actual_end": days(-1)}, "actual_end"),
        ({"status": "cancelled"}, "note"),
        ({"status": "finished"}, "status"),
    ]:
        before = rows()
        with pytest.raises(ValidationFailed) as raised:
            services.set_action_status(action=action, actor=specialist, **values)
        assert field in raised.value.errors
        assert rows() == before
    with pytest.raises(Conflict):
        services.set_action_status(action=action, actor=specialist, status="on_schedule")


def test_replanning_a_delayed_action_puts_it_back_on_schedule(plan, specialist):
    action = make_action(plan, specialist, planned_start=days(-20), planned_end=days(-3))
    services.mark_delayed_actions()
    action.refresh_from_db()
    assert action.status == "delayed"
    replanned = services.update_action(
        action=action,
        actor=specialist,
        draft=services.ActionDraft(
            title=action.title, team=action.team_id, planned_start=days(-20), planned_end=days(7)
        ),
    )
    assert (replanned.status, replanned.delay_notified_at) == ("on_schedule", None)
    event = AuditEvent.objects.get(action="plan_action.updated")
    assert event.after == {"planned_end": days(7).isoformat(), "status": "on_schedule"}


def test_notes_are_added_never_changed(plan, specialist, supervisor):
    action = make_action(plan, specialist)
    services.add_action_note(action=action, actor=specialist, text="Vendor slow to answer")
    services.add_action_note(action=action, actor=supervisor, text="Escalated to the vendor")
    assert [(n.author, n.text) for n in action.notes.all()] == [
        (specialist, "Vendor slow to answer"),
        (supervisor, "Escalated to the vendor"),
    ]
    with pytest.raises(ValidationFailed):
        services.add_action_note(action=action, actor=specialist, text="   ")


def test_only_an_action_without_history_can_be_deleted(plan, specialist, team):
    mistake = make_action(plan, specialist)
    services.delete_action(action=mistake, actor=specialist)
    assert not PlanAction.objects.filter(pk=mistake.pk).exists()
    noted = make_action(plan, specialist)
    services.add_action_note(action=noted, actor=specialist, text="Started")
    with pytest.raises(Conflict):
        services.delete_action(action=noted, actor=specialist)
