"""Read side of follow-ups: who sees which, and the lists of the desk page and the API."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import TeamMembership, User
from serviceloop.core import clock
from serviceloop.core.errors import ValidationFailed
from serviceloop.tickets.reference import catalogue

from .choices import FollowUpStatus
from .models import FollowUp
from .permissions import SEES_ALL_FOLLOW_UPS_ROLES

RELATED = ("ticket", "customer", "assignee", "team", "csat_survey", "nps_response")


def follow_ups_visible_to(user: User) -> QuerySet[FollowUp]:
    """The one rule of follow-up visibility: managers, administrators, specialists and
    analysts see all; agents and supervisors their teams' and the ones assigned to them;
    customers and partners none."""
    rows = FollowUp.objects.select_related(*RELATED)
    if not user.is_active:
        return rows.none()
    if user.role in SEES_ALL_FOLLOW_UPS_ROLES:
        return rows
    if user.role in (Role.AGENT, Role.SUPERVISOR):
        teams = TeamMembership.objects.filter(user_id=user.pk).values("team_id")
        return rows.filter(Q(team_id__in=teams) | Q(assignee_id=user.pk))
    return rows.none()


def get_follow_up_for(user: User, follow_up_id: int) -> FollowUp:
    """One follow-up the user sees; 404 otherwise (never 403: it is not confirmed to exist)."""
    follow_up = follow_ups_visible_to(user).filter(pk=follow_up_id).first()
    if follow_up is None:
        raise Http404("follow-up")
    return follow_up


def follow_ups_for(
    user: User,
    *,
    mine: bool = False,
    team: str | None = None,
    status: str | None = None,
    overdue: bool = False,
) -> QuerySet[FollowUp]:
    """The follow-ups `user` sees, earliest due first: `mine` only those assigned to them,
    `team` (a code) only that team's, `status` one status, `overdue` only open ones past
    their due time. Unknown codes are field errors."""
    errors = {}
    rows = follow_ups_visible_to(user)
    if mine:
        rows = rows.filter(assignee_id=user.pk)
    if team:
        found = catalogue().teams.get(team)
        if found is None:
            errors["team"] = _("There is no active team with this code.")
        else:
            rows = rows.filter(team_id=found.pk)
    if status:
        if status not in FollowUpStatus.values:
            errors["status"] = _("Choose a valid value.")
        rows = rows.filter(status=status)
    if overdue:
        rows = rows.filter(status=FollowUpStatus.OPEN, due_at__lt=clock.now())
    if errors:
        raise ValidationFailed(errors)
    return rows.order_by("due_at", "id")


def desk_lists(user: User, *, limit: int = 100) -> dict[str, list[FollowUp]]:
    """The desk page: the user's open follow-ups, and their teams' others (unassigned ones
    first in line), earliest due first, at most `limit` each."""
    open_rows = follow_ups_visible_to(user).filter(status=FollowUpStatus.OPEN)
    mine = list(open_rows.filter(assignee_id=user.pk).order_by("due_at", "id")[:limit])
    teams = open_rows.exclude(assignee_id=user.pk)
    if user.role not in SEES_ALL_FOLLOW_UPS_ROLES:
        teams = teams.filter(team_id__in=user.team_ids)
    return {"mine": mine, "team": list(teams.order_by("due_at", "id")[:limit])}
