"""The sentence of each kind of notification, in the reader's language.

A notification stores codes and values (`params`), never text: the sentence is translated
when it is shown, so a reader who switches to Chinese sees yesterday's notifications in
Chinese too. Rendering never fails on a notification whose params are incomplete (written by
an older release, or by hand): a missing value shows as "…".
"""

from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Kind, Notification

MISSING = "…"

MESSAGES: dict[str, Promise] = {
    Kind.ASSIGNED: _("Ticket %(number)s was assigned to you"),
    Kind.CUSTOMER_REPLIED: _("Ticket %(number)s: the customer replied"),
    Kind.SLA_WARNING: _("Ticket %(number)s: the %(target)s target is due at %(due_at)s"),
    Kind.SLA_BREACHED: _("Ticket %(number)s: the %(target)s target was breached"),
    Kind.ESCALATED: _("Ticket %(number)s was escalated to you: the %(target)s target"),
    Kind.COMMITMENT_DUE: _("Ticket %(number)s: the promise “%(text)s” is due at %(due_at)s"),
    Kind.COMMITMENT_MISSED: _("Ticket %(number)s: the promise “%(text)s” was missed"),
    Kind.STAFF_SURVEY: _("Staff survey “%(text)s”: please answer by %(due_at)s"),
    Kind.FOLLOW_UP_OVERDUE: _("Follow-up call for %(number)s was due at %(due_at)s"),
    Kind.PLAN_ACTION_DELAYED: _("Plan %(number)s: the action “%(text)s” is past its planned end"),
}

# The SLA targets named in params["target"].
TARGETS: dict[str, Promise] = {
    "first_response": _("first response"),
    "next_response": _("next response"),
    "resolution": _("resolution"),
}


class _Values(dict[str, str]):
    """Placeholder values; one the params lack reads as MISSING instead of a KeyError."""

    def __missing__(self, key: str) -> str:
        return MISSING


def _moment(value: Any) -> str:
    """An ISO time as a short date and time in the reader's time zone and format."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        return MISSING
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def number_of(notification: Notification) -> str:
    """The ticket's number (the ticket must be loaded: select_related("ticket"))."""
    if notification.ticket_id is not None and notification.ticket is not None:
        return str(notification.ticket.number)
    return str(notification.params.get("number") or MISSING)


def values_of(notification: Notification) -> _Values:
    params = notification.params if isinstance(notification.params, dict) else {}
    values = _Values(number=number_of(notification))
    target = params.get("target")
    if target:
        values["target"] = str(TARGETS.get(str(target), target))
    if params.get("due_at"):
        values["due_at"] = _moment(params["due_at"])
    if params.get("text"):
        values["text"] = str(params["text"])
    if params.get("rule"):
        values["rule"] = str(params["rule"])
    return values


def render(notification: Notification) -> str:
    """The notification's sentence in the active language."""
    template = MESSAGES.get(notification.kind)
    if template is None:  # a kind this release does not know
        return gettext("Ticket %(number)s changed") % {"number": number_of(notification)}
    try:
        return str(template) % values_of(notification)
    except (TypeError, ValueError):  # a broken translation: fall back to the kind's name
        return f"{Kind(notification.kind).label} · {number_of(notification)}"
