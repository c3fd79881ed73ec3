"""Who may work follow-ups, by role; which ones they see is queries.follow_ups_visible_to."""

from serviceloop.accounts.choices import TICKET_WORKER_ROLES, Role

# Record the outcome of follow-ups (the ones they see); the same people who work tickets,
# since a "not solved" outcome reopens the ticket.
FOLLOW_UP_WORKER_ROLES = TICKET_WORKER_ROLES
# See every follow-up, not only their teams'.
SEES_ALL_FOLLOW_UPS_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.SPECIALIST, Role.ANALYST})
