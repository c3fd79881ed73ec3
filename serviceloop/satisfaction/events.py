"""The audit events the satisfaction app records, by name: its use cases write them, and the
receivers of other apps react to them (the notifications app mails a CSAT request and a
sent campaign's surveys, the followups app calls back after a low score). It reacts itself
to a ticket's resolution (tickets.events.is_resolution) by scheduling a CSAT request."""

from typing import Final

from serviceloop.audit.models import AuditEvent

from .choices import LOW_CSAT, LOW_NPS

CSAT_SCHEDULED: Final = "csat.scheduled"
CSAT_REQUESTED: Final = "csat.requested"
CSAT_ANSWERED: Final = "csat.answered"
CSAT_UPDATED: Final = "csat.updated"
NPS_CAMPAIGN_CREATED: Final = "nps_campaign.created"
NPS_CAMPAIGN_SENT: Final = "nps_campaign.sent"
NPS_ANSWERED: Final = "nps.answered"
NPS_UPDATED: Final = "nps.updated"

CSAT_ANSWERS: Final = frozenset({CSAT_ANSWERED, CSAT_UPDATED})
NPS_ANSWERS: Final = frozenset({NPS_ANSWERED, NPS_UPDATED})


def gives_low_score(event: AuditEvent) -> bool:
    """Whether `event` is a CSAT or NPS answer that gives (or changes to) a low score: one
    that calls for a follow-up. Decided from the event alone (no query)."""
    score = (event.after or {}).get("score")
    if not isinstance(score, int):
        return False
    if event.action in CSAT_ANSWERS:
        return score <= LOW_CSAT
    if event.action in NPS_ANSWERS:
        return score <= LOW_NPS
    return False
