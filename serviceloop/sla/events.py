"""The audit events the SLA app records, by name: the escalation sweep writes one when a
rule acts on a ticket (its internal note says what happened and to whom). The ticket's
timeline, below sla, leaves it out by the same name (tickets.timeline keeps a copy)."""

from typing import Final

TICKET_ESCALATED: Final = "ticket.escalated"
