"""The ticket status machine (处理状态), in one place.

    new ──────────┬──> in_progress <──┐
      │           │       │  ^        │ reopen
      │           │       v  │        │
      ├──> waiting_customer ─┘        │
      │           │                   │
      └───────────┴──> resolved ──────┘
                          │
                          v
                        closed (final)

Resolving needs a resolution summary, reopening a reason. Merging a duplicate closes it
from any open status; that is `merge_ticket`, not a transition.
"""

from .choices import OPEN_STATUSES, Status

ALLOWED: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.IN_PROGRESS, Status.WAITING_CUSTOMER, Status.RESOLVED}),
    Status.IN_PROGRESS: frozenset({Status.WAITING_CUSTOMER, Status.RESOLVED}),
    Status.WAITING_CUSTOMER: frozenset({Status.IN_PROGRESS, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.IN_PROGRESS, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

# A customer may only confirm a resolution (close) or reopen it.
CUSTOMER_ALLOWED: dict[Status, frozenset[Status]] = {
    Status.RESOLVED: frozenset({Status.IN_PROGRESS, Status.CLOSED}),
}

MERGEABLE = frozenset(OPEN_STATUSES)


def allowed_targets(current: str, *, customer: bool = False) -> list[Status]:
    """The statuses a ticket in `current` may move to, in the machine's order."""
    table = CUSTOMER_ALLOWED if customer else ALLOWED
    targets = table.get(Status(current), frozenset())
    return [status for status in Status if status in targets]


def is_reopen(current: str, target: str) -> bool:
    return current == Status.RESOLVED and target == Status.IN_PROGRESS
