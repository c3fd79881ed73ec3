"""The SLA clock follows its ticket: the ticket use cases announce each change inside their
transaction (tickets.signals) and these receivers move the clock in the same transaction."""

from datetime import datetime
from typing import Any

from serviceloop.tickets.models import Ticket

from . import services


def on_created(sender: type[Ticket], *, ticket: Ticket, **kwargs: Any) -> None:
    services.start_clock(ticket)


def on_status_changed(
    sender: type[Ticket], *, ticket: Ticket, previous: str, at: datetime, **kwargs: Any
) -> None:
    services.on_status(ticket, previous, at)


def on_targets_changed(sender: type[Ticket], *, ticket: Ticket, **kwargs: Any) -> None:
    services.retarget(ticket)


def on_responded(sender: type[Ticket], *, ticket: Ticket, at: datetime, **kwargs: Any) -> None:
    services.on_response(ticket, at)


def on_customer_wrote(sender: type[Ticket], *, ticket: Ticket, at: datetime, **kwargs: Any) -> None:
    services.on_customer_message(ticket, at)
