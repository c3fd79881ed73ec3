"""The effect of a plan, end to end: tickets made through the use cases, their facts
computed by the analytics app, the samples read through the metric registry."""

from datetime import datetime, timedelta

import pytest

from serviceloop.analytics import registry
from serviceloop.analytics import services as analytics
from serviceloop.improvement import services, stats
from serviceloop.improvement.effect import Span, buckets, chart_series, plan_effect
from serviceloop.tickets import services as tickets
from tests.builders import make_ticket

from .conftest import SHANGHAI, WEDNESDAY_MORNING
from .given import TODAY, days, make_plan

# (window day offset, pilot?, tickets, complaints) — the pilot is the "support" team
COMPLAINTS = [
    (-50, True, 8, 4),  # baseline: pilot 50 %
    (-45, False, 8, 2),  # baseline: rest 25 %
    (-10, True, 8, 1),  # after: pilot 12.5 %
    (-9, False, 8, 3),  # after: rest 37.5 %
]


def at(offset_days: int, hour: int = 10) -> datetime:
    return datetime.combine(days(offset_days), datetime.min.time(), SHANGHAI).replace(hour=hour)


@pytest.fixture
def complaint_history(agent, outsider, working_hours):
    for offset, pilot, count, complaints in COMPLAINTS:
        working_hours.move_to(at(offset))
        for i in range(count):
            kind = "complaint" if i < complaints else "inquiry"
            if pilot:
                make_ticket(agent, kind=kind)
            else:
                make_ticket(outsider, kind=kind, team="billing")
    working_hours.move_to(WEDNESDAY_MORNING)
    analytics.rebuild()


@pytest.fixture
def piloted_plan(specialist, team, complaint_history):
    plan = make_plan(
        specialist,
        metric="complaint_rate",
        target=20.0,
        baseline_start=days(-60),
        baseline_end=days(-31),
        pilot_scope={"teams": [team.pk]},
        pilot_start=days(-20),
    )
    return plan


def test_it_measures_the_change_with_its_interval_and_n(piloted_plan):
    effect = plan_effect(piloted_plan)
    overall = effect.overall
    assert (effect.after.start, effect.after.end) == (days(-20), TODAY)
    assert (overall.n_before, overall.n_after) == (16, 16)
    assert overall.before_value == pytest.approx(6 / 16 * 100)
    assert overall.after_value == pytest.approx(4 / 16 * 100)
    assert overall.change == pytest.approx(-12.5)
    assert overall.method is stats.Method.NEWCOMBE
    assert overall.low < overall.change < overall.high
    assert not overall.significant  # 16 tickets a side cannot tell 12.5 points apart
    # target 20 %: from 37.5 to 25 is 12.5 of the 17.5 points to go
    assert effect.completion == pytest.approx(12.5 / 17.5)


def test_it_compares_the_pilot_with_the_rest_of_the_scope(piloted_plan):
    pilot = plan_effect(piloted_plan).pilot
    assert pilot is not None
    assert (pilot.pilot.before_value, pilot.pilot.after_value) == (50.0, 12.5)
    assert (pilot.rest.before_value, pilot.rest.after_value) == (25.0, 37.5)
    did = pilot.did
    assert did.estimate == pytest.approx(-50.0)
    assert (did.pilot_change, did.rest_change) == (pytest.approx(-37.5), pytest.approx(12.5))
    assert (did.n_pilot_before, did.n_pilot_after, did.n_rest_before, did.n_rest_after) == (
        8, 8, 8, 8,
    )  # fmt: skip
    assert did.low < did.estimate < did.high


def test_its_values_are_the_registry_s(piloted_plan, team):
    effect = plan_effect(piloted_plan)
    metric = registry.metric("complaint_rate")
    whole = registry.sample("complaint_rate", piloted_plan.scope_value, days(-60), days(-31))
    assert effect.overall.before_value == metric.value(whole)
    part = registry.sample("complaint_rate", piloted_plan.pilot_value, days(-20), TODAY)
    assert effect.pilot.pilot.after_value == metric.value(part)


