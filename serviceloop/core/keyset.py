"""Keyset ("cursor") pagination: page 50 costs what page 1 costs, and no COUNT(*).

The cursor is the sort key of the last row shown, opaque to clients. Ordering is by one
or more model fields, descending (or ascending), ending in a unique one (usually the id).
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db.models import F, Field, Model, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Page[M: Model]:
    items: list[M]
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode[M: Model](cursor: str, fields: tuple[str, ...], queryset: QuerySet[M]) -> list[Any]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(fields):
            raise ValueError
        # the ordering fields are the model's own fields, never reverse relations
        model_fields = [cast(Field[Any, Any], queryset.model._meta.get_field(n)) for n in fields]
        return [field.to_python(value) for field, value in zip(model_fields, raw, strict=True)]
    except (ValueError, TypeError, ValidationError):
        raise DomainError(_("This cursor is not valid."), field="cursor") from None


def _after(fields: tuple[str, ...], values: list[Any], *, descending: bool = True) -> Q:
    """Rows after `values` in the order of `fields`.

    Written as `a <= x AND (a < x OR (a = x AND b < y))` (descending) so the leading bound
    is an index range and only ties on `a` are filtered.
    """
    op = "lt" if descending else "gt"
    head, rest = fields[0], fields[1:]
    strictly = Q(**{f"{head}__{op}": values[0]})
    if not rest:
        return strictly
    return Q(**{f"{head}__{op}e": values[0]}) & (
        strictly | (Q(**{head: values[0]}) & _after(rest, values[1:], descending=descending))
    )


def paginate[M: Model](
    queryset: QuerySet[M],
    *,
    fields: tuple[str, ...],
    cursor: str | None,
    size: int,
    descending: bool = True,
    fenced: bool = False,
) -> Page[M]:
    """One page of `queryset` in the order of `fields`, after `cursor`.

    `fenced` is for filters served by an index of their own, such as full-text search:
    ordered by the bare columns, PostgreSQL may walk the date index testing each row, betting
    that matches come early; when they do not (a word common elsewhere, rare in the user's
    scope) it reads the whole table. Ordered by COALESCE(column, column) it must take the
    filter's matches and sort them, which costs what the matches cost, never more.
    """
    if cursor:
        values = _decode(cursor, fields, queryset)
        queryset = queryset.filter(_after(fields, values, descending=descending))
    keys = [Coalesce(F(name), F(name)) if fenced else F(name) for name in fields]
    order = [key.desc() if descending else key.asc() for key in keys]
    rows = list(queryset.order_by(*order)[: size + 1])
    items = rows[:size]
    next_cursor = None
    if len(rows) > size:
        last = items[-1]
        next_cursor = _encode([getattr(last, name) for name in fields])
    return Page(items=items, next_cursor=next_cursor)
