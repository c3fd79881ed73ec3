"""What the navigation offers each role: only what the role may use."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.analytics.access import may_view as may_view_analytics
from serviceloop.followups.permissions import FOLLOW_UP_WORKER_ROLES
from serviceloop.improvement.permissions import uses_improvement
from serviceloop.satisfaction.permissions import CAMPAIGN_READER_ROLES
from serviceloop.tickets.board import BOARD_ROLES


@dataclass(frozen=True)
class Item:
    url_name: str
    label: Promise
    section: str  # the first path segment it owns, to mark the active item


def menu_for(user: User) -> list[Item]:
    if not user.is_authenticated:
        return []
    if user.role == Role.PARTNER:  # partners work through the API
        return [Item("api-v1:openapi-view", _("API documentation"), "api")]
    if not user.is_staff_member:
        return [
            Item("portal:home", _("My requests"), "portal"),
            Item("portal:new", _("New request"), "portal/new"),
            Item("portal:feedback", _("Feedback"), "portal/feedback"),
        ]
    items = [Item("desk:queue", _("Queue"), "desk")]
    if user.works_tickets:
        items.append(Item("desk:new", _("New ticket"), "desk/new"))
    if user.role in BOARD_ROLES:
        items.append(Item("desk:board", _("Team board"), "desk/board"))
    if may_view_analytics(user):
        items.append(Item("desk:analytics", _("Analytics"), "desk/analytics"))
    if user.role in FOLLOW_UP_WORKER_ROLES:
        items.append(Item("desk:follow_ups", _("Follow-ups"), "desk/follow-ups"))
    if user.role in CAMPAIGN_READER_ROLES:
        items.append(Item("desk:nps_campaigns", _("NPS campaigns"), "desk/surveys"))
    items.append(Item("desk:feedback", _("Feedback"), "desk/feedback"))
    items.append(Item("desk:staff_surveys", _("Staff surveys"), "desk/staff-surveys"))
    if uses_improvement(user):
        items.append(Item("desk:improvement_board", _("Improvement"), "desk/improvement"))
    if user.role == Role.ADMIN:
        items.append(Item("admin:index", _("Configuration"), "admin"))
    return items


def home_url(user: User) -> str:
    """Where a signed-in user starts."""
    if user.is_staff_member:
        return reverse("desk:queue")
    if user.role == Role.PARTNER:
        return reverse("api-v1:openapi-view")
    return reverse("portal:home")


def active_item(items: list[Item], path: str) -> Item | None:
    """The item whose section is the longest prefix of the path."""
    trimmed = path.strip("/")
    matches = [i for i in items if trimmed == i.section or trimmed.startswith(i.section + "/")]
    return max(matches, key=lambda i: len(i.section), default=None)
