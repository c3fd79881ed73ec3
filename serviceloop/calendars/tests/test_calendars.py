"""Calendars as administrators keep them, read into schedules; changes are audited."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from serviceloop.audit.models import AuditEvent
from serviceloop.calendars.business_time import add_business_minutes
from serviceloop.calendars.models import BusinessCalendar, CalendarDate, CalendarTeam, WorkingPeriod
from serviceloop.calendars.schedules import calendar_for, schedule_for, schedule_of

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def berlin(team):
    calendar = BusinessCalendar.objects.create(
        code="berlin", name_en="Berlin office", name_zh="柏林办公室", time_zone="Europe/Berlin"
    )
    for weekday in range(5):
        WorkingPeriod.objects.create(
            calendar=calendar, weekday=weekday, starts=time(8), ends=time(16)
        )
    CalendarDate.objects.create(calendar=calendar, date=date(2026, 12, 24), kind="holiday")
    CalendarDate.objects.create(
        calendar=calendar, date=date(2026, 12, 19), kind="workday", hours_of=4
    )
    CalendarTeam.objects.create(calendar=calendar, team=team)
    return calendar


@pytest.mark.usefixtures("installed")
def test_every_installation_starts_with_a_default_china_office_calendar():
    default = BusinessCalendar.objects.get(is_default=True)
    assert default.holiday_region == "CN"
    assert default.periods.filter(weekday=0).count() == 2  # a lunch break splits the day
    assert not default.periods.filter(weekday__gte=5).exists()


@pytest.mark.usefixtures("installed")
def test_a_team_counts_in_its_own_calendar(team, other_team, berlin):
    assert calendar_for(team) == berlin
    assert calendar_for(other_team).is_default
    schedule = schedule_for(team)
    assert schedule.zone == BERLIN
    christmas_eve = datetime(2026, 12, 24, 7, 0, tzinfo=BERLIN)
    assert add_business_minutes(schedule, christmas_eve, 30) == datetime(
        2026, 12, 25, 8, 30, tzinfo=BERLIN
    )
    saturday = datetime(2026, 12, 19, 7, 0, tzinfo=BERLIN)  # a worked Saturday
    assert add_business_minutes(schedule, saturday, 30) == datetime(
        2026, 12, 19, 8, 30, tzinfo=BERLIN
    )


def test_a_schedule_reads_the_periods_and_dates(berlin):
    schedule = schedule_of(berlin)
    assert schedule.weekly[0] == ((time(8), time(16)),)
    assert date(2026, 12, 24) in schedule.holidays
    assert schedule.workdays == {date(2026, 12, 19): 4}
    assert schedule.region == ""


def test_without_any_calendar_office_hours_on_weekdays_apply(team):
    BusinessCalendar.objects.all().delete()
    schedule = schedule_for(team)
    assert set(schedule.weekly) == {0, 1, 2, 3, 4}


def test_calendar_changes_in_the_admin_are_audited(admin_user, berlin):
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        f"/admin/calendars/businesscalendar/{berlin.pk}/change/",
        {
            "code": "berlin", "name_en": "Berlin office", "name_zh": "柏林办公室",
            "time_zone": "Mars/Olympus", "holiday_region": "",
            "calendarteam_set-TOTAL_FORMS": "0", "calendarteam_set-INITIAL_FORMS": "0",
            "periods-TOTAL_FORMS": "0", "periods-INITIAL_FORMS": "0",
            "dates-TOTAL_FORMS": "0", "dates-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 200  # refused: not a time zone
    assert "known time zone" in response.content.decode()
    berlin.refresh_from_db()
    assert berlin.time_zone == "Europe/Berlin"
    response = client.post(
        f"/admin/calendars/businesscalendar/{berlin.pk}/change/",
        {
            "code": "berlin", "name_en": "Berlin office", "name_zh": "柏林办公室",
            "time_zone": "Europe/Paris", "holiday_region": "",
            "calendarteam_set-TOTAL_FORMS": "0", "calendarteam_set-INITIAL_FORMS": "0",
            "periods-TOTAL_FORMS": "0", "periods-INITIAL_FORMS": "0",
            "dates-TOTAL_FORMS": "0", "dates-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="calendar.updated")
    assert event.before == {"time_zone": "Europe/Berlin"}
    assert event.after == {"time_zone": "Europe/Paris"}
    assert event.actor_id == admin_user.pk
