"""Business time: "add N business minutes" and "business minutes between", the one place
where working hours, weekends, public holidays, make-up working days (调休) and daylight
saving time are taken into account.

Pure functions over a `Schedule` (no database): the sla app builds schedules from the
calendars administrators keep (`calendars.schedule_for`).

Working periods are wall-clock times in the schedule's time zone; their length is the real
time that passes between their start and end (a period across a DST change is an hour
shorter or longer, as the clock on the wall says).
"""

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

Period = tuple[time, time]
MAX_DAYS = 3 * 366  # how far to look for working time before saying there is none


class NoWorkingTime(ValueError):
    """The schedule has no working time within MAX_DAYS of the start."""


@dataclass(frozen=True)
class Schedule:
    """Working periods per weekday (0 = Monday), plus dated exceptions.

    - `holidays`: dates with no working time.
    - `workdays`: make-up working days, each with the weekday whose periods apply.
    - `region` "CN": the mainland China public holidays and make-up working days (from the
      `chinese-calendar` package, for the years it knows) apply before the weekly pattern;
      dates in `holidays` and `workdays` still win over them.
    """

    zone: ZoneInfo
    weekly: Mapping[int, tuple[Period, ...]]
    holidays: frozenset[date] = frozenset()
    workdays: Mapping[date, int] = field(default_factory=dict)
    region: str = ""

    def periods_on(self, day: date) -> tuple[Period, ...]:
        if day in self.workdays:
            return self.weekly.get(self.workdays[day], ())
        if day in self.holidays:
            return ()
        if self.region == "CN":
            official = _china(day)
            if official == "holiday":
                return ()
            if official == "workday" and not self.weekly.get(day.weekday()):
                return self.weekly.get(_first_working_weekday(self.weekly), ())
        return self.weekly.get(day.weekday(), ())

    def intervals(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """The day's working periods in UTC, in order (empty ones skipped). UTC because
        Python subtracts and compares two datetimes of the same zone by their wall clocks."""
        for starts, ends in self.periods_on(day):
            a = datetime.combine(day, starts, tzinfo=self.zone).astimezone(UTC)
            b = datetime.combine(day, ends, tzinfo=self.zone).astimezone(UTC)
            if b > a:
                yield a, b


@functools.lru_cache(maxsize=8192)  # the package looks dates up slowly; they never change
def _china(day: date) -> str:
    """ "holiday", "workday" (an official working day) or "" when the package does not know
    the year (then only the weekly pattern and the calendar's own dates apply)."""
    try:
        if chinese_calendar.is_holiday(day):
            return "holiday" if day.weekday() < 5 or _is_named_holiday(day) else ""
        return "workday"
    except NotImplementedError:
        return ""


def _is_named_holiday(day: date) -> bool:
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    return bool(on_holiday and name)


def _first_working_weekday(weekly: Mapping[int, tuple[Period, ...]]) -> int:
    return next((weekday for weekday in range(7) if weekly.get(weekday)), 0)


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def add_business_minutes(schedule: Schedule, start: datetime, minutes: float) -> datetime:
    """The moment `minutes` of working time after `start` (aware). 0 minutes: `start` itself.

    A result that falls exactly on the end of a period is that end (not the next morning).
    Raises NoWorkingTime when the schedule has no working time ahead.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    remaining = timedelta(minutes=minutes)
    if not remaining:
        return start
    origin = start.astimezone(UTC)
    day = _local_day(start, schedule.zone) - timedelta(days=1)  # a period may start before
    for _ in range(MAX_DAYS):
        for a, b in schedule.intervals(day):
            if b <= origin:
                continue
            begin = max(a, origin)
            available = b - begin
            if remaining <= available:
                return (begin + remaining).astimezone(start.tzinfo)
            remaining -= available
        day += timedelta(days=1)
    raise NoWorkingTime(f"no working time within {MAX_DAYS} days of {start.isoformat()}")


def next_working_moment(schedule: Schedule, at: datetime) -> datetime:
    """`at` when it is working time, else the start of the next working period (aware).
    Raises NoWorkingTime when the schedule has no working time ahead."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    origin = at.astimezone(UTC)
    day = _local_day(at, schedule.zone) - timedelta(days=1)
    for _ in range(MAX_DAYS):
        for a, b in schedule.intervals(day):
            if b > origin:
                return max(a, origin).astimezone(at.tzinfo)
        day += timedelta(days=1)
    raise NoWorkingTime(f"no working time within {MAX_DAYS} days of {at.isoformat()}")


def business_minutes_between(schedule: Schedule, start: datetime, end: datetime) -> float:
    """Minutes of working time from `start` to `end` (aware); negative when `end` is before
    `start`."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end < start:
        return -business_minutes_between(schedule, end, start)
    total = timedelta()
    day = _local_day(start, schedule.zone) - timedelta(days=1)
    last = _local_day(end, schedule.zone)
    while day <= last:
        for a, b in schedule.intervals(day):
            overlap = min(b, end) - max(a, start)
            if overlap > timedelta():
                total += overlap
        day += timedelta(days=1)
    return total.total_seconds() / 60
