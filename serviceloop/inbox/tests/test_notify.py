"""notify(): who is told, and from when they see it (their working hours unless urgent)."""

from datetime import datetime, time, timedelta

import pytest
import time_machine

from serviceloop.accounts.choices import Role
from serviceloop.calendars.models import BusinessCalendar, WorkingPeriod
from serviceloop.inbox import queries
from serviceloop.inbox.models import Kind, Notification
from serviceloop.inbox.services import notify
from serviceloop.routing.models import AgentProfile
from tests.builders import make_ticket, make_user

from .conftest import SHANGHAI

SATURDAY_MORNING = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
MONDAY_NINE = datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)
WEDNESDAY_READ = datetime(2026, 11, 25, 9, 30, tzinfo=SHANGHAI)


def weekend_shift() -> BusinessCalendar:
    """Saturday and Sunday, 14:00-22:00."""
    calendar = BusinessCalendar.objects.create(
        code="weekend-shift", name_en="Weekend shift", name_zh="周末班", time_zone="Asia/Shanghai"
    )
    for weekday in (5, 6):
        WorkingPeriod.objects.create(
            calendar=calendar, weekday=weekday, starts=time(14), ends=time(22)
        )
    return calendar


def test_it_tells_each_recipient_once_and_skips_nobody_and_the_inactive(agent, teammate):
    gone = make_user(Role.AGENT, username="gone", is_active=False)

    made = notify([agent, None, teammate, agent, gone], kind=Kind.ASSIGNED)

    assert sorted(n.recipient_id for n in made) == sorted([agent.pk, teammate.pk])
    assert Notification.objects.count() == 2


def test_it_keeps_the_ticket_and_params(agent):
    ticket = make_ticket(agent)

    (made,) = notify(
        [agent], kind=Kind.SLA_BREACHED, ticket=ticket, params={"target": "resolution"}
    )

    stored = Notification.objects.get(pk=made.pk)
    assert (stored.ticket_id, stored.kind) == (ticket.pk, Kind.SLA_BREACHED)
    assert stored.params == {"target": "resolution"}
    assert stored.read_at is None


def test_within_working_hours_it_shows_at_once(agent):
    (made,) = notify([agent], kind=Kind.ASSIGNED)

    assert queries.unread_count(agent) == 1
    assert queries.newest(agent) == [made]


def test_one_made_on_saturday_waits_for_monday_nine(agent, working_hours):
    working_hours.move_to(SATURDAY_MORNING)
    (made,) = notify([agent], kind=Kind.ASSIGNED)

    assert made.deliver_at == MONDAY_NINE
    assert queries.unread_count(agent) == 0
    assert queries.newest(agent) == []
    assert queries.page_of(agent, cursor=None).items == []

    working_hours.move_to(MONDAY_NINE - timedelta(minutes=1))
    assert queries.unread_count(agent) == 0
    working_hours.move_to(MONDAY_NINE)
    assert queries.unread_count(agent) == 1
    assert queries.newest(agent) == [made]


def test_an_urgent_one_shows_at_once_even_on_saturday(agent, working_hours):
    working_hours.move_to(SATURDAY_MORNING)

    (made,) = notify([agent], kind=Kind.SLA_BREACHED, urgent=True)

    assert made.deliver_at == SATURDAY_MORNING
    assert queries.unread_count(agent) == 1


def test_a_personal_shift_calendar_decides_when(agent, teammate, working_hours):
    AgentProfile.objects.create(user=agent, calendar=weekend_shift())
    working_hours.move_to(SATURDAY_MORNING)

    (mine,) = notify([agent], kind=Kind.ASSIGNED)
    (theirs,) = notify([teammate], kind=Kind.ASSIGNED)

    saturday_two = SATURDAY_MORNING.replace(hour=14)
    assert mine.deliver_at == saturday_two  # the weekend shift starts at 14:00
    assert theirs.deliver_at == MONDAY_NINE  # the team's (default) office hours
    with time_machine.travel(saturday_two, tick=False):
        assert queries.unread_count(agent) == 1
        assert queries.unread_count(teammate) == 0


def test_a_calendar_without_any_hours_does_not_hide_it(agent, working_hours):
    empty = BusinessCalendar.objects.create(code="never", name_en="Never", name_zh="从不")
    AgentProfile.objects.create(user=agent, calendar=empty)
    working_hours.move_to(SATURDAY_MORNING)

    (made,) = notify([agent], kind=Kind.ASSIGNED)

    assert made.deliver_at == SATURDAY_MORNING


@pytest.mark.parametrize(("unread", "label"), [(0, ""), (1, "1"), (99, "99"), (100, "99+")])
def test_the_badge_is_capped(agent, unread, label):
    notify([agent], kind=Kind.ASSIGNED)  # one read, never counted
    Notification.objects.update(read_at=WEDNESDAY_READ)
    for _ in range(unread):
        notify([agent], kind=Kind.ASSIGNED)

    assert queries.badge_label(queries.unread_count(agent)) == label


def test_counting_the_unread_is_one_query(agent, django_assert_num_queries):
    for _ in range(3):
        notify([agent], kind=Kind.ASSIGNED)

    with django_assert_num_queries(1):
        assert queries.unread_count(agent) == 3


def test_other_peoples_notifications_are_not_counted_nor_listed(agent, teammate):
    notify([teammate], kind=Kind.ASSIGNED)

    assert queries.unread_count(agent) == 0
    assert queries.newest(agent) == []
