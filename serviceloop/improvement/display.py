"""A plan's effect in words, the same on the plan page and in the API: always with n and the
interval, never a bare "improved"."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from serviceloop.analytics import formatting
from serviceloop.analytics.registry import Metric
from serviceloop.audit.models import AuditEvent

from . import events, stats
from .choices import Phase, PlanStatus

METHODS: dict[str, Promise] = {
    stats.Method.WELCH: _("Welch t interval"),
    stats.Method.NEWCOMBE: _("Newcombe (Wilson) interval"),
    stats.Method.BOOTSTRAP: _("bootstrap, 2,000 resamples"),
    stats.Method.NORMAL: _("normal approximation"),
}


@dataclass(frozen=True)
class Figure:
    """One comparison for people: the values, the change with its interval, the verdict."""

    before: str
    after: str
    change: str
    interval: str
    n_before: int
    n_after: int
    verdict: str
    tone: str  # success | danger | secondary (Bootstrap colours)
    method: str


def _verdict(
    metric: Metric, change: float | None, low: float | None, significant: bool
) -> tuple[str, str]:
    if change is None:
        return gettext("no data"), "secondary"
    if low is None:
        return gettext("too few tickets for an interval"), "secondary"
    if not significant:
        return gettext("no clear change (the interval includes 0)"), "secondary"
    better = (change < 0) == (metric.direction == "lower")
    if better:
        return gettext("better, beyond chance at 95 %"), "success"
    return gettext("worse, beyond chance at 95 %"), "danger"


def interval(metric: Metric, low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "—"
    return gettext("95 %% CI %(low)s to %(high)s") % {
        "low": formatting.change(metric, low) or "0",
        "high": formatting.change(metric, high) or "0",
    }


def figure(metric: Metric, comparison: stats.Comparison) -> Figure:
    verdict, tone = _verdict(metric, comparison.change, comparison.low, comparison.significant)
    return Figure(
        before=formatting.display(metric, comparison.before_value),
        after=formatting.display(metric, comparison.after_value),
        change=formatting.change(metric, comparison.change) or gettext("no data"),
        interval=interval(metric, comparison.low, comparison.high),
        n_before=comparison.n_before,
        n_after=comparison.n_after,
        verdict=verdict,
        tone=tone,
        method=str(METHODS[comparison.method]),
    )


@dataclass(frozen=True)
class DidFigure:
    estimate: str
    interval: str
    ns: tuple[int, int, int, int]  # pilot before, pilot after, rest before, rest after
    verdict: str
    tone: str
    method: str


def did_figure(metric: Metric, did: stats.DifferenceInDifferences) -> DidFigure:
    verdict, tone = _verdict(metric, did.estimate, did.low, did.significant)
    return DidFigure(
        estimate=formatting.change(metric, did.estimate) or gettext("no data"),
        interval=interval(metric, did.low, did.high),
        ns=(did.n_pilot_before, did.n_pilot_after, did.n_rest_before, did.n_rest_after),
        verdict=verdict,
        tone=tone,
        method=str(METHODS[did.method]),
    )


def completion(value: float | None) -> str:
    """Target completion as a percentage ("no data" without one; over 100 % shown)."""
    if value is None:
        return gettext("no data")
    return f"{value * 100:.0f} %"


HISTORY: dict[str, Promise] = {
    events.PLAN_CREATED: _("Plan created"),
    events.PLAN_UPDATED: _("Plan edited"),
    events.PLAN_PHASE_CHANGED: _("Phase changed"),
    events.PLAN_STATUS_CHANGED: _("Status changed"),
}


def history_line(event: AuditEvent) -> str:
    """An audit event of a plan in words: "Phase changed: Plan → Do"."""
    text = str(HISTORY.get(event.action, event.action))
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    for name, labels in (("phase", Phase), ("status", PlanStatus)):
        if name in after and event.action != events.PLAN_CREATED:
            old, new = before.get(name), after[name]
            text += f": {_label(labels, old)} → {_label(labels, new)}"
    if event.action == events.PLAN_UPDATED:
        text += ": " + ", ".join(sorted(after))
    return text


def _label(choices: type[Phase] | type[PlanStatus], code: object) -> str:
    labels = dict(choices.choices)
    return str(labels.get(str(code), code or "—"))
