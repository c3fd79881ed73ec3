"""The printable diagnosis report (PDF): the period's TOP-3 pain points, its key figures
against the previous period, the trend of tickets and handling time, and the open
improvement plans. Chinese text uses the Adobe CID font STSong-Light that ReportLab
knows without a font file."""

import io
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _g
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from serviceloop.analytics import formatting
from serviceloop.analytics.queries import Dashboard, value_of
from serviceloop.analytics.registry import METRICS
from serviceloop.core import clock

from .plans import PlanLine

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
TOP = 3


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        name: ParagraphStyle(name, parent=base[source], fontName=FONT, leading=size * 1.4, fontSize=size)  # noqa: E501
        for name, source, size in (
            ("title", "Title", 18), ("h2", "Heading2", 13), ("body", "BodyText", 9.5),
            ("small", "BodyText", 8),
        )
    }  # fmt: skip


def _cell(value: Any) -> Any:
    return value if isinstance(value, Paragraph) else str("" if value is None else value)


def _table(rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> Table:
    table = Table([[_cell(v) for v in row] for row in rows], colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#adb5bd")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _trend_chart(board: Dashboard) -> Drawing:
    counts = [p.sums.get("tickets", 0) for p in board.trend] or [0]
    drawing = Drawing(170 * mm, 55 * mm)
    chart = HorizontalLineChart()
    # types-reportlab has PlotArea's x, y, width and height as int; reportlab takes any number
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 8 * mm, 150 * mm, 42 * mm  # type: ignore[assignment]
    chart.data = [counts]
    chart.lines[0].strokeColor = colors.HexColor("#0d6efd")
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = FONT
    chart.categoryAxis.categoryNames = [
        p.start.strftime("%m-%d") if i % max(len(board.trend) // 8, 1) == 0 else ""
        for i, p in enumerate(board.trend)
    ]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    drawing.add(chart)
    return drawing


def response(board: Dashboard, plans: Sequence[PlanLine], name: str) -> HttpResponse:
    answer = HttpResponse(diagnosis_pdf(board, plans), content_type="application/pdf")
    answer["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return answer


def diagnosis_pdf(board: Dashboard, plans: Sequence[PlanLine]) -> bytes:
    style = _styles()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, title=_g("Diagnosis report")
    )
    story: list[Any] = [
        Paragraph(_g("Diagnosis report"), style["title"]),
        Paragraph(
            f"{settings.COMPANY_NAME} · {board.window.start} – {board.window.end} · "
            f"{board.scope.describe()}",
            style["body"],
        ),
        Paragraph(
            _g("Compared with %(start)s – %(end)s. Made %(now)s.")
            % {
                "start": board.previous_window.start,
                "end": board.previous_window.end,
                "now": timezone.localtime(clock.now()).strftime("%Y-%m-%d %H:%M"),
            },
            style["small"],
        ),
        Spacer(1, 5 * mm),
        Paragraph(_g("Top %(n)d pain points") % {"n": TOP}, style["h2"]),
    ]
    quadrants: dict[Any, Any] = {p.category_id: p for p in board.matrix}
    labels = {
        "fix_first": _g("Fix first"), "plan": _g("Plan a fix"),
        "streamline": _g("Streamline"), "later": _g("Later"),
    }  # fmt: skip
    if board.categories:
        rows: list[list[Any]] = [
            [
                _g("Category"),
                _g("Tickets"),
                _g("Share"),
                _g("Cumulative"),
                _g("Handling time"),
                _g("CSAT"),
                _g("Priority"),
            ]
        ]
        for bar in board.categories[:TOP]:
            point = quadrants.get(bar.key)
            rows.append(
                [
                    bar.label,
                    bar.count,
                    f"{bar.share:.1f} %",
                    f"{bar.cumulative:.1f} %",
                    formatting.display(
                        METRICS["handling_median"], value_of(METRICS["handling_median"], bar.extra)
                    ),
                    formatting.display(
                        METRICS["csat_mean"], value_of(METRICS["csat_mean"], bar.extra)
                    ),
                    labels.get(point.quadrant, "") if point else "",
                ]
            )
        story.append(_table(rows, [48 * mm, 16 * mm, 16 * mm, 20 * mm, 24 * mm, 14 * mm, 22 * mm]))
    else:
        story.append(Paragraph(_g("No tickets in this period."), style["body"]))
    story += [Spacer(1, 5 * mm), Paragraph(_g("Key figures"), style["h2"])]
    rows = [[_g("Metric"), _g("This period"), "n", _g("Previous period"), "n", _g("Change")]]
    for tile in board.tiles:
        metric = tile.metric
        rows.append(
            [
                str(metric.label),
                formatting.display(metric, tile.value),
                tile.n or "",
                formatting.display(metric, tile.previous),
                tile.previous_n or "",
                formatting.change(metric, tile.change),
            ]
        )
    story.append(_table(rows, [58 * mm, 26 * mm, 14 * mm, 26 * mm, 14 * mm, 26 * mm]))
    story += [
        Spacer(1, 5 * mm),
        Paragraph(_g("Trend: tickets per day"), style["h2"]),
        _trend_chart(board),
        Paragraph(_g("Open improvement plans"), style["h2"]),
    ]
    if plans:
        rows = [[_g("Plan"), _g("Title"), _g("Phase"), _g("Owner"), _g("Deadline"), _g("Effect")]]
        rows += [
            [
                p.code,
                Paragraph(p.title, style["small"]),
                p.phase,
                p.owner,
                p.deadline,
                Paragraph(p.effect, style["small"]),
            ]
            for p in plans
        ]
        story.append(_table(rows, [22 * mm, 50 * mm, 16 * mm, 22 * mm, 20 * mm, 44 * mm]))
    else:
        story.append(Paragraph(_g("No open plans."), style["body"]))
    document.build(story)
    return out.getvalue()
