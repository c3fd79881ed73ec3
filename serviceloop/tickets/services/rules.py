"""Rules shared by several ticket use cases."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import Team, User
from serviceloop.core.errors import NotPermitted

from ..models import Category
from ..reference import catalogue


def team_for_category(category: Category | None) -> Team | None:
    """The category's team, else its nearest ancestor's, else the default team."""
    known = catalogue()
    if category is None:
        return known.default_team
    return known.routes.get(category.pk, known.default_team)


def check_assignee(user: User | None, team: Team | None) -> Promise | None:
    """Why `user` cannot own a ticket of `team`, or None when they can.

    An assignee works tickets and belongs to the team; managers and administrators may
    take any ticket (escalated and cross-department work lands with them).
    """
    if user is None or not user.is_active:
        return _("There is no active user with this id.")
    if not user.works_tickets:
        return _("This user's role does not work tickets.")
    if user.role in (Role.ADMIN, Role.MANAGER):
        return None
    if team is None or team.pk not in user.team_ids:
        return _("This user is not a member of the ticket's team.")
    return None


def require_worker(actor: User) -> None:
    if not actor.works_tickets:
        raise NotPermitted(_("Your role may not change tickets."))
