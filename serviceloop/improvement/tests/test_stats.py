"""The statistics of plan effects, on synthetic data with known truths (no database)."""

import math

import numpy as np
import pytest
from scipy import stats as sps

from serviceloop.improvement import stats
from serviceloop.improvement.stats import Sample, compare, difference_in_differences

SIMULATIONS = 200
MU, SIGMA = math.log(240), 0.8  # handling times around 4 hours, log-normal


def handling_times(rng: np.random.Generator, n: int, factor: float = 1.0) -> Sample:
    """n handling times in minutes, whole minutes as the registry gives them."""
    return Sample.build(np.round(rng.lognormal(MU, SIGMA, size=n) * factor))


def true_value(statistic: str) -> float:
    """The statistic of the unscaled log-normal population (a factor scales it)."""
    if statistic == "mean":
        return math.exp(MU + SIGMA**2 / 2)
    q = {"median": 0.5, "p90": 0.9}[statistic]
    return math.exp(MU + SIGMA * float(sps.norm.ppf(q)))


def covers(low: float | None, high: float | None, truth: float) -> bool:
    assert low is not None
    assert high is not None
    return low <= truth <= high


# --- a known effect: handling times 20 % shorter --------------------------------------


@pytest.mark.parametrize(("statistic", "n"), [("mean", 1500), ("median", 1500), ("p90", 3000)])
def test_it_finds_a_20_percent_cut_and_its_interval_covers_the_truth(statistic, n):
    rng = np.random.default_rng(1)
    truth = -0.2 * true_value(statistic)
    covered = significant = 0
    for _ in range(SIMULATIONS):
        before, after = handling_times(rng, n), handling_times(rng, n, factor=0.8)
        result = compare(before, after, statistic)
        covered += covers(result.low, result.high, truth)
        significant += result.significant
    # rounding to whole minutes moves the truth by less than a minute: negligible here
    assert covered / SIMULATIONS >= 0.90
    assert significant / SIMULATIONS >= 0.90


@pytest.mark.parametrize(("statistic", "n"), [("mean", 400), ("median", 400), ("p90", 400)])
def test_it_rarely_calls_no_effect_significant(statistic, n):
    rng = np.random.default_rng(2)
    significant = sum(
        compare(handling_times(rng, n), handling_times(rng, n), statistic).significant
        for _ in range(SIMULATIONS)
    )
    assert significant / SIMULATIONS <= 0.10


def rates(rng: np.random.Generator, n: int, p: float) -> Sample:
    return Sample.build(rng.binomial(1, p, size=n))


def test_it_finds_a_rate_going_up_10_points_with_newcombe():
    rng = np.random.default_rng(3)
    covered = significant = 0
    for _ in range(SIMULATIONS):
        result = compare(rates(rng, 800, 0.55), rates(rng, 800, 0.65), "rate")
        assert result.method is stats.Method.NEWCOMBE
        covered += covers(result.low, result.high, 10.0)
        significant += result.significant
    assert covered / SIMULATIONS >= 0.90
    assert significant / SIMULATIONS >= 0.90


def test_a_rate_without_change_is_rarely_significant():
    rng = np.random.default_rng(4)
    significant = sum(
        compare(rates(rng, 300, 0.2), rates(rng, 300, 0.2), "rate").significant
        for _ in range(SIMULATIONS)
    )
    assert significant / SIMULATIONS <= 0.10


NPS_VALUES = np.array([-100.0, 0.0, 100.0])


def nps_answers(rng: np.random.Generator, n: int, shares: tuple[float, float, float]) -> Sample:
    return Sample(NPS_VALUES, rng.multinomial(n, shares).astype(np.int64))


def test_it_finds_an_nps_rise_by_bootstrap():
    rng = np.random.default_rng(5)
    truth = (0.45 - 0.15) * 100 - (0.35 - 0.25) * 100  # +20 points
    covered = significant = 0
    for _ in range(SIMULATIONS):
        before = nps_answers(rng, 600, (0.25, 0.40, 0.35))
        after = nps_answers(rng, 600, (0.15, 0.40, 0.45))
        result = compare(before, after, "nps")
        assert result.method is stats.Method.BOOTSTRAP
        covered += covers(result.low, result.high, truth)
        significant += result.significant
    assert covered / SIMULATIONS >= 0.90
    assert significant / SIMULATIONS >= 0.90


