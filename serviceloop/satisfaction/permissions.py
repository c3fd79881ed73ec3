"""Who may do what with surveys, by role. Which tickets a user sees is tickets.queries'."""

from serviceloop.accounts.choices import Role

# Create and send NPS campaigns, and read their results.
CAMPAIGN_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.SUPERVISOR, Role.SPECIALIST})
# Read the campaigns and their results.
CAMPAIGN_READER_ROLES = CAMPAIGN_ROLES | {Role.ANALYST}
