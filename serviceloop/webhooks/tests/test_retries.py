"""Failed deliveries come back after a doubling wait, until they get through or become dead
letters, which administrators see and can send again."""

import socket
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import NotPermitted
from serviceloop.webhooks import sending, services
from serviceloop.webhooks.models import Delivery, DeliveryStatus, Endpoint
from serviceloop.webhooks.tasks import deliver_due_webhooks
from tests.builders import make_ticket, make_user

START = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _quick_retries(settings):
    settings.WEBHOOK_BACKOFF_SECONDS = 30
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_TIMEOUT_SECONDS = 1


def _ticket_at_start(agent, capture):
    with time_machine.travel(START, tick=False), capture(execute=True):
        return make_ticket(agent, subject="Parcel late")


def test_the_wait_doubles_after_each_failure_with_at_most_a_tenth_more():
    for attempts, base in ((1, 30), (2, 60), (3, 120), (7, 1920)):
        wait = sending.backoff(attempts).total_seconds()
        assert base <= wait <= base * 1.1


def test_a_failed_delivery_is_retried_after_its_backoff_and_delivered(
    agent, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answer(500)
    _ticket_at_start(agent, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert START + timedelta(seconds=30) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= START + timedelta(seconds=33)

    with time_machine.travel(START + timedelta(seconds=29), tick=False):
        assert deliver_due_webhooks.enqueue().return_value == 0  # not due yet
    assert len(receiver.requests) == 1

    later = START + timedelta(seconds=34)
    with time_machine.travel(later, tick=False):
        assert deliver_due_webhooks.enqueue().return_value == 1

    first, second = receiver.requests
    assert second.body == first.body
    assert second.headers["X-Serviceloop-Delivery"] == first.headers["X-Serviceloop-Delivery"]
    assert second.headers["X-Serviceloop-Timestamp"] == str(int(later.timestamp()))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 2
    assert delivery.delivered_at == later
    with time_machine.travel(later + timedelta(hours=1), tick=False):
        assert sending.deliver_due() == 0  # delivered: never sent again


def _fail_until_dead(receiver) -> Delivery:
    receiver.default = (500, 0.0)
    moment = START
    for _ in range(10):
        delivery = Delivery.objects.get()
        if delivery.status == DeliveryStatus.DEAD:
            return delivery
        moment = delivery.next_attempt_at + timedelta(seconds=1)
        with time_machine.travel(moment, tick=False):
            sending.deliver_due()
    raise AssertionError("never became a dead letter")


def test_a_delivery_that_always_fails_becomes_a_dead_letter_that_admins_see(
    agent, admin_user, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.default = (500, 0.0)
    _ticket_at_start(agent, django_capture_on_commit_callbacks)

    delivery = _fail_until_dead(receiver)

    assert delivery.attempts == 3
    assert len(receiver.requests) == 3
    assert delivery.last_status_code == 500
    assert "receiver says no" in delivery.last_error
    with time_machine.travel(START + timedelta(days=1), tick=False):
        assert sending.deliver_due() == 0  # dead letters are not swept
    client = Client()
    client.force_login(admin_user)
    page = client.get("/admin/webhooks/delivery/", {"status__exact": "dead"})
    assert page.status_code == 200
    assert "ticket.created" in page.content.decode()
    assert (
        client.get("/admin/webhooks/delivery/", {"status__exact": "delivered"})
        .context["cl"]
        .result_count
        == 0
    )
    agent_client = Client()
    agent_client.force_login(agent)
    assert agent_client.get("/admin/webhooks/delivery/").status_code == 302  # to the login


def test_retry_now_sends_a_dead_letter_again_with_fresh_attempts_and_is_audited(
    agent, admin_user, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.default = (500, 0.0)
    _ticket_at_start(agent, django_capture_on_commit_callbacks)
    dead = _fail_until_dead(receiver)
    receiver.default = (200, 0.0)
    client = Client()
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/webhooks/delivery/",
            {"action": "retry_now", "_selected_action": [str(dead.pk)]},
        )

    assert response.status_code == 302
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DELIVERED
    assert dead.attempts == 1  # counted again from zero
    assert len(receiver.requests) == 4
    event = AuditEvent.objects.get(action="webhook_delivery.retried")
    assert event.actor_id == admin_user.pk
    assert event.target_id == str(dead.pk)
    assert event.before == {"status": "dead", "attempts": 3}
    assert event.after == {"status": "pending", "attempts": 0}


def test_only_dead_letters_are_retried_and_only_by_administrators(
    agent, admin_user, endpoint, receiver, django_capture_on_commit_callbacks
):
    _ticket_at_start(agent, django_capture_on_commit_callbacks)
    delivered = Delivery.objects.get()
    supervisor = make_user(Role.SUPERVISOR)

    with pytest.raises(NotPermitted):
        services.retry_deliveries(deliveries=[delivered], actor=supervisor)
    assert services.retry_deliveries(deliveries=[delivered], actor=admin_user) == 0

    delivered.refresh_from_db()
    assert delivered.status == DeliveryStatus.DELIVERED
    assert not AuditEvent.objects.filter(action="webhook_delivery.retried").exists()


def test_a_network_error_is_a_failed_attempt(agent, db, django_capture_on_commit_callbacks):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    Endpoint.objects.create(name="Gone", url=f"http://127.0.0.1:{port}/hooks")

    _ticket_at_start(agent, django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.last_status_code is None
    assert delivery.last_error


def test_a_receiver_slower_than_the_timeout_is_a_failed_attempt(
    agent, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answer((200, 2.5))  # the timeout is 1 s here

    _ticket_at_start(agent, django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert "timed out" in delivery.last_error.lower()


def test_a_delivery_to_an_endpoint_switched_off_meanwhile_becomes_a_dead_letter(
    agent, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answer(500)
    _ticket_at_start(agent, django_capture_on_commit_callbacks)
    endpoint.is_active = False
    endpoint.save()

    with time_machine.travel(START + timedelta(minutes=5), tick=False):
        sending.deliver_due()

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DEAD
    assert delivery.last_error == "endpoint inactive"
    assert len(receiver.requests) == 1
