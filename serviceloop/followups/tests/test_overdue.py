"""Open follow-ups past their due time tell their assignee — the team's supervisors when
nobody has one — once, through the staff inbox."""

from datetime import timedelta

import pytest

from serviceloop.audit.models import AuditEvent
from serviceloop.followups.models import FollowUp
from serviceloop.followups.services import notify_overdue_follow_ups, record_follow_up
from serviceloop.inbox.models import Notification
from tests.builders import make_ticket

from .conftest import follow_ups_of, resolve, resolved


@pytest.fixture
def follow_up(agent, committed, rule) -> FollowUp:
    (found,) = follow_ups_of(resolved(agent, committed, kind="complaint"))
    return found


def notified():
    return list(Notification.objects.order_by("id"))


def test_nothing_is_said_before_the_due_time(follow_up, clock):
    clock.move_to(follow_up.due_at - timedelta(minutes=1))

    assert notify_overdue_follow_ups() == 0
    assert notified() == []


def test_the_assignee_hears_once_when_it_is_overdue(follow_up, agent, clock):
    clock.move_to(follow_up.due_at + timedelta(minutes=1))

    assert notify_overdue_follow_ups() == 1
    assert notify_overdue_follow_ups() == 0
    clock.shift(timedelta(days=1))
    assert notify_overdue_follow_ups() == 0

    (notice,) = notified()
    assert (notice.recipient, notice.ticket_id) == (agent, follow_up.ticket_id)
    assert notice.params["follow_up"] == follow_up.pk
    assert FollowUp.objects.get(pk=follow_up.pk).overdue_notified_at is not None
    assert AuditEvent.objects.filter(action="follow_up.overdue").count() == 1


def test_an_unassigned_one_goes_to_the_teams_supervisors(agent, supervisor, committed, rule, clock):
    ticket = make_ticket(agent, kind="complaint")
    (follow_up,) = follow_ups_of(resolve(ticket, agent, committed))
    assert follow_up.assignee is None
    clock.move_to(follow_up.due_at + timedelta(hours=1))

    notify_overdue_follow_ups()

    assert [n.recipient for n in notified()] == [supervisor]


def test_a_recorded_follow_up_is_never_overdue(follow_up, agent, clock):
    record_follow_up(follow_up=follow_up, actor=agent, outcome="solved")
    clock.move_to(follow_up.due_at + timedelta(days=3))

    assert notify_overdue_follow_ups() == 0
    assert notified() == []


def test_it_works_in_batches(agent, committed, rule, clock):
    for n in range(5):
        resolved(agent, committed, kind="complaint", description=f"Parcel {n} lost")
    clock.shift(timedelta(hours=49))

    assert notify_overdue_follow_ups(batch=2) == 5
    assert len(notified()) == 5
