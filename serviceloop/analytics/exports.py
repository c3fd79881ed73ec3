"""Exports: the tickets behind a figure and the dashboard's tables as XLSX or CSV, and the
printable diagnosis report as PDF.

Ticket exports stream: CSV row by row (StreamingHttpResponse), XLSX through xlsxwriter's
constant-memory mode into a temporary file that is then sent in chunks, so memory stays
flat whatever the number of rows."""

import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _g

from serviceloop.core import spreadsheets

from . import formatting
from .drill import EXPORT_COLUMNS, Drill, export_rows
from .queries import AGENT_METRICS, TABLE_METRICS, Dashboard, Row
from .registry import METRICS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value


def csv_response(
    header: Sequence[str], rows: Iterable[Sequence[Any]], name: str
) -> StreamingHttpResponse:
    texts = ([_cell(value) for value in row] for row in rows)
    lines = spreadsheets.csv_lines(header, texts)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def xlsx_response(
    sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]], name: str
) -> FileResponse:
    import xlsxwriter  # here: ~10 MB that a worker needs only for a workbook

    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "remove_timezone": True})
    bold = book.add_format({"bold": True})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for title, header, rows in sheets:
        sheet = book.add_worksheet(title[:31])
        spreadsheets.write_cells(sheet, 0, header, cell_format=bold)
        for number, row in enumerate(rows, start=1):
            local = [timezone.localtime(v) if isinstance(v, datetime) else v for v in row]
            spreadsheets.write_cells(sheet, number, local, stamp=stamp)
    book.close()
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX)


def tickets_response(drill: Drill, fmt: str, name: str) -> HttpResponseBase:
    header = [str(label) for _key, label in EXPORT_COLUMNS]
    if fmt == "csv":
        return csv_response(header, export_rows(drill), name)
    return xlsx_response([(_g("Tickets"), header, export_rows(drill))], name)


def _tile_rows(board: Dashboard) -> list[list[Any]]:
    rows = []
    for tile in board.tiles:
        metric = tile.metric
        rows.append(
            [
                str(metric.label),
                formatting.plain_unit(metric),
                formatting.plain(metric, tile.value),
                tile.n,
                formatting.plain(metric, tile.previous),
                tile.previous_n,
                formatting.plain(metric, tile.change),
            ]
        )
    return rows


def _table(rows: Sequence[Row], keys: Sequence[str]) -> list[list[Any]]:
    return [
        [row.label or _g("(none)")] + [formatting.plain(METRICS[k], row.figures[k]) for k in keys]
        for row in rows
    ]


def _metric_header(first: str, keys: Sequence[str]) -> list[str]:
    return [first] + [f"{METRICS[k].label} ({formatting.plain_unit(METRICS[k])})" for k in keys]


def dashboard_sheets(board: Dashboard) -> list[tuple[str, list[str], list[list[Any]]]]:
    period = f"{board.window.start} – {board.window.end}"
    previous = f"{board.previous_window.start} – {board.previous_window.end}"
    return [
        (
            _g("Key figures"),
            [_g("Metric"), _g("Unit"), period, "n", previous, "n", _g("Change")],
            _tile_rows(board),
        ),
        (
            _g("Pain points"),
            [
                _g("Category"),
                _g("Tickets"),
                _g("Share (%)"),
                _g("Cumulative share (%)"),
                _g("Vital few"),
            ],
            [
                [b.label, b.count, round(b.share, 1), round(b.cumulative, 1), b.vital]
                for b in board.categories
            ],
        ),
        (
            _g("Priority matrix"),
            [
                _g("Category"),
                _g("Tickets"),
                _g("Impact"),
                _g("Quadrant"),
                _g("Handling time (hours)"),
                _g("CSAT"),
                _g("Complaint share (%)"),
            ],
            [
                [
                    p.label,
                    p.frequency,
                    round(p.impact, 3),
                    p.quadrant,
                    None if p.handling_hours is None else round(p.handling_hours, 2),
                    None if p.csat is None else round(p.csat, 2),
                    round(p.complaint_share, 1),
                ]
                for p in board.matrix
            ],
        ),
        (
            _g("Channels"),
            _metric_header(_g("Channel"), TABLE_METRICS),
            _table(board.channels, TABLE_METRICS),
        ),
        (
            _g("Teams"),
            _metric_header(_g("Team"), TABLE_METRICS),
            _table(board.teams, TABLE_METRICS),
        ),
        (
            _g("Agents"),
            _metric_header(_g("Agent"), AGENT_METRICS),
            _table(board.agents, AGENT_METRICS),
        ),
        (
            _g("Emotions"),
            [_g("Customer emotion"), _g("Interactions")],
            [[label, n] for _key, label, n in board.emotions],
        ),
    ]


def dashboard_response(board: Dashboard, fmt: str, name: str) -> HttpResponseBase:
    sheets = dashboard_sheets(board)
    if fmt == "xlsx":
        return xlsx_response(sheets, name)
    rows: list[Sequence[Any]] = []
    for title, header, body in sheets:  # one CSV: the tables one under the other
        if rows:
            rows.append([])
        rows += [[title], header, *body]
    first = rows.pop(0)
    return csv_response([str(v) for v in first], rows, name)
