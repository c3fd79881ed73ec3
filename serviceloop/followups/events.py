"""The audit events the followups app records, by name: its use cases write them (a call back
planned, made, cancelled by a reopen, or gone overdue); the ticket's timeline tells them
(tickets.timeline keeps copies: tickets may not import this app).

It reacts itself (receivers.py) to a ticket's resolution and reopen (tickets.events) and to
a low CSAT or NPS score (satisfaction.events).

Its admin records "follow_up_rule.*" through audit.admin_mixins
("<audit_name>.created/updated/deleted"); no code names those."""

from typing import Final

FOLLOW_UP_OPENED: Final = "follow_up.opened"
FOLLOW_UP_RECORDED: Final = "follow_up.recorded"
FOLLOW_UP_CANCELLED: Final = "follow_up.cancelled"
FOLLOW_UP_OVERDUE: Final = "follow_up.overdue"
