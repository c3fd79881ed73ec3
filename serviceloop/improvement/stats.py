"""Has a change worked? Effect sizes with confidence intervals on weighted samples.

Pure numpy/scipy, no Django: every function takes samples given as distinct values with
how many units have each (`values`, `counts`), the shape `analytics.registry.sample`
returns, so that half a million tickets cost the size of their distinct values.

The method follows the statistic of the metric:

- ``mean``: Welch's t interval from the weighted sufficient statistics (n, mean, variance).
- ``rate``: Newcombe's hybrid score interval (from two Wilson intervals) for a difference
  of proportions; values are 0/1, the figure is in percent.
- ``median``, ``p90``, ``nps``: a percentile bootstrap, seeded so a page shows the same
  interval at every visit. Resampling n units from the empirical distribution is a
  multinomial draw of the counts over the distinct values. For the NPS (three distinct
  values) that draw is made as is, in chunks. For a quantile it would cost
  resamples × distinct values binomial draws (about 2 s for 2,000 × 10,000 here), so the
  same resample is drawn another way with the same distribution: the k-th smallest of n
  draws from the empirical distribution is F⁻¹(U₍ₖ₎), the inverse empirical CDF at the k-th
  order statistic of n uniforms, and U₍ₖ₎ ~ Beta(k, n − k + 1) (the next one is
  U₍ₖ₎ + (1 − U₍ₖ₎)·Beta(1, n − k)). That costs resamples × log(distinct values).

A side with fewer than `MIN_UNITS` units has a value (when it has any) but no interval: one
unit says nothing about spread, and an interval from it would look falsely certain.
"""

import math
import statistics
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

CONFIDENCE = 0.95
RESAMPLES = 2000
SEED = 20260518
MIN_UNITS = 2
# Cells (resamples × distinct values) drawn at once by a multinomial bootstrap.
CHUNK_CELLS = 1_000_000
# Price & Bonett (2004): for a contrast of m proportions add 2/m successes and 4/m trials
# to each; with the four of a difference in differences that is 0.5 and 1.
_DID_PSEUDO_SUCCESSES = 0.5
_DID_PSEUDO_TRIALS = 1.0


class Statistic(StrEnum):
    MEAN = "mean"
    MEDIAN = "median"
    P90 = "p90"
    RATE = "rate"
    NPS = "nps"


class Method(StrEnum):
    WELCH = "welch"
    NEWCOMBE = "newcombe"
    BOOTSTRAP = "bootstrap"
    NORMAL = "normal"  # a difference in differences of means or of rates


class Direction(StrEnum):
    """The same codes as analytics.registry.Direction."""

    LOWER_IS_BETTER = "lower"
    HIGHER_IS_BETTER = "higher"


QUANTILES = {Statistic.MEDIAN: 0.5, Statistic.P90: 0.9}


class Weighted(Protocol):
    """Anything with distinct `values` and their `counts` (analytics.registry.Sample)."""

    @property
    def values(self) -> FloatArray: ...

    @property
    def counts(self) -> IntArray: ...


@dataclass(frozen=True)
class Sample:
    """A weighted sample in normal form: values ascending and distinct, counts positive."""

    values: FloatArray
    counts: IntArray

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    @classmethod
    def of(cls, sample: Weighted | None) -> "Sample":
        if sample is None:
            return EMPTY
        return cls.build(sample.values, sample.counts)

    @classmethod
    def build(cls, values: npt.ArrayLike, counts: npt.ArrayLike | None = None) -> "Sample":
        """From values (one per unit when `counts` is None) and their counts, in any order,
        repeated or zero-counted; NaN values are left out."""
        raw = np.asarray(values, dtype=np.float64).ravel()
        weights = (
            np.ones(raw.shape, dtype=np.int64)
            if counts is None
            else np.asarray(counts, dtype=np.int64).ravel()
        )
        if raw.shape != weights.shape:
            raise ValueError("values and counts differ in length")
        if np.any(weights < 0):
            raise ValueError("negative count")
        keep = (weights > 0) & ~np.isnan(raw)
        distinct, inverse = np.unique(raw[keep], return_inverse=True)
        summed = np.bincount(inverse, weights=weights[keep], minlength=len(distinct))
        return cls(distinct, summed.astype(np.int64))


