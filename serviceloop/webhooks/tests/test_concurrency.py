"""Several workers sweeping at once send each due delivery exactly once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from serviceloop.webhooks import sending
from serviceloop.webhooks.models import Delivery, DeliveryStatus, Endpoint
from tests.builders import at_once

START = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_delivery_once(receiver):
    """On PostgreSQL the second sweep skips the rows the first has locked (SKIP LOCKED) and
    then finds them claimed; on SQLite the IMMEDIATE transactions take turns."""
    endpoint = Endpoint.objects.create(name="CRM", url=receiver.url)
    due = 60
    Delivery.objects.bulk_create(
        Delivery(
            endpoint=endpoint,
            event_name="ticket.created",
            payload={"n": n},
            next_attempt_at=START - timedelta(seconds=n),
        )
        for n in range(due)
    )

    def sweep(_: int) -> int:
        with time_machine.travel(START, tick=True):
            return sending.deliver_due(batch=5)

    counts = at_once(sweep)

    assert sum(counts) == due, counts
    assert all(counts), counts  # both worked
    ids = [request.headers["X-Serviceloop-Delivery"] for request in receiver.requests]
    assert len(ids) == due
    assert len(set(ids)) == due
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED, attempts=1).count() == due
