"""The tickets behind a figure (drill-down), and their export."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import Team, User
from serviceloop.core.errors import ValidationFailed
from serviceloop.core.ids import parse_id
from serviceloop.customers.models import Customer
from serviceloop.tickets.choices import Channel, Emotion, Kind, Status
from serviceloop.tickets.models import Category, Ticket

from .measures import MEASURES
from .models import TicketFact
from .registry import category_ids_with_descendants, scoped
from .scope import Scope, Window

# what a chart element narrows the list to: query parameter -> fact column
POINTS = {
    "day": "day",
    "category": "category_id",
    "channel": "channel",
    "team": "team_id",
    "assignee": "assignee_id",
    "customer": "customer_id",
    "kind": "kind",
}
# counts of the measures that a list may be limited to ("only=resolved")
ONLY = {name for name in MEASURES if not name.endswith(("_business", "_wall"))}


@dataclass(frozen=True)
class Drill:
    scope: Scope
    window: Window
    point: tuple[tuple[str, Any], ...] = ()
    only: str = ""

    @classmethod
    def from_query(cls, scope: Scope, window: Window, query: Mapping[str, Any]) -> "Drill":
        point = []
        errors: dict[str, Any] = {}
        for name, column in POINTS.items():
            raw = query.get(name)
            if raw in (None, ""):
                continue
            if raw == "none":
                point.append((column, None))
                continue
            try:
                value: Any = (
                    date.fromisoformat(raw)
                    if name == "day"
                    else (raw if name in ("channel", "kind") else parse_id(raw))
                )
            except ValueError:
                value = None
            if value is None:  # not a day, or no id (a row id fits a bigint)
                errors[name] = _("Not a valid value.")
                continue
            point.append((column, value))
        only = query.get("only") or ""
        if only and only not in ONLY and only not in {f"emotion_{e}" for e in Emotion.values}:
            errors["only"] = _("Not a valid value.")
        if errors:
            raise ValidationFailed(errors)
        return cls(scope, window, tuple(point), only)

    def facts(self) -> QuerySet[TicketFact]:
        found = scoped(
            TicketFact.objects.filter(day__gte=self.window.start, day__lte=self.window.end),
            self.scope,
        )
        for column, value in self.point:
            if column == "category_id" and value is not None:
                found = found.filter(category_id__in=category_ids_with_descendants([value]))
            elif value is None:
                found = found.filter(**{f"{column}__isnull": True})
            else:
                found = found.filter(**{column: value})
        if self.only:
            found = found.filter(**{f"{self.only}__gte": 1})
        return found.order_by("-day", "-ticket_id")


EXPORT_COLUMNS = (
    ("number", _("Number")),
    ("created", _("Created")),
    ("subject", _("Subject")),
    ("kind", _("Kind")),
    ("channel", _("Channel")),
    ("status", _("Status")),
    ("team", _("Team")),
    ("category", _("Category")),
    ("assignee", _("Assignee")),
    ("customer", _("Customer")),
    ("first_response_hours", _("First response (business hours)")),
    ("handling_hours", _("Handling (business hours)")),
    ("handling_wall_hours", _("Handling (hours)")),
    ("reopened", _("Reopened")),
    ("fcr", _("First-contact resolution")),
    ("escalated", _("Escalated")),
    ("csat", _("CSAT")),
)
CHUNK = 2000
FACT_FIELDS = (
    "ticket_id", "first_response_business", "handling_business", "handling_wall",
    "responded", "resolved", "reopened", "fcr", "escalated", "csat_answered", "csat_score",
)  # fmt: skip


def export_rows(drill: Drill) -> Iterator[list[Any]]:
    """The rows of the export, read in chunks with a server-side cursor (memory stays flat
    however many tickets there are)."""
    labels = _Labels()
    chunk: list[dict[str, Any]] = []
    for fact in drill.facts().values(*FACT_FIELDS).iterator(chunk_size=CHUNK):
        chunk.append(fact)
        if len(chunk) == CHUNK:
            yield from _rows(chunk, labels)
            chunk = []
    if chunk:
        yield from _rows(chunk, labels)


class _Labels:
    def __init__(self) -> None:
        self.teams = {t.pk: str(t) for t in Team.objects.all()}
        self.categories = {c.pk: str(c) for c in Category.objects.all()}
        self.kinds = {k: str(v) for k, v in Kind.choices}
        self.channels = {k: str(v) for k, v in Channel.choices}
        self.statuses = {k: str(v) for k, v in Status.choices}
        self.users: dict[int, str] = {}


def _hours(minutes: float, present: int) -> float | None:
    return round(minutes / 60, 2) if present else None


def _rows(facts: list[dict[str, Any]], labels: _Labels) -> Iterator[list[Any]]:
    tickets = Ticket.objects.filter(pk__in=[f["ticket_id"] for f in facts]).values(
        "pk", "number", "created_at", "subject", "kind", "channel", "status", "team_id",
        "category_id", "assignee_id", "customer_id",
    )  # fmt: skip
    by_id = {t["pk"]: t for t in tickets}
    wanted = {t["assignee_id"] for t in by_id.values()} - set(labels.users) - {None}
    labels.users |= {u.pk: u.display_name for u in User.objects.filter(pk__in=wanted)}
    customers = dict(
        Customer.objects.filter(pk__in={t["customer_id"] for t in by_id.values()}).values_list(
            "pk", "name"
        )
    )
    for fact in facts:
        ticket = by_id.get(fact["ticket_id"])
        if ticket is None:  # deleted since the fact was computed
            continue
        yield [
            ticket["number"],
            ticket["created_at"],
            ticket["subject"],
            labels.kinds.get(ticket["kind"], ticket["kind"]),
            labels.channels.get(ticket["channel"], ticket["channel"]),
            labels.statuses.get(ticket["status"], ticket["status"]),
            labels.teams.get(ticket["team_id"], ""),
            labels.categories.get(ticket["category_id"], ""),
            labels.users.get(ticket["assignee_id"], ""),
            customers.get(ticket["customer_id"], ""),
            _hours(fact["first_response_business"], fact["responded"]),
            _hours(fact["handling_business"], fact["resolved"]),
            _hours(fact["handling_wall"], fact["resolved"]),
            bool(fact["reopened"]),
            bool(fact["fcr"]),
            bool(fact["escalated"]),
            fact["csat_score"] if fact["csat_answered"] else None,
        ]
