"""The one way a message to a customer is sent and retried, whatever row it is kept in (a
ticket message's `Delivery`, a campaign survey's `NpsResponse`):

- a send is claimed with a conditional update (queued, or failed and not given up ->
  sending), so that two workers never send one message twice;
- a failed send is retried RETRY_DELAYS after the attempt (1, 5, 15 and 60 minutes), and
  given up after MAX_ATTEMPTS; a refused address is not retried;
- a row a lost task or a dead worker left queued or sending is picked up after STUCK_AFTER
  (a worker that died after the server accepted the mail but before marking it sent makes
  the one duplicate this allows).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import F, Q

from serviceloop.core import clock
from serviceloop.core.errors import DomainError

logger = logging.getLogger(__name__)

RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
STUCK_AFTER = timedelta(minutes=15)

# The states of a message (DeliveryStatus and satisfaction's MailStatus share these values).
QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"


@dataclass(frozen=True)
class Outbox:
    """The columns in which `model` keeps the sending state of its messages: `status`,
    `attempts`, `error`, `sent_at` (when it went out) and `queued_at` (when it was queued),
    beside `last_attempt_at` and `next_attempt_at`."""

    model: type[models.Model]
    status: str = "status"
    attempts: str = "attempts"
    error: str = "error"
    sent_at: str = "sent_at"
    queued_at: str = "queued_at"

    def claim(self, pk: int) -> bool:
        """Take the message `pk` for sending now, if it is still to be sent and no other
        caller took it first."""
        sendable = Q(**{self.status: QUEUED}) | Q(
            **{self.status: FAILED, "next_attempt_at__isnull": False}
        )
        claimed = self.model._default_manager.filter(sendable, pk=pk).update(
            **{
                self.status: SENDING,
                self.attempts: F(self.attempts) + 1,
                "last_attempt_at": clock.now(),
                "next_attempt_at": None,
            }
        )
        return bool(claimed)

    def finish(self, pk: int, **values: Any) -> None:
        """Record the outcome of the claimed send of `pk` (its columns: `values`)."""
        self.model._default_manager.filter(pk=pk, **{self.status: SENDING}).update(**values)

    def sent(self, pk: int) -> None:
        self.finish(pk, **{self.status: SENT, self.sent_at: clock.now(), self.error: ""})

    def failed(
        self,
        pk: int,
        error: Exception,
        *,
        attempts: int,
        attempted_at: datetime | None,
        to: str,
        retry: bool,
    ) -> None:
        """The claimed send of `pk` (its `attempts`-th, started `attempted_at`) failed:
        due again after the next delay when `retry` and attempts are left, else given up."""
        label = self.model._meta.verbose_name
        logger.warning("%s %s to %s failed (attempt %s): %s", label, pk, to, attempts, error)
        retry = retry and attempts < MAX_ATTEMPTS
        started = attempted_at or clock.now()
        message = str(error.message) if isinstance(error, DomainError) else str(error)
        self.finish(
            pk,
            **{
                self.status: FAILED,
                self.error: f"{type(error).__name__}: {message}"[:2000],
                "next_attempt_at": started + RETRY_DELAYS[attempts - 1] if retry else None,
            },
        )

    def due(self) -> models.QuerySet[Any]:
        """The messages to send now: failed ones due again, and the ones a lost task or a
        dead worker left queued or sending (those are failed first, due at once)."""
        now = clock.now()
        stuck = now - STUCK_AFTER
        rows = self.model._default_manager
        rows.filter(**{self.status: SENDING, "last_attempt_at__lt": stuck}).update(
            **{
                self.status: FAILED,
                "next_attempt_at": now,
                self.error: "the worker stopped while sending",
            }
        )
        return rows.filter(
            Q(**{self.status: FAILED, "next_attempt_at__lte": now})
            | Q(**{self.status: QUEUED, f"{self.queued_at}__lt": stuck})
        ).order_by("next_attempt_at", "id")
