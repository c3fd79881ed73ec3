"""Who may do what with feedback and staff surveys (object scope lives in queries)."""

from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import STAFF_ROLES, Role
from serviceloop.accounts.models import User
from serviceloop.core.errors import NotPermitted

# Classify items, change their status, link tickets, bulk-classify; create and send staff
# surveys and turn their text answers into items.
FEEDBACK_MANAGER_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.MANAGER, Role.SPECIALIST})
# See every item and export the register; read staff survey results.
FEEDBACK_READER_ROLES = FEEDBACK_MANAGER_ROLES | {Role.ANALYST}
# Register feedback through the staff door (may stay anonymous). Agents see only the
# items that concern their teams.
FEEDBACK_STAFF_ROLES = STAFF_ROLES


def manages_feedback(user: User) -> bool:
    return user.is_active and user.role in FEEDBACK_MANAGER_ROLES


def reads_all_feedback(user: User) -> bool:
    return user.is_active and user.role in FEEDBACK_READER_ROLES


def require_manager(user: User) -> None:
    if not manages_feedback(user):
        raise NotPermitted(_("Your role may not manage feedback."))


def require_reader(user: User) -> None:
    if not reads_all_feedback(user):
        raise NotPermitted(_("Your role may not read the whole feedback register."))


def require_survey_manager(user: User) -> None:
    if not manages_feedback(user):
        raise NotPermitted(_("Your role may not create or send staff surveys."))
