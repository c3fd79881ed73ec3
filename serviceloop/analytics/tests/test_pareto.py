"""The Pareto and the priority matrix as pure functions, against hand-computed values."""

import pytest

from serviceloop.analytics.queries import ImpactWeights, ParetoBar, pareto, priority_matrix


def sums(
    tickets: int, resolved: int, handling_hours: float, answered: int, score: int, complaints: int
) -> dict:
    return {
        "tickets": tickets,
        "resolved": resolved,
        "handling_business": handling_hours * 60 * resolved,
        "csat_answered": answered,
        "csat_score": score * answered,
        "complaints": complaints,
    }


def test_bars_are_sorted_with_cumulative_shares_and_the_vital_few():
    bars = pareto(
        [(1, "delay", 50, {}), (2, "lost", 30, {}), (3, "refund", 15, {}), (4, "faq", 5, {})]
    )
    assert [b.label for b in bars] == ["delay", "lost", "refund", "faq"]
    assert [b.share for b in bars] == [50, 30, 15, 5]
    assert [b.cumulative for b in bars] == [50, 80, 95, 100]
    # up to and including the bar that reaches 80 %
    assert [b.vital for b in bars] == [True, True, False, False]


def test_empty_categories_are_left_out_and_nothing_divides_by_zero():
    assert pareto([(1, "delay", 0, {})]) == []
    assert priority_matrix([], None, ImpactWeights()) == []


def test_the_matrix_mixes_handling_csat_drop_and_complaints():
    bars = [
        ParetoBar(1, "delay", 60, 60, 60, True, sums(60, 60, 10, 20, 2, 30)),
        ParetoBar(2, "refund", 30, 30, 90, False, sums(30, 30, 5, 10, 4, 3)),
        ParetoBar(3, "faq", 10, 10, 100, False, sums(10, 10, 1, 5, 5, 0)),
    ]
    points = {p.label: p for p in priority_matrix(bars, 3.0, ImpactWeights(0.4, 0.3, 0.3))}
    # delay: the longest handling (10 h), the largest CSAT drop (3 - 2), the largest
    # complaint share (50 %): impact 1
    assert points["delay"].impact == pytest.approx(1.0)
    # refund: 5/10 of the handling, no CSAT drop (4 > 3), complaint share 10 % / 50 %
    assert points["refund"].impact == pytest.approx(0.4 * 0.5 + 0.3 * 0 + 0.3 * 0.2)
    assert points["faq"].impact == pytest.approx(0.4 * 0.1)
    # median frequency 30, median impact 0.26: delay is frequent and serious
    assert points["delay"].quadrant == "fix_first"
    assert points["refund"].quadrant == "fix_first"  # at both medians
    assert points["faq"].quadrant == "later"
    assert points["delay"].handling_hours == pytest.approx(10)
    assert points["delay"].complaint_share == pytest.approx(50)
