"""The printable diagnosis report (PDF): the period's TOP-3 pain points, its key figures
against the previous period, the trend of tickets and handling time, and the open
improvement plans.

Every text is set in WenQuanYi Micro Hei (文泉驿微米黑, from the paperang-p2-fonts-cjk
package, Apache 2.0 or GPLv3 with the font exception), embedded in the PDF as a subset of the
glyphs it uses: a TrueType font, which ReportLab embeds, covering Chinese, Latin and the
signs the report prints (› · – − →). The Adobe CID font STSong-Light that it replaced was
only named, not embedded: a reader without it drew other glyphs, and it had none for
"›", "·", "–" or "−"."""

import io
from collections.abc import Sequence
from functools import cache
from importlib.resources import as_file, files
from typing import Any
from xml.sax.saxutils import escape

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
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from serviceloop.analytics import formatting
from serviceloop.analytics.queries import Dashboard, ParetoBar, value_of
from serviceloop.analytics.registry import METRICS
from serviceloop.core import clock

from .plans import PlanLine

FONT = "WenQuanYiMicroHei"
FONT_FILE = files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"
TOP = 3


@cache
def _register_font() -> None:
    """Register FONT once per process, when the first report is made (reading the 5 MB
    font collection is not worth doing for processes that make none). Its first face is
    the proportional one (the second is monospaced)."""
    with as_file(FONT_FILE) as path:
        pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        name: ParagraphStyle(name, parent=base[source], fontName=FONT, leading=size * 1.4, fontSize=size)  # noqa: E501
        for name, source, size in (
            ("title", "Title", 18), ("h2", "Heading2", 13), ("body", "BodyText", 9.5),
            ("small", "BodyText", 8),
        )
    }  # fmt: skip


def _text(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text. ReportLab reads a paragraph's text as markup: a plan's
    title with `<b>` or `<font>` in it would be drawn as such, or stop the report, so every
    text is escaped (names, titles and effects are typed by users)."""
    return Paragraph(escape(str(text)), style)


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
    drawing = Drawing(170 * mm, 55 * mm, initialFontName=FONT)
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
    """The report as a PDF: its heading, the top pain points, the key figures, the trend
    and the open plans."""
    _register_font()
    style = _styles()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        title=_g("Diagnosis report"),
        initialFontName=FONT,  # not Helvetica, which the reader would have to supply
    )
    story: list[Any] = [
        *_heading(board, style),
        *_pain_points(board, style),
        *_key_figures(board, style),
        *_trend(board, style),
        *_open_plans(plans, style),
    ]
    document.build(story)
    return out.getvalue()


def _heading(board: Dashboard, style: dict[str, ParagraphStyle]) -> list[Any]:
    """The title, the period and scope, and the period compared with."""
    return [
        _text(_g("Diagnosis report"), style["title"]),
        _text(
            f"{settings.COMPANY_NAME} · {board.window.start} – {board.window.end} · "
            f"{board.scope.describe()}",
            style["body"],
        ),
        _text(
            _g("Compared with %(start)s – %(end)s. Made %(now)s.")
            % {
                "start": board.previous_window.start,
                "end": board.previous_window.end,
                "now": timezone.localtime(clock.now()).strftime("%Y-%m-%d %H:%M"),
            },
            style["small"],
        ),
    ]


def _pain_points(board: Dashboard, style: dict[str, ParagraphStyle]) -> list[Any]:
    """The TOP categories with their handling time, CSAT and priority quadrant."""
    section: list[Any] = [
        Spacer(1, 5 * mm),
        _text(_g("Top %(n)d pain points") % {"n": TOP}, style["h2"]),
    ]
    if not board.categories:
        return [*section, _text(_g("No tickets in this period."), style["body"])]
    quadrants: dict[Any, Any] = {p.category_id: p for p in board.matrix}
    labels = {
        "fix_first": _g("Fix first"), "plan": _g("Plan a fix"),
        "streamline": _g("Streamline"), "later": _g("Later"),
    }  # fmt: skip
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
        rows.append(_pain_point_row(bar, labels.get(point.quadrant, "") if point else ""))
    widths = [48 * mm, 16 * mm, 16 * mm, 20 * mm, 24 * mm, 14 * mm, 22 * mm]
    return [*section, _table(rows, widths)]


def _pain_point_row(bar: ParetoBar, priority: str) -> list[Any]:
    handling, csat = METRICS["handling_median"], METRICS["csat_mean"]
    return [
        bar.label,
        bar.count,
        f"{bar.share:.1f} %",
        f"{bar.cumulative:.1f} %",
        formatting.display(handling, value_of(handling, bar.extra)),
        formatting.display(csat, value_of(csat, bar.extra)),
        priority,
    ]


def _key_figures(board: Dashboard, style: dict[str, ParagraphStyle]) -> list[Any]:
    """Each tile's value and n against the previous period's, and the change."""
    rows: list[list[Any]] = [
        [_g("Metric"), _g("This period"), "n", _g("Previous period"), "n", _g("Change")]
    ]
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
    return [
        Spacer(1, 5 * mm),
        _text(_g("Key figures"), style["h2"]),
        _table(rows, [58 * mm, 26 * mm, 14 * mm, 26 * mm, 14 * mm, 26 * mm]),
    ]


def _trend(board: Dashboard, style: dict[str, ParagraphStyle]) -> list[Any]:
    return [
        Spacer(1, 5 * mm),
        _text(_g("Trend: tickets per day"), style["h2"]),
        _trend_chart(board),
    ]


def _open_plans(plans: Sequence[PlanLine], style: dict[str, ParagraphStyle]) -> list[Any]:
    heading = _text(_g("Open improvement plans"), style["h2"])
    if not plans:
        return [heading, _text(_g("No open plans."), style["body"])]
    rows: list[list[Any]] = [
        [_g("Plan"), _g("Title"), _g("Phase"), _g("Owner"), _g("Deadline"), _g("Effect")]
    ]
    rows += [
        [
            p.code,
            _text(p.title, style["small"]),
            p.phase,
            p.owner,
            p.deadline,
            _text(p.effect, style["small"]),
        ]
        for p in plans
    ]
    return [heading, _table(rows, [22 * mm, 50 * mm, 16 * mm, 22 * mm, 20 * mm, 44 * mm])]
