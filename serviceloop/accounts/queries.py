"""Reads about staff that several apps need."""

from collections.abc import Iterable

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from serviceloop.core.errors import DomainError

from .choices import Role
from .models import Team, User


def active_user(pk: int, *, field: str) -> User:
    """The active user `pk` named in a request's `field`; a DomainError on that field when
    there is none (ids come from clients: a form, an API body)."""
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise DomainError(_("There is no active user with this id."), field=field)
    return user


def active_team(code: str, *, field: str = "team") -> Team:
    """The active team `code` named in a request's `field`, or a DomainError on it."""
    team = Team.objects.filter(code=code, is_active=True).first()
    if team is None:
        raise DomainError(_("There is no active team with this code."), field=field)
    return team


def supervisors_by_team(team_ids: Iterable[int | None]) -> dict[int, list[User]]:
    """The active supervisors of each team (every asked team present, maybe with none), in
    one query."""
    wanted = {pk for pk in team_ids if pk is not None}
    found: dict[int, list[User]] = {pk: [] for pk in wanted}
    if wanted:
        supervisors = User.objects.filter(
            role=Role.SUPERVISOR, is_active=True, memberships__team_id__in=wanted
        ).annotate(team_id=F("memberships__team_id"))
        for user in supervisors.order_by("pk"):
            found[user.team_id].append(user)
    return found
