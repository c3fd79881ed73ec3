"""The weekly and monthly digests over real SMTP (aiosmtpd on loopback): who gets them, when,
in which language, what they say, once per period, and again after a failed send."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from serviceloop.accounts.choices import Role
from serviceloop.analytics import services as analytics
from serviceloop.notifications.tests.smtp import closed_port, mailers_for, smtp_sink
from serviceloop.reports.digests import due_periods, send_due_digests
from serviceloop.reports.models import DigestRun
from serviceloop.tickets.choices import Kind
from tests.builders import make_ticket, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def smtp(settings):  # type: ignore[no-untyped-def]
    with smtp_sink() as sink:
        settings.MAILERS = mailers_for(sink.port)
        yield sink


@pytest.fixture
def readers(team, agent, category):  # type: ignore[no-untyped-def]
    boss = make_user(Role.SUPERVISOR, username="boss", teams=[team], email="boss@example.com")
    manager = make_user(
        Role.MANAGER, username="manager", email="manager@example.com", language="zh-hans"
    )
    make_user(Role.SUPERVISOR, username="no-mail", teams=[team], email="")
    with time_machine.travel(datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI), tick=False):
        make_ticket(agent, category="delivery", kind=Kind.COMPLAINT)
        make_ticket(agent, category="delivery")
    analytics.rebuild()
    return boss, manager


def test_the_periods_due():
    assert [p.kind for p in due_periods(MONDAY_9)] == ["weekly"]
    week = due_periods(MONDAY_9)[0].window
    assert (str(week.start), str(week.end)) == ("2026-11-16", "2026-11-22")
    assert due_periods(datetime(2026, 11, 23, 7, 59, tzinfo=SHANGHAI)) == []  # before 8:00
    assert due_periods(datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI)) == []  # a Tuesday
    first = due_periods(datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI))
    assert [(p.kind, str(p.window.start), str(p.window.end)) for p in first] == [
        ("monthly", "2026-11-01", "2026-11-30")
    ]
    both = due_periods(datetime(2027, 3, 1, 8, 30, tzinfo=SHANGHAI))  # a Monday the 1st
    assert sorted(p.kind for p in both) == ["monthly", "weekly"]


def test_supervisors_and_managers_get_the_week_once_in_their_language(readers, smtp, category):
    boss, manager = readers
    assert send_due_digests(MONDAY_9) == 2
    mails = {m.recipients[0]: m for m in smtp.wait_for(2)}
    english = mails[boss.email]
    assert english.subject == "serviceloop Weekly digest: 2026-11-16 – 2026-11-22"
    assert "- Tickets: 2 (+2) · before: 0 · n = 2" in english.body
    assert "- Complaint rate: 50.0 %" in english.body
    assert f"1. {category}: 2 (100.0 %)" in english.body
    assert "No open plans." in english.body
    assert "/desk/analytics/?start=2026-11-16&end=2026-11-22" in english.body
    chinese = mails[manager.email]
    assert "周报" in chinese.subject
    assert "投诉率" in chinese.body
    assert send_due_digests(MONDAY_9) == 0  # once per period and person
    assert DigestRun.objects.count() == 2


def test_a_failed_send_is_tried_again(readers, settings):
    settings.MAILERS = mailers_for(closed_port())
    assert send_due_digests(MONDAY_9) == 0
    assert not DigestRun.objects.exists()
    with smtp_sink() as sink:
        settings.MAILERS = mailers_for(sink.port)
        assert send_due_digests(MONDAY_9) == 2
        assert len(sink.wait_for(2)) == 2


def test_nothing_is_due_on_a_tuesday(readers, smtp):
    assert send_due_digests(datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI)) == 0
