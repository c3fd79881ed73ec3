"""/api/v1/analytics: the metric registry, the dashboard's figures, the tickets behind a
figure, and the exports. Analysts, specialists, managers and administrators read every
team's figures; supervisors and agents their teams' (an agent only their own line among the
agents); exports are for analysts, specialists, managers, administrators and supervisors."""

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router

from serviceloop.analytics import access, exports, queries
from serviceloop.analytics.drill import Drill
from serviceloop.analytics.registry import METRICS
from serviceloop.analytics.scope import Scope, Window
from serviceloop.core import clock
from serviceloop.core.errors import NotPermitted
from serviceloop.tickets.models import Ticket

from .common import Id, Out, QueryIn, WindowOut, actor

router = Router(tags=["analytics"])
DEFAULT_DAYS = 30
MAX_OFFSET = 2**31 - 1  # rows to skip in a drill list: more than any database holds


class MetricOut(Out):
    key: str
    label: str
    help: str
    unit: str = Field(description="count, percent, minutes, score (1-5) or nps")
    direction: str = Field(description="lower or higher is better")
    statistic: str = Field(description="count, rate, mean, median, p90 or nps")
    plannable: bool = Field(description="May be an improvement plan's goal")


class FilterQuery(QueryIn):
    start: date | None = Field(None, description=f"First day (default: {DEFAULT_DAYS} days ago)")
    end: date | None = Field(None, description="Last day, included (default: today)")
    teams: list[Id] = Field(default_factory=list, description="Team ids")
    categories: list[Id] = Field(
        default_factory=list, description="Category ids (sub-categories included)"
    )
    channels: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)
    tiers: list[Id] = Field(default_factory=list, description="Customer tier ids")


class DrillQuery(FilterQuery):
    day: date | None = None
    category: Id | None = Field(None, description="One category (and its sub-categories)")
    channel: str | None = None
    team: Id | None = None
    assignee: Id | None = None
    customer: Id | None = None
    kind: str | None = None
    only: str | None = Field(None, description="Only tickets counted in this measure")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(100, ge=1, le=1000)


class TileOut(Out):
    metric: str
    value: float | None = Field(description="null: no data in the period")
    previous: float | None
    change: float | None
    n: int = Field(description="Units the value is computed over")
    previous_n: int


class BarOut(Out):
    key: int | str | None
    label: str
    count: int
    share: float
    cumulative: float
    vital: bool = Field(description="Within the first 80 % (the vital few)")


class MatrixOut(Out):
    category: int | None
    label: str
    frequency: int
    impact: float
    quadrant: Literal["fix_first", "plan", "streamline", "later"]


class RowOut(Out):
    key: int | str | None
    label: str
    figures: dict[str, float | None]


class TrendOut(Out):
    periods: list[date] = Field(description="Days, or Mondays of weeks for long windows")
    series: dict[str, list[float | None]]


class DashboardOut(Out):
    window: WindowOut
    previous_window: WindowOut
    scope: dict[str, list[Any]]
    tiles: list[TileOut]
    trend: TrendOut
    categories: list[BarOut]
    matrix: list[MatrixOut]
    channels: list[RowOut]
    emotions: dict[str, int]
    teams: list[RowOut]
    agents: list[RowOut]


class DrillOut(Out):
    count: int
    tickets: list[str] = Field(description="Ticket numbers, newest first")


def _read(request: HttpRequest, filters: FilterQuery) -> tuple[Scope, Window, Any]:
    visibility = access.visibility_for(actor(request))
    today = timezone.localdate(clock.now())
    window = Window.recent(filters.start, filters.end, today=today, days=DEFAULT_DAYS)
    scope = Scope.from_dict(
        {
            "teams": filters.teams,
            "categories": filters.categories,
            "channels": filters.channels,
            "kinds": filters.kinds,
            "tiers": filters.tiers,
        }
    )
    return access.restrict(scope, visibility), window, visibility


POINT = ("day", "category", "channel", "team", "assignee", "customer", "kind", "only")