EMPTY = Sample(np.empty(0, dtype=np.float64), np.empty(0, dtype=np.int64))


@dataclass(frozen=True)
class Comparison:
    """After window against baseline window. `low`/`high` bound `change` (None: no
    interval, see `MIN_UNITS`); `relative_change` is a fraction of the baseline value."""

    statistic: Statistic
    before_value: float | None
    after_value: float | None
    change: float | None
    relative_change: float | None
    low: float | None
    high: float | None
    n_before: int
    n_after: int
    significant: bool
    method: Method
    confidence: float

    @property
    def has_data(self) -> bool:
        return self.change is not None

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


@dataclass(frozen=True)
class DifferenceInDifferences:
    """(pilot after − pilot before) − (rest after − rest before), with its interval."""

    statistic: Statistic
    estimate: float | None
    low: float | None
    high: float | None
    pilot_change: float | None
    rest_change: float | None
    n_pilot_before: int
    n_pilot_after: int
    n_rest_before: int
    n_rest_after: int
    significant: bool
    method: Method
    confidence: float

    @property
    def has_data(self) -> bool:
        return self.estimate is not None

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


# --- the statistic of one sample ------------------------------------------------------


def mean_of(sample: Sample) -> float | None:
    if sample.n == 0:
        return None
    return float(np.dot(sample.values, sample.counts) / sample.n)


def variance_of(sample: Sample) -> float | None:
    """The unbiased variance of the units (frequency weights); None below two units."""
    n = sample.n
    if n < 2:
        return None
    mean = np.dot(sample.values, sample.counts) / n
    return float(np.dot((sample.values - mean) ** 2, sample.counts) / (n - 1))


def quantile_of(sample: Sample, q: float) -> float | None:
    """The q-quantile of the units, interpolated linearly between order statistics (the
    same as numpy.quantile of the expanded sample)."""
    n = sample.n
    if n == 0:
        return None
    position = (n - 1) * q
    below = math.floor(position)
    fraction = position - below
    cumulative = np.cumsum(sample.counts)
    low = sample.values[np.searchsorted(cumulative, below + 1)]
    if fraction == 0:
        return float(low)
    high = sample.values[np.searchsorted(cumulative, below + 2)]
    return float(low + fraction * (high - low))


def value_of(sample: Weighted | None, statistic: Statistic | str) -> float | None:
    """The metric's figure: mean, median, p90, rate in percent, or NPS; None without data."""
    normal = Sample.of(sample)
    statistic = Statistic(statistic)
    if statistic in QUANTILES:
        return quantile_of(normal, QUANTILES[statistic])
    mean = mean_of(normal)
    if mean is None:
        return None
    return mean * 100 if statistic is Statistic.RATE else mean


# --- comparing two windows ------------------------------------------------------------


def compare(
    before: Weighted | None,
    after: Weighted | None,
    statistic: Statistic | str,
    *,
    confidence: float = CONFIDENCE,
    seed: int = SEED,
    resamples: int = RESAMPLES,
) -> Comparison:
    """The change of the statistic from `before` to `after` (after − before) with its
    `confidence` interval, by the method the statistic calls for (module docstring)."""
    statistic = Statistic(statistic)
    first, second = Sample.of(before), Sample.of(after)
    before_value, after_value = value_of(first, statistic), value_of(second, statistic)
    method = _method_for(statistic)
    change = relative = low = high = None
    if before_value is not None and after_value is not None:
        change = after_value - before_value
        relative = change / before_value if before_value != 0 else None
        if first.n >= MIN_UNITS and second.n >= MIN_UNITS:
            if method is Method.WELCH:
                low, high = _welch(first, second, confidence)
            elif method is Method.NEWCOMBE:
                low, high = _newcombe(first, second, confidence)
            else:
                rng = np.random.default_rng(seed)
                draws = _bootstrap(second, statistic, rng, resamples) - _bootstrap(
                    first, statistic, rng, resamples
                )
                low, high = _percentile_interval(draws, confidence)
    return Comparison(
        statistic=statistic,
        before_value=before_value,
        after_value=after_value,
        change=change,
        relative_change=relative,
        low=low,
        high=high,
        n_before=first.n,
        n_after=second.n,
        significant=_excludes_zero(low, high),
        method=method,
        confidence=confidence,
    )


