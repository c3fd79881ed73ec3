"""The dashboard's figures, read from the rollups (and, for what they cannot answer, from
the facts), through the metric registry."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db.models import Count, Model, Q, QuerySet, Sum
from django.utils import timezone

from serviceloop.accounts.models import Team, User
from serviceloop.core import clock
from serviceloop.customers.models import Customer
from serviceloop.tickets.choices import Channel, Emotion
from serviceloop.tickets.models import Category

from .measures import HISTOGRAMS, MEASURES, histogram_columns
from .models import (
    AgentDailyRollup,
    AgentKindRollup,
    DailyDetailRollup,
    DailyRollup,
    TicketFact,
)
from .registry import METRICS, Metric, Round, Sample, _nps_sample, sample, scoped
from .scope import Scope, Window

HISTOGRAM_COLUMNS = {m: histogram_columns(m) for m in HISTOGRAMS}
ALL_COLUMNS = list(MEASURES) + [c for columns in HISTOGRAM_COLUMNS.values() for c in columns]
PARETO_SHARE = 80.0
# Up to this many tickets in a window, medians and p90 are exact (from the facts); above it
# they are interpolated in the rollups' duration histogram (within a bucket's width).
EXACT_QUANTILES_UP_TO = 20_000
TOP_CUSTOMERS = 20


@dataclass(frozen=True)
class ImpactWeights:
    """How a category's impact mixes its handling time, its CSAT drop and its complaint
    share (each scaled to 0..1 across the categories shown)."""

    handling: float = 0.4
    csat_drop: float = 0.3
    complaints: float = 0.3

    @classmethod
    def default(cls) -> "ImpactWeights":
        return cls(*settings.ANALYTICS_IMPACT_WEIGHTS)


Sums = dict[str, Any]  # measure -> sum, and the values of the grouping dimensions


def _aggregate(queryset: QuerySet[Model], by: Sequence[str], columns: Iterable[str]) -> list[Sums]:
    sums = {column: Sum(column) for column in columns}
    if by:
        return [dict(row) for row in queryset.values(*by).annotate(**sums).order_by(*by)]
    return [dict(queryset.aggregate(**sums))]


def _window[M: Model](queryset: QuerySet[M], window: Window) -> QuerySet[M]:
    return queryset.filter(day__gte=window.start, day__lte=window.end)


def cube_for(scope: Scope) -> type[DailyRollup] | type[DailyDetailRollup]:
    """The smaller rollup unless the scope filters on what only the detailed one keeps."""
    return DailyDetailRollup if scope.kinds or scope.tiers else DailyRollup


def rollup_sums(
    scope: Scope, window: Window, by: Sequence[str] = (), *, columns: Sequence[str] = ()
) -> list[Sums]:
    """The sums of every measure and histogram bucket (or of `columns`) of the scope and
    window, per `by`."""
    rows = scoped(_window(cube_for(scope).objects.all(), window), scope)
    return [_zeroed(row) for row in _aggregate(rows, by, columns or ALL_COLUMNS)]


def _zeroed(row: Mapping[str, Any]) -> Sums:
    """Sums over no rows are NULL in SQL: zero here (dimension values stay as they are)."""
    return {
        key: (0 if value is None and key in ALL_COLUMNS else value) for key, value in row.items()
    }


def value_of(metric: Metric, sums: Mapping[str, Any]) -> float | None:
    histogram = [sums.get(c, 0) for c in HISTOGRAM_COLUMNS.get(metric.histogram, [])]
    return metric.from_sums(sums, histogram)


def backlog(scope: Scope, end: date) -> int:
    """Tickets created by the end of `end` and not resolved (nor closed) by then: the open
    tickets of the rollups when `end` is today or later, else counted in the facts."""
    if end >= timezone.localdate(clock.now()):
        rows = scoped(cube_for(scope).objects.filter(day__lte=end), scope)
        return int(rows.aggregate(n=Sum("open_now"))["n"] or 0)
    facts = scoped(TicketFact.objects.filter(day__lte=end), scope)
    return facts.filter(Q(resolved_day__isnull=True) | Q(resolved_day__gt=end)).count()


def nps(scope: Scope, window: Window) -> tuple[float | None, int]:
    found = _nps_sample(scope, window)
    return METRICS["nps"].value(found), found.n


@dataclass
class Tile:
    metric: Metric
    value: float | None
    previous: float | None
    n: int
    previous_n: int

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def better(self) -> bool | None:
        """Whether the change is an improvement (None: no change or no data)."""
        if not self.change:
            return None
        return (self.change < 0) == (self.metric.direction == "lower")


def _quantile(metric: Metric, scope: Scope, window: Window, sums: Sums) -> float | None:
    if sums.get("tickets", 0) <= EXACT_QUANTILES_UP_TO:
        return metric.value(sample(metric.key, scope, window.start, window.end))
    return value_of(metric, sums)


def tiles(scope: Scope, window: Window, current: Sums, previous: Sums) -> list[Tile]:
    made = []
    for metric in METRICS.values():
        if metric.histogram:
            value = _quantile(metric, scope, window, current)
            before = _quantile(metric, scope, window.previous(), previous)
            n, before_n = int(current.get(metric.base, 0)), int(previous.get(metric.base, 0))
        elif metric.key == "backlog":
            value, n = float(backlog(scope, window.end)), 0
            before, before_n = float(backlog(scope, window.previous().end)), 0
        elif metric.key == "nps":
            value, n = nps(scope, window)
            before, before_n = nps(scope, window.previous())
        else:
            value, before = value_of(metric, current), value_of(metric, previous)
            n, before_n = int(current.get(metric.base, 0)), int(previous.get(metric.base, 0))
        made.append(Tile(metric, value, before, n, before_n))
    return made


def _total(rows: Iterable[Sums]) -> Sums:
    total: Sums = dict.fromkeys(ALL_COLUMNS, 0)
    for row in rows:
        for column in ALL_COLUMNS:
            total[column] += row.get(column, 0)
    return total


@dataclass
class Point:
    start: date
    sums: Sums
    exact: dict[str, float | None] = field(default_factory=dict)  # quantiles from the facts

    def value(self, metric: Metric) -> float | None:
        if metric.key in self.exact:
            return self.exact[metric.key]
        return value_of(metric, self.sums)


def _point_key(day: date, weekly: bool) -> date:
    return day - timedelta(days=day.weekday()) if weekly else day


def trend(rows: Sequence[Sums], window: Window, scope: Scope | None = None) -> list[Point]:
    """Daily points, or weekly (Monday) ones for windows longer than 92 days; periods
    without tickets are present with zero sums. With a scope and few tickets, the medians
    and p90 of each point are exact."""
    weekly = window.days > 92
    buckets: dict[date, list[Sums]] = {}
    day = window.start
    while day <= window.end:
        buckets.setdefault(_point_key(day, weekly), [])
        day += timedelta(days=1)
    for row in rows:
        buckets[_point_key(row["day"], weekly)].append(row)
    points = [Point(key, _total(found)) for key, found in buckets.items()]
    if scope is not None and sum(p.sums["tickets"] for p in points) <= EXACT_QUANTILES_UP_TO:
        _exact_quantiles(points, scope, window, weekly)
    return points


def _exact_quantiles(points: list[Point], scope: Scope, window: Window, weekly: bool) -> None:
    by_key = {point.start: point for point in points}
    for measure in HISTOGRAMS:
        metrics = [m for m in METRICS.values() if m.histogram == measure]
        facts = scoped(_window(TicketFact.objects.all(), window), scope)
        rows = (
            facts.filter(**{metrics[0].base: 1})
            .values("day", v=Round(measure))
            .annotate(n=Count("pk"))
            .values_list("day", "v", "n")
        )
        grouped: dict[date, list[tuple[float, int]]] = {key: [] for key in by_key}
        for day, value, n in rows:
            grouped[_point_key(day, weekly)].append((float(value), n))
        for key, pairs in grouped.items():
            values = np.array([v for v, _n in pairs], dtype=np.float64)
            counts = np.array([n for _v, n in pairs], dtype=np.int64)
            for metric in metrics:
                by_key[key].exact[metric.key] = metric.value(
                    Sample(values, counts, metric.statistic)
                )


@dataclass
class ParetoBar:
    key: int | str | None
    label: str
    count: int
    share: float
    cumulative: float
    vital: bool  # within the first PARETO_SHARE % ("the vital few")
    extra: Sums = field(default_factory=dict)


def pareto(counts: Sequence[tuple[Any, str, int, Sums]]) -> list[ParetoBar]:
    """Bars sorted by count, each with its share and the cumulative share; the bars up to
    and including the one that crosses 80 % are the vital few."""
    ordered = sorted((c for c in counts if c[2] > 0), key=lambda c: (-c[2], c[1]))
    total = sum(c[2] for c in ordered)
    bars, running, crossed = [], 0, False
    for key, label, count, extra in ordered:
        running += count
        share = count / total * 100
        cumulative = running / total * 100
        bars.append(ParetoBar(key, label, count, share, cumulative, not crossed, extra))
        crossed = crossed or cumulative >= PARETO_SHARE
    return bars


@dataclass
class MatrixPoint:
    category_id: Any  # a category id, None for tickets without one
    label: str
    frequency: int
    impact: float  # 0..1
    quadrant: str  # fix_first | plan | streamline | later
    handling_hours: float | None
    csat: float | None
    complaint_share: float


QUADRANTS = ("fix_first", "plan", "streamline", "later")


def priority_matrix(
    bars: Sequence[ParetoBar], overall_csat: float | None, weights: ImpactWeights
) -> list[MatrixPoint]:
    """Impact x frequency of the categories: frequency is the ticket count; impact mixes
    the mean handling time, the CSAT drop below the overall mean and the complaint share,
    each scaled by the largest among the categories. Quadrants split at the median
    frequency and the median impact."""
    if not bars:
        return []
    raw = []
    for bar in bars:
        sums = bar.extra
        resolved = sums.get("resolved", 0)
        handling = sums["handling_business"] / resolved / 60 if resolved else None
        answered = sums.get("csat_answered", 0)
        csat = sums["csat_score"] / answered if answered else None
        drop = max(overall_csat - csat, 0.0) if csat is not None and overall_csat else 0.0
        complaints = sums.get("complaints", 0) / bar.count if bar.count else 0.0
        raw.append((bar, handling, csat, drop, complaints))
    top_handling = max((r[1] or 0) for r in raw) or 1.0
    top_drop = max(r[3] for r in raw) or 1.0
    top_complaints = max(r[4] for r in raw) or 1.0
    total_weight = (weights.handling + weights.csat_drop + weights.complaints) or 1.0
    points = []
    for bar, handling, csat, drop, complaints in raw:
        impact = (
            weights.handling * (handling or 0) / top_handling
            + weights.csat_drop * drop / top_drop
            + weights.complaints * complaints / top_complaints
        ) / total_weight
        points.append(
            MatrixPoint(bar.key, bar.label, bar.count, impact, "", handling, csat, complaints * 100)
        )
    frequency_cut = _median([p.frequency for p in points])
    impact_cut = _median([p.impact for p in points])
    for point in points:
        high_impact = point.impact >= impact_cut
        frequent = point.frequency >= frequency_cut
        point.quadrant = QUADRANTS[(0 if high_impact else 2) + (0 if frequent else 1)]
    return points


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass
class Row:
    """One line of a per-team, per-agent or per-channel table."""

    key: Any
    label: str
    sums: Sums
    figures: dict[str, float | None]


TABLE_METRICS = (
    "tickets", "handling_median", "handling_wall_mean", "fcr_rate", "first_response_sla",
    "resolution_sla", "csat_mean", "escalation_rate", "reopen_rate",
)  # fmt: skip
AGENT_METRICS = (
    "tickets", "handling_wall_mean", "fcr_rate", "first_response_sla", "resolution_sla",
    "csat_mean", "escalation_rate", "reopen_rate",
)  # fmt: skip


def _row(key: Any, label: str, sums: Sums, keys: Sequence[str]) -> Row:
    return Row(key, label, sums, {k: value_of(METRICS[k], sums) for k in keys})


def agent_rows(scope: Scope, window: Window, viewer_scope: "Visibility") -> list[Row]:
    """Per assignee: from the agent rollup that keeps what the scope filters on, else from
    the facts."""
    source: QuerySet[AgentDailyRollup] | QuerySet[AgentKindRollup] | QuerySet[TicketFact]
    if not (scope.kinds or scope.tiers):
        source = AgentDailyRollup.objects.all()
    elif not (scope.categories or scope.channels):
        source = AgentKindRollup.objects.all()
    else:  # kinds or tiers with categories or channels: only the facts keep all five
        source = TicketFact.objects.all()
    # all three have an assignee_id column, their common base class has not
    rows: QuerySet[Any] = scoped(_window(source, window), scope)
    if viewer_scope.assignee_only is not None:
        rows = rows.filter(assignee_id=viewer_scope.assignee_only)
    found = [_zeroed(r) for r in _aggregate(rows, ["assignee_id"], MEASURES)]
    names = {
        u.pk: u.display_name
        for u in User.objects.filter(pk__in=[r["assignee_id"] for r in found if r["assignee_id"]])
    }
    made = [
        _row(r["assignee_id"], names.get(r["assignee_id"], ""), r, AGENT_METRICS) for r in found
    ]
    return sorted(made, key=lambda row: -row.sums["tickets"])


def top_customers(scope: Scope, window: Window, limit: int = TOP_CUSTOMERS) -> list[ParetoBar]:
    """The customers with the most tickets, with their handling time (Pareto of customers)."""
    facts = scoped(_window(TicketFact.objects.all(), window), scope)
    total = facts.count()
    found = list(
        facts.values("customer_id")
        .annotate(n=Count("pk"), handling=Sum("handling_business"))
        .order_by("-n", "customer_id")[:limit]
    )
    names = dict(
        Customer.objects.filter(pk__in=[r["customer_id"] for r in found]).values_list("pk", "name")
    )
    bars, running = [], 0
    for row in found:
        running += row["n"]
        share = row["n"] / total * 100 if total else 0.0
        bars.append(
            ParetoBar(
                row["customer_id"],
                names.get(row["customer_id"], ""),
                row["n"],
                share,
                running / total * 100 if total else 0.0,
                running / total * 100 <= PARETO_SHARE if total else False,
                {"handling_hours": (row["handling"] or 0) / 60},
            )
        )
    return bars


@dataclass(frozen=True)
class Visibility:
    """What of the analytics a viewer may see: analysts and managers everything, team
    staff their teams' figures, an agent their own row among the agents."""

    teams: tuple[int, ...] | None  # None: every team
    assignee_only: int | None = None