def _drill(scope: Scope, window: Window, filters: DrillQuery) -> Drill:
    point = {n: str(getattr(filters, n)) for n in POINT if getattr(filters, n) is not None}
    return Drill.from_query(scope, window, point)


def _rows(rows: list[queries.Row]) -> list[dict[str, Any]]:
    return [{"key": r.key, "label": r.label, "figures": r.figures} for r in rows]


@router.get("/metrics", response=list[MetricOut], summary="The metric registry")
def list_metrics(request: HttpRequest) -> list[dict[str, Any]]:
    access.visibility_for(actor(request))
    return [
        {
            "key": m.key,
            "label": str(m.label),
            "help": str(m.help),
            "unit": m.unit.value,
            "direction": m.direction.value,
            "statistic": m.statistic,
            "plannable": m.plannable,
        }
        for m in METRICS.values()
    ]


@router.get("/dashboard", response=DashboardOut, summary="Every figure of the dashboard")
def get_dashboard(request: HttpRequest, filters: Query[FilterQuery]) -> dict[str, Any]:
    scope, window, visibility = _read(request, filters)
    board = queries.dashboard(scope, window, visibility)
    return {
        "window": {"start": window.start, "end": window.end},
        "previous_window": {"start": board.previous_window.start, "end": board.previous_window.end},
        "scope": scope.to_dict(),
        "tiles": [
            {
                "metric": t.metric.key,
                "value": t.value,
                "previous": t.previous,
                "change": t.change,
                "n": t.n,
                "previous_n": t.previous_n,
            }
            for t in board.tiles
        ],
        "trend": {
            "periods": [p.start for p in board.trend],
            "series": {
                m.key: [p.value(m) for p in board.trend]
                for m in METRICS.values()
                if m.key not in ("backlog", "nps")
            },
        },
        "categories": [
            {
                "key": b.key,
                "label": b.label,
                "count": b.count,
                "share": b.share,
                "cumulative": b.cumulative,
                "vital": b.vital,
            }
            for b in board.categories
        ],
        "matrix": [
            {
                "category": p.category_id,
                "label": p.label,
                "frequency": p.frequency,
                "impact": p.impact,
                "quadrant": p.quadrant,
            }
            for p in board.matrix
        ],
        "channels": _rows(board.channels),
        "emotions": {key: n for key, _label, n in board.emotions},
        "teams": _rows(board.teams),
        "agents": _rows(board.agents),
    }


@router.get("/tickets", response=DrillOut, summary="The tickets behind a figure")
def drill_tickets(request: HttpRequest, filters: Query[DrillQuery]) -> dict[str, Any]:
    scope, window, _visibility = _read(request, filters)
    facts = _drill(scope, window, filters).facts()
    numbers = list(
        facts.values_list("ticket_id", flat=True)[filters.offset : filters.offset + filters.limit]
    )
    by_id = dict(Ticket.objects.filter(pk__in=numbers).values_list("pk", "number"))
    return {"count": facts.count(), "tickets": [by_id[pk] for pk in numbers if pk in by_id]}


@router.get(
    "/export/{what}.{fmt}",
    summary="Export: the dashboard (xlsx, csv), the tickets behind a figure (xlsx, csv) or "
    "the diagnosis report (pdf)",
    response={200: None},
)
def export(
    request: HttpRequest,
    what: Literal["dashboard", "tickets"],
    fmt: Literal["xlsx", "csv"],
    filters: Query[DrillQuery],
) -> HttpResponseBase:
    user = actor(request)
    if user.role not in access.EXPORT_ROLES:
        raise NotPermitted(_("Exports are for analysts, specialists, supervisors and managers."))
    scope, window, visibility = _read(request, filters)
    stamp = f"{window.start:%Y%m%d}-{window.end:%Y%m%d}"
    if what == "tickets":
        return exports.tickets_response(_drill(scope, window, filters), fmt, f"tickets-{stamp}")
    board = queries.dashboard(scope, window, visibility)
    return exports.dashboard_response(board, fmt, f"dashboard-{stamp}")
