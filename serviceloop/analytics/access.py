"""Who sees which figures: analysts, specialists, managers and administrators see every
team's; supervisors and agents their teams' (an agent, among the agents, only their own
line). Customers and partners see no analytics."""

from dataclasses import replace

from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.core.errors import NotPermitted

from .queries import Visibility
from .scope import Scope

EVERY_TEAM_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.SPECIALIST, Role.ANALYST})
TEAM_ROLES = frozenset({Role.SUPERVISOR, Role.AGENT})
EXPORT_ROLES = EVERY_TEAM_ROLES | {Role.SUPERVISOR}


def may_view(user: User) -> bool:
    return user.is_authenticated and user.role in EVERY_TEAM_ROLES | TEAM_ROLES


def visibility_for(user: User) -> Visibility:
    if not may_view(user):
        raise NotPermitted(_("Only staff see the analytics."))
    if user.role in EVERY_TEAM_ROLES:
        return Visibility(teams=None)
    own = user.pk if user.role == Role.AGENT else None
    return Visibility(teams=tuple(user.team_ids), assignee_only=own)


def restrict(scope: Scope, visibility: Visibility) -> Scope:
    """The scope within what the viewer may see: a team outside theirs is refused, no team
    means all of theirs."""
    if visibility.teams is None:
        return scope
    if not scope.teams:
        return replace(scope, teams=visibility.teams or (-1,))
    if set(scope.teams) - set(visibility.teams):
        raise NotPermitted(_("You see the figures of your own teams only."), field="teams")
    return scope
