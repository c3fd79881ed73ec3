"""Figures in words and numbers, the same on pages, in exports, digests and the report."""

from django.utils.translation import gettext as _g

from .registry import Metric, Unit


def display(metric: Metric, value: float | None) -> str:
    """A metric's value for people: "no data" when there is nothing to measure."""
    if value is None:
        return _g("no data")
    if metric.unit == Unit.MINUTES:
        return duration(value)
    if metric.unit == Unit.PERCENT:
        return f"{value:.1f} %"
    if metric.unit == Unit.SCORE:
        return f"{value:.2f}"
    if metric.unit == Unit.NPS:
        return f"{value:+.0f}"
    return f"{value:,.0f}"


def duration(minutes: float) -> str:
    if minutes < 90:
        return _g("%(n).0f min") % {"n": minutes}
    return _g("%(n).1f h") % {"n": minutes / 60}


def change(metric: Metric, delta: float | None) -> str:
    """The signed difference in the metric's unit ("+2.5 pts", "−30 min")."""
    if delta is None:
        return ""
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    size = abs(delta)
    if metric.unit == Unit.MINUTES:
        return sign + duration(size)
    if metric.unit == Unit.PERCENT:
        return sign + _g("%(n).1f pts") % {"n": size}
    if metric.unit == Unit.SCORE:
        return f"{sign}{size:.2f}"
    return f"{sign}{size:,.0f}"


def plain(metric: Metric, value: float | None) -> float | None:
    """The value for a spreadsheet cell: hours for durations, rounded sensibly."""
    if value is None:
        return None
    if metric.unit == Unit.MINUTES:
        return round(value / 60, 2)
    return round(value, 2)


def plain_unit(metric: Metric) -> str:
    return {
        Unit.MINUTES: _g("hours"),
        Unit.PERCENT: "%",
        Unit.SCORE: "1-5",
        Unit.NPS: "NPS",
        Unit.COUNT: _g("count"),
    }[metric.unit]
