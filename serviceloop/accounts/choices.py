from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Manager")
    SPECIALIST = "specialist", _("Specialist")
    AGENT = "agent", _("Agent")
    ANALYST = "analyst", _("Analyst")
    CUSTOMER = "customer", _("Customer")
    PARTNER = "partner", _("Partner")


# Who may do what, by role. Object scope (which tickets) is decided in tickets.queries.
STAFF_ROLES = frozenset(
    {Role.ADMIN, Role.SUPERVISOR, Role.MANAGER, Role.SPECIALIST, Role.AGENT, Role.ANALYST}
)
# Work tickets: reply, note, transition, assign, transfer, merge, keep commitments.
TICKET_WORKER_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.MANAGER, Role.AGENT})
# See every ticket (the others see their teams', their own, or their organisation's).
SEES_ALL_TICKETS_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.SPECIALIST, Role.ANALYST})
# Submit tickets through the API on behalf of others or themselves.
TICKET_SUBMITTER_ROLES = TICKET_WORKER_ROLES | {Role.CUSTOMER, Role.PARTNER}
