"""Business time over nights, lunch breaks, weekends, public holidays, make-up working days
(调休) and daylight saving time: worked examples, then properties checked by hypothesis."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from serviceloop.calendars.business_time import (
    NoWorkingTime,
    Schedule,
    add_business_minutes,
    business_minutes_between,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = ((time(9), time(12)), (time(13, 30), time(18)))  # 7.5 h with a lunch break
WEEKDAYS = dict.fromkeys(range(5), OFFICE)


def china(**extra):
    return Schedule(zone=SHANGHAI, weekly=WEEKDAYS, region="CN", **extra)


def at(zone, *parts):
    return datetime(*parts, tzinfo=zone)


# --- worked examples -----------------------------------------------------------------------


def test_minutes_within_one_period():
    start = at(SHANGHAI, 2026, 11, 23, 9, 30)  # a Monday
    assert add_business_minutes(china(), start, 60) == at(SHANGHAI, 2026, 11, 23, 10, 30)


def test_the_lunch_break_does_not_count():
    start = at(SHANGHAI, 2026, 11, 23, 11, 30)
    assert add_business_minutes(china(), start, 60) == at(SHANGHAI, 2026, 11, 23, 14, 0)


def test_the_night_does_not_count():
    start = at(SHANGHAI, 2026, 11, 23, 17, 0)
    assert add_business_minutes(china(), start, 120) == at(SHANGHAI, 2026, 11, 24, 10, 0)


def test_a_start_outside_working_hours_waits_for_the_next_period():
    start = at(SHANGHAI, 2026, 11, 23, 7, 0)
    assert add_business_minutes(china(), start, 10) == at(SHANGHAI, 2026, 11, 23, 9, 10)


def test_the_weekend_does_not_count():
    friday = at(SHANGHAI, 2026, 11, 27, 17, 30)
    assert add_business_minutes(china(), friday, 60) == at(SHANGHAI, 2026, 11, 30, 9, 30)


def test_a_result_on_the_end_of_a_period_stays_there():
    start = at(SHANGHAI, 2026, 11, 23, 17, 0)
    assert add_business_minutes(china(), start, 60) == at(SHANGHAI, 2026, 11, 23, 18, 0)


def test_national_day_week_is_skipped_and_its_make_up_saturday_is_worked():
    # 2026: 1-7 October off; Sunday 20 September and Saturday 10 October are worked (调休)
    start = at(SHANGHAI, 2026, 9, 30, 17, 0)
    assert add_business_minutes(china(), start, 120) == at(SHANGHAI, 2026, 10, 8, 10, 0)
    saturday_before = at(SHANGHAI, 2026, 9, 19, 17, 0)
    assert add_business_minutes(china(), saturday_before, 60) == at(SHANGHAI, 2026, 9, 20, 10, 0)
    friday = at(SHANGHAI, 2026, 10, 9, 17, 0)
    assert add_business_minutes(china(), friday, 120) == at(SHANGHAI, 2026, 10, 10, 10, 0)


def test_spring_festival_counts_nothing():
    eve = at(SHANGHAI, 2026, 2, 16, 0, 0)
    assert business_minutes_between(china(), eve, at(SHANGHAI, 2026, 2, 20, 23, 0)) == 0


def test_the_calendars_own_dates_win_over_the_pattern_and_the_region():
    day_off = date(2026, 11, 24)
    extra_saturday = date(2026, 11, 28)
    schedule = china(holidays=frozenset({day_off}), workdays={extra_saturday: 0})
    monday_evening = at(SHANGHAI, 2026, 11, 23, 18, 0)
    assert add_business_minutes(schedule, monday_evening, 30) == at(SHANGHAI, 2026, 11, 25, 9, 30)
    friday_evening = at(SHANGHAI, 2026, 11, 27, 18, 0)
    assert add_business_minutes(schedule, friday_evening, 30) == at(SHANGHAI, 2026, 11, 28, 9, 30)
    # National Day declared a working day by the calendar: its own date wins
    worked = china(workdays={date(2026, 10, 1): 3})
    assert add_business_minutes(worked, at(SHANGHAI, 2026, 10, 1, 8), 10) == at(
        SHANGHAI, 2026, 10, 1, 9, 10
    )


def test_a_saturday_team_keeps_its_saturdays_in_china():
    weekly = {**WEEKDAYS, 5: ((time(10), time(16)),)}
    schedule = Schedule(zone=SHANGHAI, weekly=weekly, region="CN")
    saturday = at(SHANGHAI, 2026, 11, 28, 10, 0)
    assert add_business_minutes(schedule, saturday, 60) == at(SHANGHAI, 2026, 11, 28, 11, 0)


def test_a_year_the_holiday_data_does_not_know_falls_back_to_the_weekly_pattern():
    # chinese-calendar knows up to its release; a later 1 May still follows the weekdays
    later = at(SHANGHAI, 2031, 5, 1, 9, 0)  # a Thursday
    assert add_business_minutes(china(), later, 30) == at(SHANGHAI, 2031, 5, 1, 9, 30)


def test_dst_spring_forward_shortens_a_period_that_spans_it():
    night_shift = Schedule(zone=BERLIN, weekly=dict.fromkeys(range(7), ((time(0), time(6)),)))
    # 29 March 2026: clocks go from 02:00 to 03:00 in Berlin, so 00:00-06:00 lasts 5 hours
    start = at(BERLIN, 2026, 3, 29, 0, 0)
    end = datetime(2026, 3, 29, 6, 0, tzinfo=BERLIN)
    assert business_minutes_between(night_shift, start, end) == 5 * 60
    assert add_business_minutes(night_shift, start, 5 * 60) == end


def test_dst_fall_back_lengthens_it():
    night_shift = Schedule(zone=NEW_YORK, weekly=dict.fromkeys(range(7), ((time(0), time(6)),)))
    # 1 November 2026: New York clocks go from 02:00 back to 01:00
    start = at(NEW_YORK, 2026, 11, 1, 0, 0)
    assert business_minutes_between(night_shift, start, at(NEW_YORK, 2026, 11, 1, 6)) == 7 * 60


def test_between_counts_only_working_time_and_is_signed():
    monday, tuesday = at(SHANGHAI, 2026, 11, 23, 8), at(SHANGHAI, 2026, 11, 24, 10)
    assert business_minutes_between(china(), monday, tuesday) == 7.5 * 60 + 60
    assert business_minutes_between(china(), tuesday, monday) == -(7.5 * 60 + 60)


def test_a_schedule_without_working_time_says_so():
    with pytest.raises(NoWorkingTime):
        add_business_minutes(Schedule(zone=SHANGHAI, weekly={}), at(SHANGHAI, 2026, 1, 1), 1)


def test_naive_times_and_negative_minutes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add_business_minutes(china(), datetime(2026, 11, 23, 9), 10)  # noqa: DTZ001
    with pytest.raises(ValueError, match="negative"):
        add_business_minutes(china(), at(SHANGHAI, 2026, 11, 23, 9), -1)


# --- properties ----------------------------------------------------------------------------

ZONES = st.sampled_from([SHANGHAI, BERLIN, NEW_YORK, ZoneInfo("Australia/Sydney")])
MOMENTS = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
MINUTES = st.integers(min_value=0, max_value=5 * 7 * 60 * 6)  # up to six working weeks


@st.composite
def schedules(draw):
    zone = draw(ZONES)
    weekly = {}
    for weekday in range(7):
        if draw(st.booleans()):
            first = draw(st.integers(min_value=0, max_value=10))
            lunch = draw(st.integers(min_value=first + 1, max_value=13))
            back = draw(st.integers(min_value=lunch, max_value=16))
            end = draw(st.integers(min_value=back + 1, max_value=23))
            weekly[weekday] = ((time(first), time(lunch)), (time(back), time(end)))
    assume(weekly)
    holidays = frozenset(draw(st.lists(st.dates(date(2025, 1, 1), date(2028, 1, 1)), max_size=8)))
    region = draw(st.sampled_from(["", "CN"]))
    return Schedule(zone=zone, weekly=weekly, holidays=holidays, region=region)


@settings(max_examples=150, deadline=None)
@given(schedules(), MOMENTS, MINUTES)
def test_adding_then_measuring_gives_the_minutes_back(schedule, start, minutes):
    end = add_business_minutes(schedule, start, minutes)
    assert end >= start
    assert business_minutes_between(schedule, start, end) == pytest.approx(minutes, abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(schedules(), MOMENTS, MINUTES, MINUTES)
def test_adding_in_two_steps_is_adding_the_sum(schedule, start, a, b):
    assume(b > 0)
    two_steps = add_business_minutes(schedule, add_business_minutes(schedule, start, a), b)
    assert two_steps == add_business_minutes(schedule, start, a + b)


@settings(max_examples=150, deadline=None)
@given(schedules(), MOMENTS, st.integers(min_value=1, max_value=20_000))
def test_a_deadline_falls_inside_working_time(schedule, start, minutes):
    end = add_business_minutes(schedule, start, minutes)
    local = end.astimezone(schedule.zone)
    days = (local.date() - timedelta(days=1), local.date())
    assert any(a < end <= b for day in days for a, b in schedule.intervals(day))


@settings(max_examples=150, deadline=None)
@given(schedules(), MOMENTS, MOMENTS)
def test_business_time_never_exceeds_wall_time(schedule, one, other):
    start, end = min(one, other), max(one, other)
    measured = business_minutes_between(schedule, start, end)
    assert 0 <= measured <= (end - start).total_seconds() / 60 + 1e-6
