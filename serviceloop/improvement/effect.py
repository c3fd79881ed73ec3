"""The measured effect of a plan, computed from the tickets whenever it is asked for.

The goal metric over the plan's scope is compared between the baseline window and the after
window (tickets created in each, followed to their end), with a 95 % interval and both n.
With a pilot, the pilot's part of the scope is compared with the rest of the scope over the
same windows (difference in differences). The rest is the scope's sample less the pilot's
(both weighted samples of the same units), so no filter needs a "not".
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.utils import timezone

from serviceloop.analytics import registry
from serviceloop.analytics.scope import Scope
from serviceloop.core import clock

from . import stats
from .models import ImprovementPlan
from .scopes import intersect

MAX_POINTS = 26  # chart points per window; longer windows get longer buckets


@dataclass(frozen=True)
class Span:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class PilotEffect:
    pilot: stats.Comparison  # the pilot's part of the scope, after vs baseline
    rest: stats.Comparison  # the rest of the scope, after vs baseline
    did: stats.DifferenceInDifferences


@dataclass(frozen=True)
class PlanEffect:
    metric: registry.Metric
    baseline: Span
    after: Span | None  # None: the change has not started (no Do phase, no pilot start)
    overall: stats.Comparison
    target: float
    completion: float | None  # fraction; 1.0 = target met
    pilot: PilotEffect | None

    @property
    def has_after(self) -> bool:
        return self.after is not None


def _today() -> date:
    return timezone.localdate(clock.now())


def _empty(statistic: str) -> registry.Sample:
    return registry.Sample(np.empty(0), np.empty(0, dtype=np.int64), statistic)


def _sample(metric: registry.Metric, scope: Scope | None, span: Span | None) -> registry.Sample:
    if scope is None or span is None:
        return _empty(metric.statistic)
    return registry.sample(metric.key, scope, span.start, span.end)


def subtract(whole: registry.Sample, part: registry.Sample) -> registry.Sample:
    """The units of `whole` that are not in `part` (part ⊆ whole), as a weighted sample.
    Counts are clipped at 0: the two reads may straddle a refresh of the facts."""
    if part.n == 0:
        return whole
    values = np.union1d(whole.values, part.values)
    counts = np.zeros(len(values), dtype=np.int64)
    counts[np.searchsorted(values, whole.values)] += whole.counts
    counts[np.searchsorted(values, part.values)] -= part.counts
    keep = counts > 0
    return registry.Sample(values[keep], counts[keep], whole.statistic)


def pilot_part(plan: ImprovementPlan) -> Scope | None:
    """The pilot's part of the plan's scope (None: no pilot, or it covers no ticket)."""
    if not plan.has_pilot:
        return None
    return intersect(plan.scope_value, plan.pilot_value)


def plan_effect(plan: ImprovementPlan, *, today: date | None = None) -> PlanEffect:
    """The plan's effect now (see the module docstring); raises DomainError when the goal
    metric is no longer known."""
    metric = registry.metric(plan.metric)
    statistic = metric.statistic
    baseline = Span(plan.baseline_start, plan.baseline_end)
    window = plan.after_window(today or _today())
    after = Span(*window) if window else None
    scope = plan.scope_value
    base_all, after_all = _sample(metric, scope, baseline), _sample(metric, scope, after)
    overall = stats.compare(base_all, after_all, statistic)
    completion = stats.target_completion(
        overall.before_value, overall.after_value, plan.target, metric.direction
    )
    pilot = None
    if plan.has_pilot:
        part = pilot_part(plan)
        base_pilot, after_pilot = _sample(metric, part, baseline), _sample(metric, part, after)
        base_rest, after_rest = subtract(base_all, base_pilot), subtract(after_all, after_pilot)
        pilot = PilotEffect(
            pilot=stats.compare(base_pilot, after_pilot, statistic),
            rest=stats.compare(base_rest, after_rest, statistic),
            did=stats.difference_in_differences(
                base_pilot, after_pilot, base_rest, after_rest, statistic
            ),
        )
    return PlanEffect(
        metric=metric,
        baseline=baseline,
        after=after,
        overall=overall,
        target=plan.target,
        completion=completion,
        pilot=pilot,
    )


# --- the before/after chart -----------------------------------------------------------


def buckets(span: Span, *, max_points: int = MAX_POINTS) -> list[Span]:
    """The window cut into weeks from its first day (the last one may be shorter); a
    window of more than `max_points` weeks is cut into runs of several weeks."""
    weeks = math.ceil(span.days / 7)
    length = 7 * math.ceil(weeks / max_points)
    result = []
    start = span.start
    while start <= span.end:
        end = min(start + timedelta(days=length - 1), span.end)
        result.append(Span(start, end))
        start = end + timedelta(days=1)
    return result


def _point(metric: registry.Metric, bucket: Span, sample: registry.Sample) -> dict[str, Any]:
    return {
        "start": bucket.start.isoformat(),
        "end": bucket.end.isoformat(),
        "value": metric.value(sample),
        "n": sample.n,
    }


def chart_series(plan: ImprovementPlan, *, today: date | None = None) -> dict[str, Any]:
    """The metric per week over the baseline and after windows, for the whole scope and,
    with a pilot, for the pilot and the rest: one or two queries per point."""
    metric = registry.metric(plan.metric)
    baseline = Span(plan.baseline_start, plan.baseline_end)
    window = plan.after_window(today or _today())
    spans = {"baseline": baseline, "after": Span(*window) if window else None}
    scope = plan.scope_value
    part = pilot_part(plan) if plan.has_pilot else None
    series: dict[str, list[dict[str, Any]]] = {"scope": []}
    if plan.has_pilot:
        series |= {"pilot": [], "rest": []}
    for name, span in spans.items():
        if span is None:
            continue
        for bucket in buckets(span):
            whole = _sample(metric, scope, bucket)
            series["scope"].append({"window": name, **_point(metric, bucket, whole)})
            if plan.has_pilot:
                piloted = _sample(metric, part, bucket)
                rest = subtract(whole, piloted)
                series["pilot"].append({"window": name, **_point(metric, bucket, piloted)})
                series["rest"].append({"window": name, **_point(metric, bucket, rest)})
    return {
        "metric": {"key": metric.key, "label": str(metric.label), "unit": metric.unit},
        "target": plan.target,
        "windows": {
            name: ({"start": s.start.isoformat(), "end": s.end.isoformat()} if s else None)
            for name, s in spans.items()
        },
        "series": series,
    }
