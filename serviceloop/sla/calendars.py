"""Reading the calendars administrators keep into `business_time.Schedule`s."""

from collections import defaultdict
from datetime import time
from zoneinfo import ZoneInfo

from django.conf import settings

from serviceloop.accounts.models import Team

from .business_time import Period, Schedule
from .models import BusinessCalendar, CalendarDate, DateKind

# Used when no calendar is configured at all: Monday to Friday, 09:00-18:00.
OFFICE_HOURS: tuple[Period, ...] = ((time(9), time(18)),)


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
    if team is not None:
        found = BusinessCalendar.objects.filter(calendarteam__team=team).first()
        if found is not None:
            return found
    return BusinessCalendar.objects.filter(is_default=True).first()


def schedule_for(team: Team | None) -> Schedule:
    """The schedule a team's business time is counted in (office hours on weekdays in the
    company's time zone when no calendar exists)."""
    calendar = calendar_for(team)
    if calendar is None:
        return Schedule(
            zone=ZoneInfo(settings.TIME_ZONE), weekly=dict.fromkeys(range(5), OFFICE_HOURS)
        )
    return schedule_of(calendar)
