"""Categories, teams and custom-field definitions, as every ticket creation needs them.

They change rarely and are read on every request, so each process keeps them for
REFERENCE_CACHE_SECONDS (default 30 s). A change saved in this process (admin, API) drops
the copy at once; other processes see it within that time. See
docs/decisions/0006-reference-data-cache.md.
"""

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from serviceloop.accounts.models import Team

from .models import Category, CustomField


@dataclass(frozen=True)
class Catalogue:
    categories: dict[str, Category]  # active categories by code
    teams: dict[str, Team]  # active teams by code
    category_by_id: dict[int, Category]  # every category, to show a ticket's
    team_by_id: dict[int, Team]  # every team, to show a ticket's
    routes: dict[int, Team | None]  # category id -> the team its new tickets go to
    default_team: Team | None
    custom_fields: dict[str, CustomField]  # active definitions by key
    loaded_at: float


_current: Catalogue | None = None


def catalogue() -> Catalogue:
    global _current
    if _current is None or time.monotonic() - _current.loaded_at > settings.REFERENCE_CACHE_SECONDS:
        _current = _load()
    return _current


def forget(**kwargs: Any) -> None:
    """Drop this process's copy (connected to the models' save and delete signals)."""
    global _current
    _current = None


def _load() -> Catalogue:
    every_team = {team.pk: team for team in Team.objects.all()}
    teams = {pk: team for pk, team in every_team.items() if team.is_active}
    default_team = next((team for team in teams.values() if team.is_default), None)
    every_category = {category.pk: category for category in Category.objects.all()}
    routes: dict[int, Team | None] = {}
    for category in every_category.values():
        routes[category.pk] = _route(category, every_category, teams) or default_team
        if category.team_id is not None and category.team_id in every_team:
            category.team = every_team[category.team_id]  # no query when the API shows it
    return Catalogue(
        categories={c.code: c for c in every_category.values() if c.is_active},
        teams={team.code: team for team in teams.values()},
        category_by_id=every_category,
        team_by_id=every_team,
        routes=routes,
        default_team=default_team,
        custom_fields={f.key: f for f in CustomField.objects.filter(is_active=True)},
        loaded_at=time.monotonic(),
    )


def _route(
    category: Category, every_category: dict[int, Category], teams: dict[int, Team]
) -> Team | None:
    """The active team of the category or of its nearest ancestor that has one."""
    node: Category | None = category
    while node is not None:
        if node.team_id is not None and node.team_id in teams:
            return teams[node.team_id]
        node = every_category.get(node.parent_id) if node.parent_id is not None else None
    return None
