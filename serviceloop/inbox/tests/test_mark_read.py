"""mark_read / mark_all_read: only the recipient's own, delivered, unread notifications."""

from datetime import datetime

from serviceloop.inbox import queries
from serviceloop.inbox.models import Kind, Notification
from serviceloop.inbox.services import mark_all_read, mark_read, notify

from .conftest import SHANGHAI, WEDNESDAY_MORNING


def test_it_marks_the_given_ones_read(agent):
    first, second = (notify([agent], kind=Kind.ASSIGNED)[0] for _ in range(2))

    assert mark_read(user=agent, ids=[first.pk]) == 1

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at == WEDNESDAY_MORNING
    assert second.read_at is None
    assert queries.unread_count(agent) == 1


def test_other_users_ids_are_ignored(agent, teammate):
    (theirs,) = notify([teammate], kind=Kind.ASSIGNED)
    (mine,) = notify([agent], kind=Kind.ASSIGNED)

    assert mark_read(user=agent, ids=[theirs.pk, mine.pk]) == 1

    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert queries.unread_count(teammate) == 1


def test_reading_twice_keeps_the_first_time(agent, working_hours):
    (made,) = notify([agent], kind=Kind.ASSIGNED)
    mark_read(user=agent, ids=[made.pk])
    working_hours.shift(600)

    assert mark_read(user=agent, ids=[made.pk]) == 0
    made.refresh_from_db()
    assert made.read_at == WEDNESDAY_MORNING


def test_no_ids_changes_nothing(agent):
    notify([agent], kind=Kind.ASSIGNED)

    assert mark_read(user=agent, ids=[]) == 0
    assert queries.unread_count(agent) == 1


def test_mark_all_read_touches_only_the_users_delivered_ones(agent, teammate, working_hours):
    notify([agent], kind=Kind.ASSIGNED)
    notify([agent], kind=Kind.CUSTOMER_REPLIED)
    notify([teammate], kind=Kind.ASSIGNED)
    working_hours.move_to(datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI))  # Saturday
    (waiting,) = notify([agent], kind=Kind.ASSIGNED)  # shown on Monday

    assert mark_all_read(user=agent) == 2

    assert Notification.objects.filter(recipient=agent, read_at__isnull=True).get() == waiting
    assert queries.unread_count(teammate) == 1
    assert mark_read(user=agent, ids=[waiting.pk]) == 0  # not shown yet, so not read