# --- against published and independent computations -----------------------------------


def test_newcombe_matches_the_published_example():
    """Newcombe (1998), Stat Med 17:873, table II, example (a): 56/70 − 48/80 = 0.2, method 10
    gives 0.0524 to 0.3339."""
    before = Sample.build([1, 0], [48, 32])
    after = Sample.build([1, 0], [56, 14])
    result = compare(before, after, "rate")
    assert result.change == pytest.approx(20.0)
    assert result.low == pytest.approx(5.24, abs=0.01)
    assert result.high == pytest.approx(33.39, abs=0.01)


def test_welch_matches_scipy_on_the_expanded_sample():
    rng = np.random.default_rng(6)
    before = rng.integers(10, 60, size=90).astype(float)
    after = rng.integers(5, 80, size=70).astype(float)
    result = compare(Sample.build(before), Sample.build(after), "mean")
    reference = sps.ttest_ind(after, before, equal_var=False).confidence_interval(0.95)
    assert result.method is stats.Method.WELCH
    assert result.low == pytest.approx(reference.low)
    assert result.high == pytest.approx(reference.high)


def test_quantiles_match_numpy_on_the_expanded_sample():
    rng = np.random.default_rng(7)
    for _ in range(100):
        units = rng.integers(0, 40, size=rng.integers(1, 60)).astype(float)
        sample = Sample.build(units)
        for statistic, q in (("median", 0.5), ("p90", 0.9)):
            assert stats.value_of(sample, statistic) == pytest.approx(np.quantile(units, q))


def test_the_order_statistic_bootstrap_draws_what_resampling_draws():
    """The quantile bootstrap draws F⁻¹ of uniform order statistics instead of resampling
    the counts: both must give the same distribution of the resampled quantile."""
    rng = np.random.default_rng(8)
    units = np.round(rng.lognormal(MU, SIGMA, size=301))
    sample = Sample.build(units)
    shortcut = stats._bootstrap(sample, stats.Statistic.P90, np.random.default_rng(9), 20_000)
    resampled = np.quantile(rng.choice(units, size=(20_000, units.size)), 0.9, axis=1)
    for q in (0.025, 0.25, 0.5, 0.75, 0.975):
        assert np.quantile(shortcut, q) == pytest.approx(np.quantile(resampled, q), rel=0.02)


def test_the_bootstrap_is_reproducible_with_its_seed():
    rng = np.random.default_rng(10)
    before, after = handling_times(rng, 500), handling_times(rng, 500, 0.9)
    first, again = compare(before, after, "median"), compare(before, after, "median")
    assert (first.low, first.high) == (again.low, again.high)
    other = compare(before, after, "median", seed=stats.SEED + 1)
    assert (other.low, other.high) != (first.low, first.high)


# --- edge cases -------------------------------------------------------------------------

ALL = ["mean", "median", "p90", "rate", "nps"]


@pytest.mark.parametrize("statistic", ALL)
def test_no_data_gives_no_value_and_no_interval(statistic):
    result = compare(stats.EMPTY, None, statistic)
    assert result.before_value is None
    assert result.after_value is None
    assert result.change is None
    assert (result.low, result.high) == (None, None)
    assert not result.significant
    assert (result.n_before, result.n_after) == (0, 0)
    assert not result.has_data


@pytest.mark.parametrize("statistic", ALL)
def test_one_side_empty_gives_that_value_only(statistic):
    before = Sample.build([1.0, 0.0, 1.0] if statistic == "rate" else [100.0, 0.0, 100.0])
    result = compare(before, stats.EMPTY, statistic)
    assert result.before_value is not None
    assert result.after_value is None
    assert result.change is None
    assert not result.significant
    assert (result.n_before, result.n_after) == (3, 0)


@pytest.mark.parametrize("statistic", ALL)
def test_one_unit_a_side_gives_a_change_but_no_interval(statistic):
    result = compare(Sample.build([0.0]), Sample.build([1.0]), statistic)
    assert result.change == pytest.approx(100.0 if statistic == "rate" else 1.0)
    assert (result.low, result.high) == (None, None)
    assert not result.significant
    assert (result.n_before, result.n_after) == (1, 1)


def test_identical_constant_samples_are_no_change():
    same = Sample.build([30.0], [50])
    for statistic in ("mean", "median", "p90"):
        result = compare(same, same, statistic)
        assert result.change == 0
        assert not result.significant


