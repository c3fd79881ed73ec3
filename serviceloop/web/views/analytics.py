"""The analytics dashboard (/desk/analytics/), the tickets behind each figure, and the
exports. The figures come from analytics.queries through the metric registry; the charts
are drawn by static/web/analytics.js (ECharts) from the JSON the page carries."""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from serviceloop.analytics import access, exports, formatting, queries
from serviceloop.analytics.drill import Drill
from serviceloop.analytics.measures import MEASURES
from serviceloop.analytics.registry import METRICS, Metric
from serviceloop.analytics.scope import Scope, Window
from serviceloop.core import clock
from serviceloop.core.errors import DomainError
from serviceloop.improvement.permissions import manages_improvement
from serviceloop.reports.plans import open_plans
from serviceloop.tickets.models import Ticket

from ..forms import apply_errors
from ..forms.analytics import DEFAULT_DAYS, FilterForm
from ..htmx import HtmxRequest

PRESETS = (
    ("7", _("Last 7 days")),
    ("30", _("Last 30 days")),
    ("90", _("Last 90 days")),
    ("365", _("Last 12 months")),
)
EXPORTS = {
    ("dashboard", "xlsx"), ("dashboard", "csv"), ("tickets", "xlsx"), ("tickets", "csv"),
    ("report", "pdf"),
}  # fmt: skip


def query_of(scope: Scope, window: Window, **extra: Any) -> str:
    """The query string that shows this scope and window again (plus a drill point)."""
    pairs: list[tuple[str, Any]] = [("start", window.start), ("end", window.end)]
    for name, values in scope.to_dict().items():
        pairs += [(name, value) for value in values]
    pairs += [(name, value) for name, value in extra.items() if value not in (None, "")]
    return urlencode(pairs)


def _read(request: HtmxRequest) -> tuple[FilterForm, Scope, Window, queries.Visibility]:
    """The filters of the request (the default window when there are none); an invalid
    form comes back with its errors and an empty window."""
    try:
        visibility = access.visibility_for(request.user)
    except DomainError as error:
        raise PermissionDenied from error
    data = request.GET.copy()
    if not data.get("start") and not data.get("end"):  # the default window, shown in the form
        today = timezone.localdate(clock.now())
        data["start"] = str(today - timedelta(days=DEFAULT_DAYS - 1))
        data["end"] = str(today)
    form = FilterForm(data, visible_teams=visibility.teams)
    if not form.is_valid():
        today = timezone.localdate(clock.now())
        return form, Scope(), Window(today, today), visibility
    try:
        scope = access.restrict(form.scope(), visibility)
    except DomainError as error:
        raise PermissionDenied from error
    return form, scope, form.cleaned_data["window"], visibility


@require_GET
@login_required
def dashboard(request: HtmxRequest) -> HttpResponse:
    form, scope, window, visibility = _read(request)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        board = queries.dashboard(scope, window, visibility)
        query = query_of(scope, window)
        quadrants = _quadrant_labels()
        matrix: dict[Any, str] = {point.category_id: point.quadrant for point in board.matrix}
        today = timezone.localdate(clock.now())
        context |= {
            "presets": [
                (label, query_of(scope, Window(today - timedelta(days=int(days) - 1), today)))
                for days, label in PRESETS
            ],
            "pain_points": [
                (bar, matrix.get(bar.key, ""), quadrants.get(matrix.get(bar.key, ""), ""))
                for bar in board.categories
            ],
            "board": board,
            "query": query,
            "tiles": [_tile(tile, scope, window) for tile in board.tiles],
            "charts": _charts(board, scope, window),
            "table_metrics": [METRICS[k] for k in queries.TABLE_METRICS],
            "agent_metrics": [METRICS[k] for k in queries.AGENT_METRICS],
            "teams": [_table_row(r, METRICS, queries.TABLE_METRICS) for r in board.teams],
            "agents": [_table_row(r, METRICS, queries.AGENT_METRICS) for r in board.agents],
            "channels": [_table_row(r, METRICS, queries.TABLE_METRICS) for r in board.channels],
            "may_export": request.user.role in access.EXPORT_ROLES,
            "analysis_url": (
                reverse("desk:improvement_analysis_new")
                if manages_improvement(request.user)
                else ""
            ),
        }
    return render(request, "analytics/dashboard.html", context)


def _tile(tile: queries.Tile, scope: Scope, window: Window) -> dict[str, Any]:
    metric = tile.metric
    only = metric.base if metric.base in MEASURES else ""
    return {
        "key": metric.key,
        "label": metric.label,
        "help": metric.help,
        "value": formatting.display(metric, tile.value),
        "previous": formatting.display(metric, tile.previous),
        "change": formatting.change(metric, tile.change),
        "better": tile.better,
        "n": tile.n,
        "previous_n": tile.previous_n,
        "drill": (
            reverse("desk:analytics-tickets") + "?" + query_of(scope, window, only=only)
            if metric.key != "nps"
            else ""
        ),
    }


def _table_row(
    row: queries.Row, metrics: dict[str, Metric], keys: tuple[str, ...]
) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label or _g("(none)"),
        "cells": [formatting.display(metrics[k], row.figures[k]) for k in keys],
    }