def difference_in_differences(
    pilot_before: Weighted | None,
    pilot_after: Weighted | None,
    rest_before: Weighted | None,
    rest_after: Weighted | None,
    statistic: Statistic | str,
    *,
    confidence: float = CONFIDENCE,
    seed: int = SEED,
    resamples: int = RESAMPLES,
) -> DifferenceInDifferences:
    """The pilot's change less the rest's change over the same windows: a trend common to
    both (season, volume) cancels out. Means: normal approximation; rates: normal
    approximation on Price–Bonett adjusted proportions; quantiles and NPS: bootstrap of all
    four samples."""
    statistic = Statistic(statistic)
    samples = [Sample.of(s) for s in (pilot_before, pilot_after, rest_before, rest_after)]
    pb, pa, rb, ra = (value_of(s, statistic) for s in samples)
    pilot_change = pa - pb if pa is not None and pb is not None else None
    rest_change = ra - rb if ra is not None and rb is not None else None
    estimate = (
        pilot_change - rest_change if pilot_change is not None and rest_change is not None else None
    )
    method = Method.BOOTSTRAP if _method_for(statistic) is Method.BOOTSTRAP else Method.NORMAL
    low = high = None
    if estimate is not None and all(s.n >= MIN_UNITS for s in samples):
        signs = (-1.0, 1.0, 1.0, -1.0)  # pilot after − pilot before − rest after + rest before
        if method is Method.BOOTSTRAP:
            rng = np.random.default_rng(seed)
            draws = np.zeros(resamples)
            for sign, sample in zip(signs, samples, strict=True):
                draws += sign * _bootstrap(sample, statistic, rng, resamples)
            low, high = _percentile_interval(draws, confidence)
        elif statistic is Statistic.RATE:
            low, high = _did_rates(samples, signs, confidence)
        else:
            spread = math.sqrt(sum(_var(s) / s.n for s in samples))
            z = _z(confidence)
            low, high = estimate - z * spread, estimate + z * spread
    return DifferenceInDifferences(
        statistic=statistic,
        estimate=estimate,
        low=low,
        high=high,
        pilot_change=pilot_change,
        rest_change=rest_change,
        n_pilot_before=samples[0].n,
        n_pilot_after=samples[1].n,
        n_rest_before=samples[2].n,
        n_rest_after=samples[3].n,
        significant=_excludes_zero(low, high),
        method=method,
        confidence=confidence,
    )


def target_completion(
    baseline: float | None,
    after: float | None,
    target: float | None,
    direction: Direction | str,
) -> float | None:
    """How much of the way from baseline to target the after value went, as a fraction
    (1.0 = target met exactly; over 1 allowed; negative when it went the wrong way).

    Lower is better: (baseline − after) / (baseline − target); higher is better, mirrored:
    (after − baseline) / (target − baseline). None when a value is missing or the target is
    the baseline itself (no way to go)."""
    if baseline is None or after is None or target is None or baseline == target:
        return None
    if Direction(direction) is Direction.LOWER_IS_BETTER:
        return (baseline - after) / (baseline - target)
    return (after - baseline) / (target - baseline)


# --- the methods ----------------------------------------------------------------------


def _method_for(statistic: Statistic) -> Method:
    if statistic is Statistic.MEAN:
        return Method.WELCH
    if statistic is Statistic.RATE:
        return Method.NEWCOMBE
    return Method.BOOTSTRAP


def _z(confidence: float) -> float:
    return statistics.NormalDist().inv_cdf(0.5 + confidence / 2)


def _var(sample: Sample) -> float:
    variance = variance_of(sample)
    assert variance is not None
    return variance


def _excludes_zero(low: float | None, high: float | None) -> bool:
    return low is not None and high is not None and (low > 0 or high < 0)


