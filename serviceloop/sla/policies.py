"""Which SLA policy applies to a ticket, and when its targets fall due."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from serviceloop.calendars.business_time import Schedule, add_business_minutes

from .models import SlaPolicy


@dataclass(frozen=True, kw_only=True)
class TicketFacts:
    """What policies match on: codes and ids, so that matching needs no query."""

    urgency: str
    kind: str
    channel: str
    category_ids: Sequence[int] = ()  # the ticket's category and its ancestors
    tier_id: int | None = None


def matches(policy: SlaPolicy, facts: TicketFacts) -> bool:
    """Every condition the policy sets holds for the ticket."""
    return (
        policy.is_active
        and (not policy.urgencies or facts.urgency in policy.urgencies)
        and (not policy.kinds or facts.kind in policy.kinds)
        and (not policy.channels or facts.channel in policy.channels)
        and (policy.category_id is None or policy.category_id in facts.category_ids)
        and (policy.tier_id is None or policy.tier_id == facts.tier_id)
    )


def policy_for(policies: Iterable[SlaPolicy], facts: TicketFacts) -> SlaPolicy | None:
    """The first matching policy in position order, or None."""
    ordered = sorted(policies, key=lambda policy: (policy.position, policy.pk or 0))
    return next((policy for policy in ordered if matches(policy, facts)), None)


def due(
    policy: SlaPolicy, minutes: int | None, start: datetime, schedule: Schedule
) -> datetime | None:
    """When a target of `minutes` counted from `start` falls due (None: no target)."""
    if minutes is None:
        return None
    if policy.business_time:
        return add_business_minutes(schedule, start, minutes)
    return start + timedelta(minutes=minutes)