def _charts(board: queries.Dashboard, scope: Scope, window: Window) -> dict[str, Any]:
    drill = reverse("desk:analytics-tickets") + "?" + query_of(scope, window)
    series = {}
    for metric in METRICS.values():
        if metric.key in ("backlog", "nps"):
            continue
        series[metric.key] = {
            "label": str(metric.label),
            "unit": metric.unit.value,
            "values": [formatting.plain(metric, p.value(metric)) for p in board.trend],
        }
    return {
        "drill": drill,
        "labels": {
            "cumulative": _g("Cumulative share"),
            "tickets": _g("Tickets"),
            "impact": _g("Impact"),
            "frequency": _g("Frequency (tickets)"),
            "vital": _g("80 % line"),
            "handling": _g("Handling time (hours)"),
            "quadrants": _quadrant_labels(),
        },
        "trend": {"days": [p.start.isoformat() for p in board.trend], "series": series},
        "pareto": [
            {
                "key": b.key,
                "label": b.label,
                "count": b.count,
                "cumulative": round(b.cumulative, 1),
                "vital": b.vital,
            }
            for b in board.categories
        ],
        "matrix": [
            {
                "key": p.category_id,
                "label": p.label,
                "frequency": p.frequency,
                "impact": round(p.impact, 3),
                "quadrant": p.quadrant,
            }
            for p in board.matrix
        ],
        "channels": [
            {"key": r.key, "label": r.label, "value": int(r.sums["tickets"])}
            for r in board.channels
        ],
        "emotions": [{"key": key, "label": label, "value": n} for key, label, n in board.emotions],
    }


def _quadrant_labels() -> dict[str, str]:
    return {
        "fix_first": _g("Fix first"),
        "plan": _g("Plan a fix"),
        "streamline": _g("Streamline"),
        "later": _g("Later"),
    }


@require_GET
@login_required
def customers(request: HtmxRequest) -> HttpResponse:
    """The Pareto of customers (loaded after the page: it reads the facts)."""
    form, scope, window, _visibility = _read(request)
    if not form.is_valid():
        return HttpResponse(status=422)
    bars = queries.top_customers(scope, window)
    return render(
        request,
        "analytics/_customers.html",
        {"bars": bars, "drill": reverse("desk:analytics-tickets") + "?" + query_of(scope, window)},
    )


@require_GET
@login_required
def tickets(request: HtmxRequest) -> HttpResponse:
    """The tickets behind a figure."""
    form, scope, window, _visibility = _read(request)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        try:
            drill = Drill.from_query(scope, window, request.GET)
        except DomainError as error:
            apply_errors(form, error)
            return render(request, "analytics/tickets.html", context, status=422)
        facts = drill.facts()
        page = Paginator(facts.values_list("ticket_id", flat=True), 50).get_page(
            request.GET.get("page")
        )
        found = {
            t.pk: t
            for t in Ticket.objects.filter(pk__in=list(page)).select_related(
                "team", "category", "assignee"
            )
        }
        params = request.GET.copy()
        params.pop("page", None)
        context |= {
            "page": page,
            "tickets": [found[pk] for pk in page if pk in found],
            "query": params.urlencode(),
            "scope_text": scope.describe(),
            "window": window,
            "may_export": request.user.role in access.EXPORT_ROLES,
        }
    return render(request, "analytics/tickets.html", context)


@require_GET
@login_required
def export(request: HtmxRequest, what: str, fmt: str) -> HttpResponseBase:
    """XLSX or CSV of the dashboard's tables (`what` = dashboard) or of the tickets behind
    a figure (`what` = tickets); the PDF diagnosis report (`what` = report)."""
    if request.user.role not in access.EXPORT_ROLES:
        raise PermissionDenied
    if (what, fmt) not in EXPORTS:
        raise Http404("export")
    form, scope, window, visibility = _read(request)
    if not form.is_valid():
        return HttpResponse(status=422)
    stamp = f"{window.start:%Y%m%d}-{window.end:%Y%m%d}"
    if what == "tickets":
        try:
            drill = Drill.from_query(scope, window, request.GET)
        except DomainError:  # a point or a measure that is none, as for a bad window
            return HttpResponse(status=422)
        return exports.tickets_response(drill, fmt, f"tickets-{stamp}")
    board = queries.dashboard(scope, window, visibility)
    if what == "report":
        # Imported here: reportlab adds ~16 MB to a worker; only the PDF needs it.
        from serviceloop.reports import diagnosis

        plans = open_plans(visibility.teams)
        return diagnosis.response(board, plans, f"diagnosis-{stamp}")
    return exports.dashboard_response(board, fmt, f"dashboard-{stamp}")


urlpatterns = [
    path("analytics/", dashboard, name="analytics"),
    path("analytics/customers/", customers, name="analytics-customers"),
    path("analytics/tickets/", tickets, name="analytics-tickets"),
    path(
        "analytics/export/<str:what>.<str:fmt>",
        export,
        name="analytics-export",
    ),
]
