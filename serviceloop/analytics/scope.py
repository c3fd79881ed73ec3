"""What a figure is about: the dashboard's filters, a plan's scope and its pilot scope.

A `Scope` names teams, categories (each with its sub-categories), channels, kinds and
customer tiers; an empty field means "all". The dates are not part of it: every query takes
its window separately, so that one scope serves a baseline and an after window alike.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import Team
from serviceloop.core.errors import ValidationFailed
from serviceloop.core.ids import MAX_ID
from serviceloop.customers.models import CustomerTier
from serviceloop.tickets.choices import Channel, Kind
from serviceloop.tickets.models import Category

MAX_WINDOW_DAYS = 3 * 366
# The days a window may start and end on, as for every other date the application takes
# (api.common.Moment): a window and the one before it stay within what dates can hold.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


@dataclass(frozen=True)
class Scope:
    teams: tuple[int, ...] = ()
    categories: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    tiers: tuple[int, ...] = ()

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> "Scope":
        """A scope from JSON or a query string (lists of ids / codes); unknown values are
        field errors, translated."""
        errors: dict[str, Any] = {}
        unknown = set(values) - {f.name for f in fields(cls)}
        for name in sorted(unknown):
            errors[name] = _("Unknown filter.")
        teams = _ids(values.get("teams"), "teams", Team.objects, errors)
        categories = _ids(values.get("categories"), "categories", Category.objects, errors)
        tiers = _ids(values.get("tiers"), "tiers", CustomerTier.objects, errors)
        channels = _codes(values.get("channels"), "channels", Channel.values, errors)
        kinds = _codes(values.get("kinds"), "kinds", Kind.values, errors)
        if errors:
            raise ValidationFailed(errors)
        return cls(teams, categories, channels, kinds, tiers)

    def to_dict(self) -> dict[str, list[Any]]:
        return {f.name: list(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)}

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def describe(self) -> str:
        """The scope in words, e.g. "Team: Logistics · Channel: Phone" ("All tickets")."""
        parts = []
        if self.teams:
            teams = Team.objects.filter(pk__in=self.teams).order_by("code")
            parts.append(_g("Team: %s") % ", ".join(str(t) for t in teams))
        if self.categories:
            categories = Category.objects.filter(pk__in=self.categories).order_by("code")
            parts.append(_g("Category: %s") % ", ".join(str(c) for c in categories))
        if self.channels:
            labels = ", ".join(str(Channel(c).label) for c in self.channels)
            parts.append(_g("Channel: %s") % labels)
        if self.kinds:
            parts.append(_g("Kind: %s") % ", ".join(str(Kind(k).label) for k in self.kinds))
        if self.tiers:
            tiers = CustomerTier.objects.filter(pk__in=self.tiers).order_by("rank")
            parts.append(_g("Customer tier: %s") % ", ".join(str(t) for t in tiers))
        return " · ".join(parts) or _g("All tickets")


@dataclass(frozen=True)
class Window:
    """Local calendar days, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Window":
        """The window of the same length just before this one."""
        return Window(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    @classmethod
    def recent(cls, start: date | None, end: date | None, *, today: date, days: int) -> "Window":
        """A dashboard's window: `end` defaults to today, `start` to `days` days up to end."""
        end = end or today
        if start is None and FIRST_DAY <= end <= LAST_DAY:
            start = end - timedelta(days=days - 1)
        return cls.checked(start or end, end)

    @classmethod
    def checked(cls, start: date | None, end: date | None, *, prefix: str = "") -> "Window":
        errors = {}
        if start is None:
            errors[f"{prefix}start"] = _("Enter a start date.")
        if end is None:
            errors[f"{prefix}end"] = _("Enter an end date.")
        for name, day in (("start", start), ("end", end)):
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                errors[f"{prefix}{name}"] = _("Enter a date between the years 1900 and 9998.")
        if errors:
            raise ValidationFailed(errors)
        if start and end and end < start:
            errors[f"{prefix}end"] = _("The end date must not be before the start date.")
        elif start and end and (end - start).days >= MAX_WINDOW_DAYS:
            errors[f"{prefix}end"] = _("A window may cover at most three years.")
        if errors:
            raise ValidationFailed(errors)
        assert start is not None
        assert end is not None
        return cls(start, end)


def _as_list(raw: Any) -> list[Any]:
    if raw in (None, "", []):
        return []
    if isinstance(raw, (list, tuple)):
        return [item for item in raw if item not in (None, "")]
    return [raw]


def _ids(raw: Any, name: str, manager: Any, errors: dict[str, Any]) -> tuple[int, ...]:
    values = _as_list(raw)
    try:
        ids = sorted({int(value) for value in values})
    except (TypeError, ValueError):
        errors[name] = _("Choose from the list.")
        return ()
    # a number no row can have (the database would refuse to compare with it) is no choice
    if any(not 0 < pk <= MAX_ID for pk in ids) or (
        ids and manager.filter(pk__in=ids).count() != len(ids)
    ):
        errors[name] = _("Choose from the list.")
        return ()
    return tuple(ids)


def _codes(raw: Any, name: str, allowed: list[str], errors: dict[str, Any]) -> tuple[str, ...]:
    codes = sorted({str(value) for value in _as_list(raw)})
    if any(code not in allowed for code in codes):
        errors[name] = _("Choose from the list.")
        return ()
    return tuple(codes)