def _welch(first: Sample, second: Sample, confidence: float) -> tuple[float, float]:
    m1, m2 = mean_of(first), mean_of(second)
    assert m1 is not None
    assert m2 is not None
    a, b = _var(first) / first.n, _var(second) / second.n
    change = m2 - m1
    spread = math.sqrt(a + b)
    if spread == 0:  # no variation on either side: the difference is exact
        return change, change
    df = (a + b) ** 2 / (a**2 / (first.n - 1) + b**2 / (second.n - 1))
    # Imported here: scipy adds ~35 MB to every web worker, and only a mean's effect needs it.
    from scipy.special import stdtrit  # the t quantile

    t = float(stdtrit(df, 0.5 + confidence / 2))
    return change - t * spread, change + t * spread


def _wilson(successes: float, n: int, z: float) -> tuple[float, float]:
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def _newcombe(first: Sample, second: Sample, confidence: float) -> tuple[float, float]:
    """Newcombe (1998), method 10; the bounds in percentage points."""
    z = _z(confidence)
    x1, x2 = float(np.dot(first.values, first.counts)), float(np.dot(second.values, second.counts))
    p1, p2 = x1 / first.n, x2 / second.n
    l1, u1 = _wilson(x1, first.n, z)
    l2, u2 = _wilson(x2, second.n, z)
    change = p2 - p1
    low = change - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = change + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return low * 100, high * 100


def _did_rates(
    samples: list[Sample], signs: tuple[float, ...], confidence: float
) -> tuple[float, float]:
    centre = variance = 0.0
    for sign, sample in zip(signs, samples, strict=True):
        successes = float(np.dot(sample.values, sample.counts))
        trials = sample.n + _DID_PSEUDO_TRIALS
        p = (successes + _DID_PSEUDO_SUCCESSES) / trials
        centre += sign * p
        variance += p * (1 - p) / trials
    half = _z(confidence) * math.sqrt(variance)
    return (centre - half) * 100, (centre + half) * 100


def _percentile_interval(draws: FloatArray, confidence: float) -> tuple[float, float]:
    alpha = 1 - confidence
    low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def _bootstrap(
    sample: Sample, statistic: Statistic, rng: np.random.Generator, resamples: int
) -> FloatArray:
    """The statistic of `resamples` bootstrap resamples of `sample` (n ≥ 1)."""
    if statistic in QUANTILES:
        return _bootstrap_quantile(sample, QUANTILES[statistic], rng, resamples)
    means = _bootstrap_means(sample, rng, resamples)
    return means * 100 if statistic is Statistic.RATE else means


def _bootstrap_means(sample: Sample, rng: np.random.Generator, resamples: int) -> FloatArray:
    """Multinomial resampling of the counts, `CHUNK_CELLS` cells at a time."""
    n, k = sample.n, len(sample.values)
    probabilities = sample.counts / n
    chunk = max(1, CHUNK_CELLS // max(k, 1))
    means = np.empty(resamples)
    for start in range(0, resamples, chunk):
        size = min(chunk, resamples - start)
        drawn = rng.multinomial(n, probabilities, size=size)
        means[start : start + size] = drawn @ sample.values / n
    return means


def _bootstrap_quantile(
    sample: Sample, q: float, rng: np.random.Generator, resamples: int
) -> FloatArray:
    """The q-quantile (linear interpolation, as `quantile_of`) of each resample, drawn
    through the order statistics of uniforms (module docstring)."""
    n = sample.n
    position = (n - 1) * q
    below = math.floor(position)
    fraction = position - below
    k = below + 1  # the 1-based rank of the lower order statistic
    cdf = np.cumsum(sample.counts) / n

    def inverse(u: FloatArray) -> FloatArray:  # the smallest value whose CDF reaches u
        return sample.values[np.minimum(np.searchsorted(cdf, u, side="left"), len(cdf) - 1)]

    lower = rng.beta(k, n - k + 1, size=resamples)
    result = inverse(lower)
    if fraction > 0:
        upper = lower + (1 - lower) * rng.beta(1, n - k, size=resamples)
        result = result + fraction * (inverse(upper) - result)
    return result