def test_before_the_change_starts_there_is_no_after_data(specialist, complaint_history):
    plan = make_plan(specialist, baseline_start=days(-60), baseline_end=days(-31))
    effect = plan_effect(plan)
    assert effect.after is None
    assert effect.overall.n_before == 16
    assert (effect.overall.after_value, effect.overall.n_after) == (None, 0)
    assert effect.completion is None
    assert effect.pilot is None
    plan = services.change_phase(plan=plan, actor=specialist, phase="do")
    assert plan_effect(plan).after == Span(TODAY, TODAY)
    assert plan_effect(plan).overall.n_after == 0  # no ticket yet today


def test_a_window_without_tickets_is_no_data_not_zero(specialist, db):
    plan = make_plan(specialist, baseline_start=days(-60), baseline_end=days(-31))
    effect = plan_effect(plan)
    assert (effect.overall.before_value, effect.overall.n_before) == (None, 0)


def test_a_mean_metric_uses_welch_on_the_handling_times(specialist, agent, working_hours):
    def resolved_after(offset: int, minutes: int) -> None:
        working_hours.move_to(at(offset))
        ticket = make_ticket(agent)
        working_hours.move_to(at(offset) + timedelta(minutes=minutes))
        tickets.transition_ticket(ticket=ticket, to="resolved", actor=agent, resolution="Done")

    for minutes in (60, 120, 180):
        resolved_after(-40, minutes)
    for minutes in (30, 60, 90):
        resolved_after(-5, minutes)
    working_hours.move_to(WEDNESDAY_MORNING)
    analytics.rebuild()
    plan = make_plan(
        specialist,
        metric="handling_wall_mean",
        target=45.0,
        baseline_start=days(-60),
        baseline_end=days(-31),
        after_start=days(-10),
    )
    overall = plan_effect(plan).overall
    assert overall.method is stats.Method.WELCH
    assert (overall.before_value, overall.after_value) == (120.0, 60.0)
    reference = stats.compare(
        stats.Sample.build([60, 120, 180]), stats.Sample.build([30, 60, 90]), "mean"
    )
    assert (overall.low, overall.high) == (
        pytest.approx(reference.low),
        pytest.approx(reference.high),
    )
    assert plan_effect(plan).completion == pytest.approx(60 / 75)


def test_the_chart_gives_weekly_points_whose_n_add_up(piloted_plan):
    data = chart_series(piloted_plan)
    assert data["windows"]["baseline"] == {
        "start": days(-60).isoformat(),
        "end": days(-31).isoformat(),
    }
    assert data["target"] == 20.0
    scope, pilot, rest = (data["series"][k] for k in ("scope", "pilot", "rest"))
    baseline_points = [p for p in scope if p["window"] == "baseline"]
    assert len(baseline_points) == 5  # 30 days: four weeks and two days
    assert sum(p["n"] for p in baseline_points) == 16
    assert sum(p["n"] for p in scope if p["window"] == "after") == 16
    for whole, part, others in zip(scope, pilot, rest, strict=True):
        assert whole["n"] == part["n"] + others["n"]
    empty = [p for p in scope if p["n"] == 0]
    assert empty
    assert all(p["value"] is None for p in empty)


def test_long_windows_get_longer_buckets():
    year = Span(days(-363), TODAY)  # 52 weeks: 26 fortnights
    cut = buckets(year)
    assert len(cut) == 26
    assert (cut[0].start, cut[-1].end) == (year.start, year.end)
    assert all(b.days == 14 for b in cut)
    longer = buckets(Span(days(-364), TODAY))  # a day more: 53 weeks, three-week buckets
    assert len(longer) <= 26
    assert all(b.days == 21 for b in longer[:-1])
    assert sum(b.days for b in longer) == 365
