"""Ticket events go out to the subscribed webhooks, signed, once each, as soon as the change
commits; nothing is queued where nobody listens."""

import hashlib
import hmac
from datetime import UTC, datetime

import pytest
import time_machine

from serviceloop.audit import services as audit
from serviceloop.audit.models import AuditEvent
from serviceloop.tickets import services as tickets
from serviceloop.tickets.choices import Status
from serviceloop.webhooks import services, signing
from serviceloop.webhooks.models import Delivery, DeliveryStatus, Endpoint, EndpointKind
from tests.builders import make_ticket

START = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)


def test_it_posts_a_signed_ticket_event_when_the_change_commits(
    agent, category, endpoint, receiver, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(agent, subject="Parcel late", category="delivery")

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    delivery = Delivery.objects.get()
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Serviceloop-Event"] == "ticket.created"
    assert request.headers["X-Serviceloop-Delivery"] == str(delivery.uuid)
    assert request.headers["X-Serviceloop-Timestamp"] == str(int(START.timestamp()))
    # the receiver's side: HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's secret
    expected = hmac.new(
        endpoint.secret.encode(),
        request.headers["X-Serviceloop-Timestamp"].encode() + b"." + request.body,
        hashlib.sha256,
    ).hexdigest()
    assert request.headers["X-Serviceloop-Signature"] == f"sha256={expected}"
    assert not signing.is_valid(
        secret="another secret",
        timestamp=request.headers["X-Serviceloop-Timestamp"],
        body=request.body,
        header=request.headers["X-Serviceloop-Signature"],
    )
    body = request.json
    assert body["id"] == str(delivery.uuid)
    assert body["event"] == "ticket.created"
    assert body["occurred_at"] == START.isoformat()
    assert body["actor"] == "agent"
    assert body["ticket"] == {
        "number": ticket.number,
        "status": "new",
        "urgency": "medium",
        "kind": "inquiry",
        "channel": ticket.channel,
        "category": "delivery",
        "team": "support",
        "assignee": None,
        "customer_id": ticket.customer_id,
    }
    assert set(body["changes"]) == {"before", "after"}
    assert "note" in body
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    assert delivery.delivered_at == START


def test_it_sends_only_the_events_an_endpoint_subscribes_to(
    agent, receiver, db, django_capture_on_commit_callbacks
):
    Endpoint.objects.create(name="Status board", url=receiver.url, events=["ticket.transitioned"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(agent, subject="Parcel late")
    assert Delivery.objects.count() == 0
    assert receiver.requests == []

    with django_capture_on_commit_callbacks(execute=True):
        tickets.transition_ticket(ticket=ticket, to=Status.IN_PROGRESS, actor=agent)

    assert [r.headers["X-Serviceloop-Event"] for r in receiver.requests] == ["ticket.transitioned"]
    body = receiver.requests[0].json
    assert body["changes"]["before"]["status"] == "new"
    assert body["changes"]["after"]["status"] == "in_progress"
    assert body["ticket"]["status"] == "in_progress"


def test_inactive_endpoints_and_sms_gateways_get_no_ticket_events(
    agent, receiver, db, django_capture_on_commit_callbacks
):
    Endpoint.objects.create(name="Old CRM", url=receiver.url, is_active=False)
    Endpoint.objects.create(name="SMS", url=receiver.url, kind=EndpointKind.SMS)

    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(agent, subject="Parcel late")

    assert Delivery.objects.count() == 0
    assert receiver.requests == []


def test_without_endpoints_nothing_is_queued_and_no_query_is_made(
    agent, db, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(agent, subject="Parcel late")
    event = AuditEvent.objects.filter(ticket_id=ticket.pk).first()
    assert event is not None
    assert Delivery.objects.count() == 0

    with django_assert_num_queries(0):  # the empty endpoint list is cached
        assert services.queue_ticket_event(AuditEvent, event=event) == 0


def test_an_event_is_queued_once_for_an_endpoint(
    agent, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(agent, subject="Parcel late")
    event = AuditEvent.objects.get(ticket_id=ticket.pk, action="ticket.created")

    with django_capture_on_commit_callbacks(execute=True):
        again = services.queue_ticket_event(AuditEvent, event=event)

    assert again == 0
    assert Delivery.objects.filter(event=event).count() == 1
    assert len(receiver.requests) == 1


def test_events_about_no_ticket_are_not_sent(
    admin_user, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(actor=admin_user, action="team.updated", target=admin_user)

    assert Delivery.objects.count() == 0
    assert receiver.requests == []


@pytest.mark.parametrize("answer", [301, 404, 500])
def test_an_answer_other_than_2xx_is_a_failed_attempt(
    answer, agent, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answer(answer)
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        make_ticket(agent, subject="Parcel late")

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.last_status_code == answer
    assert delivery.last_error.startswith(f"HTTP {answer}")
    assert delivery.delivered_at is None
