"""The metric registry: every figure serviceloop reports, defined once (DESIGN.md "Metric
definitions"). The dashboard, the exports, the digests and the improvement plans all read
their figures through it.

A metric is one statistic of one measure of the facts (see measures.py):
- `count`: the sum of `measure` (tickets, backlog);
- `rate`: the share of units counted in `measure` among those counted in `base`, in %;
- `mean`: the sum of `measure` over the count of `base`;
- `median` / `p90`: of `measure` over the units counted in `base` (dashboard: interpolated in
  the duration histogram; plans: exact at minute resolution);
- `nps`: % promoters (9-10) − % detractors (0-6) of the NPS answers.

Tickets belong to a window by their local creation day, so a plan's baseline and after
windows compare cohorts of tickets, each followed to its end.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db.models import Count, F, Func, Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from serviceloop.core.errors import DomainError
from serviceloop.satisfaction.models import NpsResponse
from serviceloop.tickets.models import Category

from .measures import quantile
from .models import TicketFact
from .scope import Scope, Window


class Direction(StrEnum):
    LOWER_IS_BETTER = "lower"
    HIGHER_IS_BETTER = "higher"


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    MINUTES = "minutes"
    SCORE = "score"
    NPS = "nps"


@dataclass(frozen=True)
class Metric:
    key: str
    label: Promise
    help: Promise
    statistic: str  # count | rate | mean | median | p90 | nps
    unit: Unit
    direction: Direction
    measure: str = ""
    base: str = "tickets"
    plannable: bool = True

    def value(self, sample: "Sample") -> float | None:
        """The metric over a weighted sample of its units (None without data)."""
        if sample.n == 0:
            return None
        values, counts = sample.values, sample.counts
        if self.statistic in ("mean", "nps"):
            return float(np.dot(values, counts) / sample.n)
        if self.statistic == "rate":
            return float(np.dot(values, counts) / sample.n * 100)
        q = 0.5 if self.statistic == "median" else 0.9
        return weighted_quantile(values, counts, q)

    def from_sums(self, sums: Mapping[str, float], histogram: Sequence[int] = ()) -> float | None:
        """The metric over rolled-up sums (None when nothing was counted)."""
        if self.statistic == "count":
            return float(sums.get(self.measure, 0) or 0)
        base = sums.get(self.base, 0) or 0
        if not base:
            return None
        if self.statistic == "rate":
            return (sums.get(self.measure, 0) or 0) / base * 100
        if self.statistic == "mean":
            return (sums.get(self.measure, 0) or 0) / base
        if self.statistic in ("median", "p90"):
            return quantile(histogram, 0.5 if self.statistic == "median" else 0.9)
        raise ValueError(f"{self.key}: {self.statistic} is not computed from sums")

    @property
    def histogram(self) -> str:
        return self.measure if self.statistic in ("median", "p90") else ""


@dataclass(frozen=True)
class Sample:
    """The values of a metric's units with how many units have each value."""

    values: np.ndarray
    counts: np.ndarray
    statistic: str

    @property
    def n(self) -> int:
        return int(self.counts.sum())


def weighted_quantile(values: np.ndarray, counts: np.ndarray, q: float) -> float | None:
    """The q-quantile of a weighted sample (the lower value at an exact split, averaged with
    the next one, as the usual median of an even count)."""
    total = int(counts.sum())
    if total == 0:
        return None
    order = np.argsort(values, kind="stable")
    ordered, cumulative = values[order], np.cumsum(counts[order])
    rank = q * (total - 1)  # 0-based position, linear interpolation between neighbours
    low_index = int(np.searchsorted(cumulative, np.floor(rank) + 1))
    high_index = int(np.searchsorted(cumulative, np.ceil(rank) + 1))
    low, high = float(ordered[low_index]), float(ordered[high_index])
    return float(low + (high - low) * (rank - np.floor(rank)))


