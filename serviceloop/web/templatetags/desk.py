"""Badges and small formatting helpers shared by every page."""

from datetime import datetime, timedelta

from django import forms, template
from django.forms import BoundField
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from serviceloop.core import clock
from serviceloop.sla import queries as sla_queries
from serviceloop.tickets.choices import CommitmentStatus, Emotion, Status, Urgency
from serviceloop.tickets.models import Ticket

register = template.Library()

# The colour helps the eye; the text carries the meaning (colour-blind users, print).
STATUS_STYLE: dict[str, str] = {
    Status.NEW: "text-bg-primary",
    Status.IN_PROGRESS: "text-bg-info",
    Status.WAITING_CUSTOMER: "text-bg-warning",
    Status.RESOLVED: "text-bg-success",
    Status.CLOSED: "text-bg-secondary",
}
URGENCY_STYLE: dict[str, str] = {
    Urgency.CRITICAL: "text-bg-danger",
    Urgency.HIGH: "sl-urgency-high",
    Urgency.MEDIUM: "sl-urgency-medium",
    Urgency.LOW: "text-bg-light border",
}
EMOTION_STYLE: dict[str, str] = {
    Emotion.SATISFIED: "text-bg-success",
    Emotion.NEUTRAL: "text-bg-light border",
    Emotion.DISSATISFIED: "text-bg-warning",
    Emotion.ANGRY: "text-bg-danger",
}
COMMITMENT_STYLE: dict[str, str] = {
    CommitmentStatus.OPEN: "text-bg-primary",
    CommitmentStatus.KEPT: "text-bg-success",
    CommitmentStatus.MISSED: "text-bg-danger",
    CommitmentStatus.RENEGOTIATED: "text-bg-warning",
}


def _badge(style: str, label: object, kind: str, value: str) -> SafeString:
    return format_html(
        '<span class="badge {} sl-{}" data-{}="{}">{}</span>', style, kind, kind, value, label
    )


@register.simple_tag
def status_badge(value: str) -> SafeString:
    return _badge(STATUS_STYLE.get(value, "text-bg-light"), Status(value).label, "status", value)


@register.simple_tag
def urgency_badge(value: str) -> SafeString:
    label = Urgency(value).label
    return _badge(URGENCY_STYLE.get(value, "text-bg-light"), label, "urgency", value)


@register.simple_tag
def emotion_badge(value: str) -> SafeString:
    if not value:
        return SafeString("")
    label = Emotion(value).label
    return _badge(EMOTION_STYLE.get(value, "text-bg-light"), label, "emotion", value)


@register.simple_tag
def commitment_badge(value: str) -> SafeString:
    label = CommitmentStatus(value).label
    return _badge(COMMITMENT_STYLE.get(value, "text-bg-light"), label, "commitment", value)


@register.filter
def age(moment: datetime | None) -> str:
    """How long ago, compact: "5 min", "3 h", "2 d"."""
    if moment is None:
        return ""
    delta = clock.now() - moment
    if delta < timedelta(hours=1):
        minutes = max(int(delta.total_seconds() // 60), 0)
        return ngettext("%(n)d min", "%(n)d min", minutes) % {"n": minutes}
    if delta < timedelta(days=2):
        hours = int(delta.total_seconds() // 3600)
        return ngettext("%(n)d h", "%(n)d h", hours) % {"n": hours}
    return ngettext("%(n)d day", "%(n)d days", delta.days) % {"n": delta.days}


@register.filter
def due_state(moment: datetime | None) -> str:
    """ "overdue" or "" for a due time: lets a template colour it."""
    if moment is not None and moment < clock.now():
        return "overdue"
    return ""


@register.simple_tag
def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


@register.filter
def styled(field: BoundField) -> SafeString:
    """A form field's widget with Bootstrap's classes (and is-invalid when it has errors)."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs: dict[str, str | bool] = {"class": f"{css} {widget.attrs.get('class', '')}".strip()}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.inclusion_tag("desk/_sla_targets.html")
def sla_targets(ticket: Ticket) -> dict[str, object]:
    """The ticket's SLA targets as coloured countdowns (one query)."""
    return {"targets": sla_queries.targets_of(ticket)}


@register.inclusion_tag("desk/_sla_targets.html")
def sla_next(ticket: Ticket) -> dict[str, object]:
    """A list row: the running target due first, from the clock the list loaded."""
    clock = sla_queries.clock_loaded(ticket)
    target = sla_queries.most_urgent(sla_queries.targets_from(clock, ticket))
    return {"targets": [target] if target else [], "compact": True}