def test_relative_change_is_none_from_a_zero_baseline():
    result = compare(Sample.build([0, 0, 0]), Sample.build([0, 1, 1]), "rate")
    assert result.before_value == 0
    assert result.relative_change is None
    assert result.change == pytest.approx(200 / 3)


def test_samples_in_any_order_with_repeats_and_zero_counts_are_normalised():
    sample = Sample.build([5.0, 3.0, 5.0, 9.0], [2, 1, 3, 0])
    assert sample.values.tolist() == [3.0, 5.0]
    assert sample.counts.tolist() == [1, 5]
    assert sample.n == 6


# --- difference in differences -----------------------------------------------------------


@pytest.mark.parametrize("statistic", ["mean", "median"])
def test_did_recovers_the_pilot_effect_and_removes_a_common_trend(statistic):
    """Everything gets 10 % slower (season); the pilot, besides, 20 % faster."""
    rng = np.random.default_rng(11)
    base = true_value(statistic)
    truth = base * (1.1 * 0.8 - 1) - base * (1.1 - 1)
    covered = significant = 0
    naive_changes = []
    for _ in range(100):
        pb, pa = handling_times(rng, 1500), handling_times(rng, 1500, 1.1 * 0.8)
        rb, ra = handling_times(rng, 3000), handling_times(rng, 3000, 1.1)
        result = difference_in_differences(pb, pa, rb, ra, statistic)
        covered += covers(result.low, result.high, truth)
        significant += result.significant
        naive_changes.append(result.pilot_change)
        assert (result.n_pilot_before, result.n_rest_after) == (1500, 3000)
    assert covered / 100 >= 0.90
    assert significant / 100 >= 0.90
    # the plain before/after change of the pilot is off by the trend
    assert np.mean(naive_changes) == pytest.approx(base * (1.1 * 0.8 - 1), rel=0.15)
    assert abs(np.mean(naive_changes) - truth) > 0.05 * base


def test_did_of_a_trend_alone_is_rarely_significant():
    rng = np.random.default_rng(12)
    significant = plain = 0
    for _ in range(100):
        pb, pa = handling_times(rng, 1500), handling_times(rng, 1500, 1.15)
        rb, ra = handling_times(rng, 1500), handling_times(rng, 1500, 1.15)
        significant += difference_in_differences(pb, pa, rb, ra, "median").significant
        plain += compare(pb, pa, "median").significant
    assert significant / 100 <= 0.10
    assert plain / 100 >= 0.80  # the trend alone would look like an effect


def test_did_of_rates_covers_the_truth():
    rng = np.random.default_rng(13)
    covered = 0
    for _ in range(SIMULATIONS):
        result = difference_in_differences(
            rates(rng, 500, 0.30), rates(rng, 500, 0.45), rates(rng, 900, 0.30),
            rates(rng, 900, 0.35), "rate",
        )  # fmt: skip
        assert result.method is stats.Method.NORMAL
        covered += covers(result.low, result.high, 10.0)
    assert covered / SIMULATIONS >= 0.90


def test_did_without_data_on_one_side_has_no_estimate():
    rng = np.random.default_rng(14)
    some = handling_times(rng, 50)
    result = difference_in_differences(some, some, some, stats.EMPTY, "median")
    assert result.pilot_change == 0
    assert result.rest_change is None
    assert result.estimate is None
    assert (result.low, result.high) == (None, None)
    assert not result.significant
    assert result.n_rest_after == 0


# --- target completion ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "after", "target", "direction", "expected"),
    [
        (100, 90, 80, "lower", 0.5),
        (100, 80, 80, "lower", 1.0),
        (100, 70, 80, "lower", 1.5),  # beyond the target: over 100 %
        (100, 110, 80, "lower", -0.5),  # the wrong way
        (60, 70, 80, "higher", 0.5),  # mirrored
        (60, 90, 80, "higher", 1.5),
        (60, 50, 80, "higher", -0.5),
    ],
)
def test_target_completion(baseline, after, target, direction, expected):
    assert stats.target_completion(baseline, after, target, direction) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("baseline", "after", "target"), [(80, 70, 80), (None, 70, 60), (80, None, 60), (80, 70, None)]
)
def test_target_completion_is_none_without_a_way_to_go(baseline, after, target):
    assert stats.target_completion(baseline, after, target, "lower") is None
