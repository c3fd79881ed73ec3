"""queue_sms: a text message becomes one signed delivery per active SMS gateway."""

import hashlib
import hmac

import pytest

from serviceloop.core.errors import DomainError
from serviceloop.webhooks.models import Delivery, DeliveryStatus, Endpoint, EndpointKind
from serviceloop.webhooks.services import queue_sms

MESSAGE = {
    "to": "138 0013 8000",
    "text": "您的工单 CS-20310303-000001 已处理完成。",
    "language": "zh-hans",
    "ticket_number": "CS-20310303-000001",
    "event": "ticket.resolved",
}


def test_without_an_sms_gateway_nothing_is_queued(db, receiver):
    Endpoint.objects.create(name="CRM", url=receiver.url)  # a webhook, not a gateway
    Endpoint.objects.create(
        name="Old SMS", url=receiver.url, kind=EndpointKind.SMS, is_active=False
    )

    assert queue_sms(**MESSAGE) == 0
    assert Delivery.objects.count() == 0


def test_it_posts_the_documented_payload_signed_once_the_caller_commits(
    sms_gateway, receiver, django_capture_on_commit_callbacks, settings
):
    settings.PHONE_REGION = "CN"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert queue_sms(**MESSAGE) == 1
        assert receiver.requests == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    (request,) = receiver.requests
    assert request.path == "/hooks/sms"
    assert request.json == {
        "to": "+8613800138000",
        "text": "您的工单 CS-20310303-000001 已处理完成。",
        "language": "zh-hans",
        "ticket": "CS-20310303-000001",
        "event": "ticket.resolved",
    }
    assert request.headers["X-Serviceloop-Event"] == "ticket.resolved"
    signed = request.headers["X-Serviceloop-Timestamp"].encode() + b"." + request.body
    expected = hmac.new(sms_gateway.secret.encode(), signed, hashlib.sha256).hexdigest()
    assert request.headers["X-Serviceloop-Signature"] == "sha256=" + expected
    delivery = Delivery.objects.get()
    assert delivery.event is None
    assert delivery.event_name == "ticket.resolved"
    assert delivery.status == DeliveryStatus.DELIVERED
    assert str(delivery.uuid) == request.headers["X-Serviceloop-Delivery"]


def test_each_active_gateway_that_subscribes_gets_the_message(db, receiver):
    Endpoint.objects.create(name="SMS A", url=receiver.url, kind=EndpointKind.SMS)
    Endpoint.objects.create(
        name="SMS B", url=receiver.url, kind=EndpointKind.SMS, events=["ticket.resolved"]
    )
    Endpoint.objects.create(
        name="SMS C", url=receiver.url, kind=EndpointKind.SMS, events=["ticket.created"]
    )

    assert queue_sms(**MESSAGE) == 2
    assert sorted(d.endpoint.name for d in Delivery.objects.all()) == ["SMS A", "SMS B"]


@pytest.mark.parametrize(("field", "value"), [("to", "not a phone"), ("text", "  ")])
def test_it_refuses_an_impossible_number_or_an_empty_text(sms_gateway, field, value):
    with pytest.raises(DomainError) as refused:
        queue_sms(**{**MESSAGE, field: value})

    assert refused.value.field == field
    assert Delivery.objects.count() == 0
