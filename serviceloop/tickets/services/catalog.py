"""Configuring the category tree (问题分类)."""

import re
from collections.abc import Mapping
from typing import Any, cast

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import Team, User
from serviceloop.audit import services as audit
from serviceloop.core.errors import NotPermitted, ValidationFailed

from .. import events
from ..models import Category

CATEGORY_FIELDS = ("name_en", "name_zh", "parent", "team", "position", "is_active")
_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
MAX_DEPTH = 4


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise NotPermitted(_("Only administrators can change the configuration."))


def _resolve(
    values: Mapping[str, Any], errors: dict[str, Any], *, current: Category | None
) -> dict[str, Any]:
    """Turn codes into objects and check names, parent and team."""
    resolved: dict[str, Any] = {}
    for name in ("name_en", "name_zh"):
        if name in values:
            text = str(values[name] or "").strip()
            if not text:
                errors[name] = _("This field is required.")
            elif len(text) > 100:
                errors[name] = _("Use at most 100 characters.")
            resolved[name] = text
    if "parent" in values:
        parent = None
        if values["parent"]:
            parent = Category.objects.filter(code=values["parent"]).first()
            if parent is None:
                errors["parent"] = _("There is no category with this code.")
            elif current is not None and _is_within(parent, current):
                errors["parent"] = _("A category cannot be placed under itself.")
            elif _depth(parent) >= MAX_DEPTH:
                errors["parent"] = _("The category tree is at most four levels deep.")
        resolved["parent"] = parent
    if "team" in values:
        team = None
        if values["team"]:
            team = Team.objects.filter(code=values["team"]).first()
            if team is None:
                errors["team"] = _("There is no team with this code.")
        resolved["team"] = team
    for name in ("position", "is_active"):
        if name in values:
            resolved[name] = values[name]
    return resolved


def _is_within(node: Category | None, ancestor: Category) -> bool:
    while node is not None:
        if node.pk == ancestor.pk:
            return True
        node = node.parent
    return False


def _depth(node: Category) -> int:
    depth = 1
    while node.parent_id is not None:
        node = cast(Category, node.parent)  # a parent_id: a parent
        depth += 1
    return depth


@transaction.atomic
def create_category(*, actor: User, code: str, values: Mapping[str, Any]) -> Category:
    _require_admin(actor)
    errors: dict[str, Any] = {}
    if not _CODE.fullmatch(code):
        errors["code"] = _("Use lower-case letters, digits and hyphens.")
    elif Category.objects.filter(code=code).exists():
        errors["code"] = _("Another category has this code.")
    resolved = _resolve({"name_en": "", "name_zh": "", **values}, errors, current=None)
    if errors:
        raise ValidationFailed(errors)
    category = Category.objects.create(code=code, **resolved)
    audit.record(
        actor=actor, action=events.CATEGORY_CREATED, target=category,
        after={"code": code, **audit.snapshot(category, CATEGORY_FIELDS)},
    )  # fmt: skip
    return category


@transaction.atomic
def update_category(*, category: Category, actor: User, changes: Mapping[str, Any]) -> Category:
    _require_admin(actor)
    unknown = set(changes) - set(CATEGORY_FIELDS)
    if unknown:
        raise ValueError(f"not category fields: {sorted(unknown)}")
    errors: dict[str, Any] = {}
    resolved = _resolve(changes, errors, current=category)
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(category, resolved)
    for name, value in resolved.items():
        setattr(category, name, value)
    before, after = audit.changed(before, audit.snapshot(category, resolved))
    if after:
        category.save(update_fields=list(after))
        audit.record(
            actor=actor, action=events.CATEGORY_UPDATED, target=category, before=before, after=after
        )
    return category
