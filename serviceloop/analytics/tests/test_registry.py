"""Every metric of the registry against the hand-computed week of conftest.py."""

from datetime import date

import numpy as np
import pytest

from serviceloop.analytics import queries, registry
from serviceloop.analytics.measures import quantile
from serviceloop.analytics.models import DailyRollup, TicketFact
from serviceloop.analytics.queries import Visibility
from serviceloop.analytics.scope import Scope, Window

WEEK = Window(date(2026, 11, 16), date(2026, 11, 22))
EVERYONE = Visibility(teams=None)


ALL = Scope()


def tile_values(scope: Scope = ALL, window: Window = WEEK) -> dict[str, float | None]:
    board = queries.dashboard(scope, window, EVERYONE)
    return {tile.metric.key: tile.value for tile in board.tiles}


def test_each_metric_matches_the_hand_computed_week(week):
    values = tile_values()
    assert values["tickets"] == 4
    assert values["backlog"] == 1  # D
    assert values["first_response_median"] == 30  # of 10, 30, 120
    assert values["first_response_p90"] == pytest.approx(102)  # 30 + 0.8 * (120 - 30)
    assert values["first_response_wall_mean"] == pytest.approx((30 + 1020 + 10) / 3)
    assert values["handling_median"] == 120  # of 60, 120, 330
    assert values["handling_p90"] == pytest.approx(120 + 0.8 * 210)
    assert values["handling_wall_mean"] == pytest.approx((120 + 1320 + 60) / 3)
    assert values["fcr_rate"] == pytest.approx(100 / 3)  # A only: B had 2 responses, C reopened
    assert values["complaint_rate"] == 50
    assert values["repeat_complaint_rate"] == 50  # C repeats A
    assert values["reopen_rate"] == 25
    assert values["escalation_rate"] == 0


def test_facts_hold_business_and_wall_time_across_a_night(week):
    b = TicketFact.objects.get(ticket_id=week.b.pk)
    assert b.first_response_business == pytest.approx(120)
    assert b.first_response_wall == pytest.approx(1020)
    assert b.handling_business == pytest.approx(330)  # over the lunch break
    assert b.handling_wall == pytest.approx(1320)
    c = TicketFact.objects.get(ticket_id=week.c.pk)
    assert c.handling_business == pytest.approx(60)  # to the last resolution
    assert (c.reopened, c.fcr, c.repeat_complaints) == (1, 0, 1)


def test_sla_compliance_counts_decided_targets_only(week):
    # the "general" policy (72 h first response, 7 days resolution, calendar time): A, B and C
    # met both; D's first response is still running, so it is not counted either way
    board = queries.dashboard(ALL, WEEK, EVERYONE)
    tiles = {tile.metric.key: tile for tile in board.tiles}
    assert (tiles["first_response_sla"].value, tiles["first_response_sla"].n) == (100, 3)
    assert (tiles["resolution_sla"].value, tiles["resolution_sla"].n) == (100, 3)


def test_rates_without_a_base_are_no_data_not_zero(week):
    values = tile_values()
    # no survey sent, no NPS answer: nothing to divide by
    for key in ("csat_mean", "csat_top", "csat_response_rate", "nps"):
        assert values[key] is None, key


def test_an_empty_period_shows_no_data(week):
    values = tile_values(window=Window(date(2025, 1, 1), date(2025, 1, 31)))
    assert values["tickets"] == 0
    assert values["handling_median"] is None
    assert values["fcr_rate"] is None
    assert values["complaint_rate"] is None


def test_the_previous_period_is_compared(week):
    board = queries.dashboard(Scope(), Window(date(2026, 11, 23), date(2026, 11, 29)), EVERYONE)
    tickets = next(t for t in board.tiles if t.metric.key == "tickets")
    assert (tickets.value, tickets.previous, tickets.change) == (0, 4, -4)