LOWER, HIGHER = Direction.LOWER_IS_BETTER, Direction.HIGHER_IS_BETTER
_METRICS = [
    Metric("tickets", _("Tickets"), _("Tickets created in the period."),
       "count", Unit.COUNT, LOWER, "tickets", plannable=False),
    Metric("backlog", _("Backlog"), _("Tickets open at the end of the period."),
       "count", Unit.COUNT, LOWER, "backlog", plannable=False),
    Metric("first_response_median", _("First response time (median)"),
       _("Created to the first staff response, business time of the team's calendar."),
       "median", Unit.MINUTES, LOWER, "first_response_business", "responded"),
    Metric("first_response_p90", _("First response time (p90)"),
       _("90 % of first responses came sooner (business time)."),
       "p90", Unit.MINUTES, LOWER, "first_response_business", "responded"),
    Metric("first_response_wall_mean", _("First response time (mean, wall clock)"),
       _("Created to the first staff response, in calendar time."),
       "mean", Unit.MINUTES, LOWER, "first_response_wall", "responded"),
    Metric("handling_median", _("Handling time (median)"),
       _("Created to the last resolution, business time (resolved tickets)."),
       "median", Unit.MINUTES, LOWER, "handling_business", "resolved"),
    Metric("handling_p90", _("Handling time (p90)"),
       _("90 % of resolved tickets were resolved sooner (business time)."),
       "p90", Unit.MINUTES, LOWER, "handling_business", "resolved"),
    Metric("handling_wall_mean", _("Handling time (mean, wall clock)"),
       _("Created to the last resolution, in calendar time."),
       "mean", Unit.MINUTES, LOWER, "handling_wall", "resolved"),
    Metric("fcr_rate", _("First-contact resolution"),
       _("Resolved with exactly one staff response and never reopened, of resolved tickets."),
       "rate", Unit.PERCENT, HIGHER, "fcr", "resolved"),
    Metric("first_response_sla", _("First-response SLA met"),
       _("First-response targets met, of those decided."),
       "rate", Unit.PERCENT, HIGHER, "first_response_sla_met", "first_response_sla_decided"),
    Metric("resolution_sla", _("Resolution SLA met"),
       _("Resolution targets met, of those decided."),
       "rate", Unit.PERCENT, HIGHER, "resolution_sla_met", "resolution_sla_decided"),
    Metric("csat_mean", _("CSAT (mean)"), _("Mean of the 1-5 satisfaction ratings."),
       "mean", Unit.SCORE, HIGHER, "csat_score", "csat_answered"),
    Metric("csat_top", _("CSAT 4-5"), _("Share of ratings that are 4 or 5."),
       "rate", Unit.PERCENT, HIGHER, "csat_top", "csat_answered"),
    Metric("csat_response_rate", _("CSAT response rate"),
       _("Satisfaction requests answered, of those sent."),
       "rate", Unit.PERCENT, HIGHER, "csat_answered", "csat_sent"),
    Metric("nps", _("NPS"), _("% promoters (9-10) minus % detractors (0-6) of the NPS answers."),
       "nps", Unit.NPS, HIGHER, "nps", "nps_answers"),
    Metric("complaint_rate", _("Complaint rate"), _("Complaints, of all tickets."),
       "rate", Unit.PERCENT, LOWER, "complaints", "tickets"),
    Metric("repeat_complaint_rate", _("Repeat complaint rate"),
       _("Complaints whose customer complained in the same category in the 30 days before."),
       "rate", Unit.PERCENT, LOWER, "repeat_complaints", "complaints"),
    Metric("reopen_rate", _("Reopen rate"), _("Tickets reopened at least once, of all tickets."),
       "rate", Unit.PERCENT, LOWER, "reopened", "tickets"),
    Metric("escalation_rate", _("Escalation rate"),
       _("Tickets escalated at least once, of all tickets."),
       "rate", Unit.PERCENT, LOWER, "escalated", "tickets"),
]  # fmt: skip
METRICS: dict[str, Metric] = {metric.key: metric for metric in _METRICS}


def metric(key: str) -> Metric:
    try:
        return METRICS[key]
    except KeyError:
        raise DomainError(_("Unknown metric."), field="metric", code="unknown_metric") from None


def plannable() -> list[Metric]:
    return [m for m in METRICS.values() if m.plannable]


# -- reading the facts ---------------------------------------------------------------


def category_ids_with_descendants(ids: Sequence[int]) -> list[int]:
    if not ids:
        return []
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    wanted = set(ids)
    result = []
    for pk in parents:
        node: int | None = pk
        while node is not None:
            if node in wanted:
                result.append(pk)
                break
            node = parents.get(node)
    return sorted(result)


def scoped[M: Model](queryset: QuerySet[M], scope: Scope) -> QuerySet[M]:
    """Facts or rollup rows of the scope (the same column names in both)."""
    if scope.teams:
        queryset = queryset.filter(team_id__in=scope.teams)
    if scope.categories:
        queryset = queryset.filter(category_id__in=category_ids_with_descendants(scope.categories))
    if scope.channels:
        queryset = queryset.filter(channel__in=scope.channels)
    if scope.kinds:
        queryset = queryset.filter(kind__in=scope.kinds)
    if scope.tiers:
        queryset = queryset.filter(tier_id__in=scope.tiers)
    return queryset


class Round(Func):
    function = "ROUND"
    arity = 1


def sample(key: str, scope: Scope, start: date, end: date) -> Sample:
    """The weighted sample of a plannable metric over the tickets created from `start` to
    `end` (local days, both included) in the scope. Durations are rounded to whole minutes."""
    found = metric(key)
    window = Window(start, end)
    if found.statistic == "nps":
        return _nps_sample(scope, window)
    if not found.plannable:
        raise DomainError(_("This metric cannot be a plan's goal."), field="metric")
    facts = scoped(TicketFact.objects.filter(day__gte=start, day__lte=end), scope)
    facts = facts.filter(**{found.base: 1})
    value: Any = F(found.measure)
    if found.statistic in ("median", "p90") or found.unit == Unit.MINUTES:
        value = Round(found.measure)
    rows = facts.values(v=value).annotate(n=Count("pk")).values_list("v", "n")
    return _weighted(rows, found.statistic)


def _weighted(rows: Iterable[tuple[float, int]], statistic: str) -> Sample:
    pairs = list(rows)
    values = np.array([float(v) for v, _n in pairs], dtype=np.float64)
    counts = np.array([int(n) for _v, n in pairs], dtype=np.int64)
    return Sample(values, counts, statistic)


def nps_value(score: int) -> int:
    """A 0-10 answer as its contribution to NPS: promoter +100, passive 0, detractor −100."""
    return 100 if score >= 9 else (-100 if score <= 6 else 0)


def _nps_sample(scope: Scope, window: Window) -> Sample:
    """NPS answers given in the window; only the customer-tier part of a scope applies (an
    NPS answer is about the company, not about a ticket's team or category)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    begin = datetime.combine(window.start, time(), zone)
    finish = datetime.combine(window.end + timedelta(days=1), time(), zone)
    answers = NpsResponse.objects.filter(
        score__isnull=False, answered_at__gte=begin, answered_at__lt=finish
    )
    if scope.tiers:
        answers = answers.filter(customer__tier_id__in=scope.tiers)
    tally: dict[int, int] = {}
    for score, n in answers.values("score").annotate(n=Count("pk")).values_list("score", "n"):
        key = nps_value(int(score or 0))
        tally[key] = tally.get(key, 0) + n
    return _weighted(sorted(tally.items()), "nps")
