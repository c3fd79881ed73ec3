"""Who may do what with root-cause analyses and improvement plans (object scope: queries)."""

from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.core.errors import NotPermitted

# Start and edit analyses; create, run and close plans and their actions.
IMPROVEMENT_MANAGER_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.MANAGER, Role.SPECIALIST})
# Read every analysis and plan.
IMPROVEMENT_READER_ROLES = IMPROVEMENT_MANAGER_ROLES | {Role.ANALYST}
# Read the plans that concern one of their teams (queries.plans_visible_to).
TEAM_PLAN_READER_ROLES = frozenset({Role.AGENT})
# See the improvement pages at all.
IMPROVEMENT_ROLES = IMPROVEMENT_READER_ROLES | TEAM_PLAN_READER_ROLES


def manages_improvement(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in IMPROVEMENT_MANAGER_ROLES


def reads_all_improvement(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in IMPROVEMENT_READER_ROLES


def uses_improvement(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in IMPROVEMENT_ROLES


def require_manager(user: User) -> None:
    if not manages_improvement(user):
        raise NotPermitted(_("Your role may not change root-cause analyses or improvement plans."))


def require_plan_reader(user: User) -> None:
    if not uses_improvement(user):
        raise NotPermitted(_("Your role may not see improvement plans."))


def require_analysis_reader(user: User) -> None:
    if not reads_all_improvement(user):
        raise NotPermitted(_("Your role may not see root-cause analyses."))
