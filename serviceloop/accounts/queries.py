"""Reads about staff that several apps need."""

from collections.abc import Iterable

from django.db.models import F

from .choices import Role
from .models import User


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