@dataclass
class Dashboard:
    scope: Scope
    window: Window
    previous_window: Window
    tiles: list[Tile]
    trend: list[Point]
    categories: list[ParetoBar]
    matrix: list[MatrixPoint]
    channels: list[Row]
    emotions: list[tuple[str, str, int]]
    teams: list[Row]
    agents: list[Row]
    totals: Sums


def dashboard(
    scope: Scope, window: Window, visibility: Visibility, weights: ImpactWeights | None = None
) -> Dashboard:
    by_day = rollup_sums(scope, window, ["day"])
    current = _total(by_day)
    previous = rollup_sums(scope, window.previous())[0]
    # the tables show the handling median but no first-response one: fewer columns to sum
    tables = [*MEASURES, *HISTOGRAM_COLUMNS["handling_business"]]
    by_category = rollup_sums(scope, window, ["category_id"], columns=tables)
    by_channel = rollup_sums(scope, window, ["channel"], columns=tables)
    by_team = rollup_sums(scope, window, ["team_id"], columns=tables)
    labels = _category_labels()
    bars = pareto(
        [
            (r["category_id"], labels.get(r["category_id"], ""), int(r["tickets"]), r)
            for r in by_category
        ]
    )
    overall_csat = value_of(METRICS["csat_mean"], current)
    teams = {t.pk: str(t) for t in Team.objects.all()}
    return Dashboard(
        scope=scope,
        window=window,
        previous_window=window.previous(),
        tiles=tiles(scope, window, current, previous),
        trend=trend(by_day, window, scope),
        categories=bars,
        matrix=priority_matrix(bars, overall_csat, weights or ImpactWeights.default()),
        channels=[
            _row(r["channel"], str(Channel(r["channel"]).label), r, TABLE_METRICS)
            for r in sorted(by_channel, key=lambda r: -r["tickets"])
        ],
        emotions=[
            (e.value, str(e.label), int(current.get(f"emotion_{e.value}", 0))) for e in Emotion
        ],
        teams=[
            _row(r["team_id"], teams.get(r["team_id"], ""), r, TABLE_METRICS)
            for r in sorted(by_team, key=lambda r: -r["tickets"])
        ],
        agents=agent_rows(scope, window, visibility),
        totals=current,
    )


def _category_labels() -> dict[int | None, str]:
    categories = {c.pk: c for c in Category.objects.all()}
    labels: dict[int | None, str] = {}
    for pk, category in categories.items():
        parent = categories.get(category.parent_id) if category.parent_id else None
        labels[pk] = f"{parent} › {category}" if parent else str(category)
    return labels


def day_bounds(window: Window) -> tuple[datetime, datetime]:
    """The window as aware datetimes [start, end) in the company's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return (
        datetime.combine(window.start, time(), zone),
        datetime.combine(window.end + timedelta(days=1), time(), zone),
    )
