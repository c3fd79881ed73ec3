"""Scopes as sets: the part of a plan's scope its pilot covers, and whether anything is left
for the comparison group ("the rest")."""

from dataclasses import fields
from typing import Any

from serviceloop.analytics.registry import category_ids_with_descendants
from serviceloop.analytics.scope import Scope

_FIELDS = tuple(f.name for f in fields(Scope))


def _members(scope: Scope, name: str) -> frozenset[Any] | None:
    """The values a field admits (None: all); categories with their sub-categories."""
    chosen = getattr(scope, name)
    if not chosen:
        return None
    if name == "categories":
        return frozenset(category_ids_with_descendants(chosen))
    return frozenset(chosen)


def intersect(first: Scope, second: Scope) -> Scope | None:
    """The tickets in both scopes, as a scope; None when no ticket can be in both."""
    values: dict[str, tuple[Any, ...]] = {}
    for name in _FIELDS:
        a, b = _members(first, name), _members(second, name)
        if a is None and b is None:
            values[name] = ()
            continue
        both = b if a is None else (a if b is None else a & b)
        if not both:
            return None
        values[name] = tuple(sorted(both))
    return Scope(**values)


def leaves_a_rest(scope: Scope, part: Scope) -> bool:
    """Whether `part` leaves out some of `scope` in at least one field (so that the rest of
    the scope can serve as the comparison group)."""
    for name in _FIELDS:
        whole, inner = _members(scope, name), _members(part, name)
        if inner is None:
            continue
        if whole is None or not whole <= inner:
            return True
    return False