def test_a_filter_narrows_every_figure(week):
    values = tile_values(Scope(channels=("phone",)))
    assert values["tickets"] == 2
    assert values["complaint_rate"] == 100
    assert values["handling_median"] == 90  # of 60 and 120


def test_rollups_give_the_same_sums_as_the_facts(week):
    rolled = queries.rollup_sums(Scope(), WEEK)[0]
    assert rolled["tickets"] == TicketFact.objects.count() == 4
    assert rolled["resolved"] == 3
    assert DailyRollup.objects.filter(day=date(2026, 11, 20)).count() == 2  # web and phone


def test_the_histogram_quantile_interpolates_in_its_bucket():
    # three values in the buckets (5, 15] (15, 30] (60, 120]
    counts = [0, 1, 1, 0, 1] + [0] * 15
    assert quantile(counts, 0.5) == pytest.approx(15 + 15 * 0.5)
    assert quantile([0] * 20, 0.5) is None


def test_the_weighted_sample_of_a_plan_metric(week):
    found = registry.sample("handling_median", Scope(), WEEK.start, WEEK.end)
    assert sorted(zip(found.values.tolist(), found.counts.tolist(), strict=True)) == [
        (60, 1), (120, 1), (330, 1),
    ]  # fmt: skip
    assert registry.METRICS["handling_median"].value(found) == 120
    rate = registry.sample("fcr_rate", Scope(), WEEK.start, WEEK.end)
    assert registry.METRICS["fcr_rate"].value(rate) == pytest.approx(100 / 3)


def test_weighted_quantiles_agree_with_numpy():
    rng = np.random.default_rng(5)
    raw = rng.integers(0, 50, size=301).astype(float)
    values, counts = np.unique(raw, return_counts=True)
    for q in (0.5, 0.9):
        assert registry.weighted_quantile(values, counts, q) == pytest.approx(np.quantile(raw, q))


def test_an_unknown_metric_is_refused():
    with pytest.raises(registry.DomainError):
        registry.metric("happiness")


def test_trend_points_carry_exact_daily_medians(week):
    board = queries.dashboard(ALL, WEEK, EVERYONE)
    by_day = {point.start: point for point in board.trend}
    assert len(board.trend) == 7  # every day, with or without tickets
    handling = registry.METRICS["handling_median"]
    assert by_day[date(2026, 11, 18)].value(handling) == 225  # A and B: (120 + 330) / 2
    assert by_day[date(2026, 11, 19)].value(handling) is None  # nothing created that day
    assert by_day[date(2026, 11, 20)].value(handling) == 60  # C (D is open)
    assert by_day[date(2026, 11, 18)].sums["tickets"] == 2


def test_the_backlog_now_and_at_a_past_end_agree(week):
    # today: the open tickets of the rollups; a past end: counted in the facts
    today = queries.timezone.localdate(queries.clock.now())
    assert queries.backlog(ALL, today) == 1  # D
    assert queries.backlog(ALL, date(2026, 11, 22)) == 1
    assert queries.backlog(ALL, date(2026, 11, 18)) == 1  # A resolved, B still open that day
    assert queries.backlog(Scope(channels=("phone",)), today) == 0


def test_agent_lines_agree_whichever_rollup_answers(week):
    def lines(scope: Scope) -> dict:
        return {r.key: r.sums["tickets"] for r in queries.agent_rows(scope, WEEK, EVERYONE)}

    def counted(**filters) -> dict:
        found: dict = {}
        for assignee in TicketFact.objects.filter(**filters).values_list("assignee_id", flat=True):
            found[assignee] = found.get(assignee, 0) + 1
        return found

    assert lines(ALL) == counted()  # the agent rollup
    assert lines(Scope(kinds=("complaint",))) == counted(kind="complaint")  # by kind
    both = Scope(kinds=("complaint",), channels=("phone",))  # only the facts keep both
    assert lines(both) == counted(kind="complaint", channel="phone")
    assert sum(lines(Scope(kinds=("complaint",))).values()) == 2
