"""Reading the calendars administrators keep into `business_time.Schedule`s, and the copies
of them each process keeps (decision 0006): a team's schedule and a calendar's schedule are
read at most every REFERENCE_CACHE_SECONDS; a calendar saved in this process is seen at
once (apps.py)."""

from collections import defaultdict
from datetime import time
from zoneinfo import ZoneInfo

from django.conf import settings

from serviceloop.accounts.models import Team
from serviceloop.core.memo import ProcessCache

from .business_time import Period, Schedule
from .models import BusinessCalendar, CalendarDate, DateKind

# Used when no calendar is configured at all: Monday to Friday, 09:00-18:00.
OFFICE_HOURS: tuple[Period, ...] = ((time(9), time(18)),)

_cache = ProcessCache()


def forget(**kwargs: object) -> None:
    """Drop this process's copies of the schedules (a signal receiver; tests)."""
    _cache.forget()


def office_hours() -> Schedule:
    """Weekdays 09:00-18:00 in the company's time zone: when no calendar exists."""
    return Schedule(zone=ZoneInfo(settings.TIME_ZONE), weekly=dict.fromkeys(range(5), OFFICE_HOURS))


def schedule_of(calendar: BusinessCalendar) -> Schedule:
    """The calendar's schedule (two queries: its periods and its dates)."""
    weekly: dict[int, list[Period]] = defaultdict(list)
    for period in calendar.periods.order_by("weekday", "starts"):
        weekly[period.weekday].append((period.starts, period.ends))
    holidays, workdays = set(), {}
    for entry in CalendarDate.objects.filter(calendar=calendar):
        if entry.kind == DateKind.HOLIDAY:
            holidays.add(entry.date)
        else:
            workdays[entry.date] = entry.hours_of
    return Schedule(
        zone=ZoneInfo(calendar.time_zone),
        weekly={weekday: tuple(periods) for weekday, periods in weekly.items()},
        holidays=frozenset(holidays),
        workdays=workdays,
        region=calendar.holiday_region,
    )


def calendar_for(team: Team | None) -> BusinessCalendar | None:
    """The team's calendar, else the default one, else None."""
    return _calendar_of_team(team.pk if team is not None else None)


def _calendar_of_team(team_id: int | None) -> BusinessCalendar | None:
    if team_id is not None:
        found = BusinessCalendar.objects.filter(calendarteam__team_id=team_id).first()
        if found is not None:
            return found
    return BusinessCalendar.objects.filter(is_default=True).first()


def team_calendar_id(team_id: int | None) -> int | None:
    """The id of the calendar the team with this id keeps (its own, else the default one;
    None for no team: the default one), or None when there is no calendar at all; cached."""

    def load() -> int | None:
        calendar = _calendar_of_team(team_id)
        return None if calendar is None else calendar.pk

    return _cache.get(("calendar of team", team_id), load)


def schedule_for(team: Team | None) -> Schedule:
    """The schedule a team's business time is counted in (office hours on weekdays in the
    company's time zone when no calendar exists)."""
    return _schedule_of_team(team.pk if team is not None else None)


def _schedule_of_team(team_id: int | None) -> Schedule:
    calendar = _calendar_of_team(team_id)
    return office_hours() if calendar is None else schedule_of(calendar)


def team_schedule(team_id: int | None) -> Schedule:
    """`schedule_for` the team with this id (None: the default calendar), cached."""
    return _cache.get(("team", team_id), lambda: _schedule_of_team(team_id))


def calendar_schedule(calendar_id: int | None) -> Schedule:
    """The schedule of the calendar with this id (None or gone: office hours), cached."""

    def load() -> Schedule:
        calendar = BusinessCalendar.objects.filter(pk=calendar_id).first() if calendar_id else None
        return office_hours() if calendar is None else schedule_of(calendar)

    return _cache.get(("calendar", calendar_id), load)
