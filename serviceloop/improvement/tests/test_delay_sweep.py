"""The sweep that marks actions past their planned end delayed and tells the plan's owner
once (mark_delayed_actions, the task mark_delayed_plan_actions)."""

from datetime import datetime

import pytest

from serviceloop.audit.models import AuditEvent
from serviceloop.core.schedule import SWEEPS, sweep_tasks
from serviceloop.improvement import services, tasks
from serviceloop.improvement.services.sweeps import ACTION_DELAYED_KIND
from serviceloop.inbox.messages import render
from serviceloop.inbox.models import Notification

from .conftest import SHANGHAI
from .given import days, make_action, make_plan


@pytest.fixture
def plan(specialist, team, supervisor):
    return make_plan(specialist, scope={"teams": [team.pk]}, owner=supervisor.pk)


def delayed_notices():
    return list(Notification.objects.filter(kind=ACTION_DELAYED_KIND))


def test_an_action_past_its_end_is_delayed_and_the_owner_told_once(plan, specialist, supervisor):
    action = make_action(plan, specialist, planned_start=days(-10), planned_end=days(-1))
    assert services.mark_delayed_actions() == 1
    action.refresh_from_db()
    assert action.status == "delayed"
    event = AuditEvent.objects.get(action="plan_action.delayed")
    assert (event.actor, event.after) == (None, {"status": "delayed"})
    [notice] = delayed_notices()
    assert notice.recipient == supervisor
    assert notice.params["number"] == plan.code
    assert notice.params["text"] == action.title
    assert (
        render(notice) == f"Plan {plan.code}: the action “{action.title}” is past its planned end"
    )
    assert services.mark_delayed_actions() == 0
    assert len(delayed_notices()) == 1


def test_an_action_ending_today_is_not_delayed_until_tomorrow(plan, specialist, working_hours):
    action = make_action(plan, specialist, planned_start=days(-3), planned_end=days(0))
    working_hours.move_to(datetime(2026, 11, 25, 23, 59, tzinfo=SHANGHAI))
    assert services.mark_delayed_actions() == 0
    working_hours.move_to(datetime(2026, 11, 26, 0, 0, tzinfo=SHANGHAI))
    assert services.mark_delayed_actions() == 1
    action.refresh_from_db()
    assert action.status == "delayed"


def test_finished_actions_and_closed_plans_are_left_alone(plan, specialist):
    done = make_action(plan, specialist, planned_start=days(-9), planned_end=days(-2))
    services.set_action_status(action=done, actor=specialist, status="done", actual_end=days(-2))
    cancelled = make_action(plan, specialist, planned_start=days(-9), planned_end=days(-2))
    services.set_action_status(
        action=cancelled, actor=specialist, status="cancelled", note="Not needed"
    )
    other = make_plan(specialist)
    late = make_action(other, specialist, team=done.team_id, planned_end=days(-1))
    services.change_plan_status(plan=other, actor=specialist, status="completed")
    assert services.mark_delayed_actions() == 0
    late.refresh_from_db()
    assert late.status == "on_schedule"
    assert delayed_notices() == []


def test_set_back_on_schedule_it_is_delayed_again_but_not_told_twice(plan, specialist):
    action = make_action(plan, specialist, planned_start=days(-9), planned_end=days(-2))
    services.mark_delayed_actions()
    services.set_action_status(action=action, actor=specialist, status="on_schedule")
    assert services.mark_delayed_actions() == 1
    assert len(delayed_notices()) == 1


def test_a_new_delay_after_replanning_is_told_again(plan, specialist, working_hours):
    action = make_action(plan, specialist, planned_start=days(-9), planned_end=days(-2))
    services.mark_delayed_actions()
    action.refresh_from_db()
    services.update_action(
        action=action,
        actor=specialist,
        draft=services.ActionDraft(
            title=action.title, team=action.team_id, planned_start=days(-9), planned_end=days(3)
        ),
    )
    working_hours.move_to(datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI))
    assert services.mark_delayed_actions() == 1
    assert len(delayed_notices()) == 2


def test_an_ownerless_plan_still_gets_its_actions_marked(plan, specialist, supervisor):
    action = make_action(plan, specialist, planned_end=days(-1), planned_start=days(-4))
    supervisor.delete()
    assert services.mark_delayed_actions() == 1
    action.refresh_from_db()
    assert action.status == "delayed"
    assert delayed_notices() == []


def test_the_sweep_is_a_scheduled_task(plan, specialist):
    make_action(plan, specialist, planned_start=days(-4), planned_end=days(-1))
    assert SWEEPS["mark_delayed_plan_actions"].endswith(
        "improvement.tasks.mark_delayed_plan_actions"
    )
    assert "mark_delayed_plan_actions" in sweep_tasks()
    result = tasks.mark_delayed_plan_actions.enqueue()
    assert result.return_value == 1


def test_it_works_in_batches(plan, specialist):
    for _ in range(5):
        make_action(plan, specialist, planned_start=days(-4), planned_end=days(-1))
    assert services.mark_delayed_actions(batch=2) == 5
    assert len(delayed_notices()) == 5
