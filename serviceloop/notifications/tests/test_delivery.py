"""How customer messages are delivered: once per event and channel, only public changes,
skipped with a reason when there is no address, retried when the SMTP server is down, by SMS
through the SMS gateway webhook."""

from datetime import timedelta

import pytest
from django.db import transaction

from serviceloop.audit import services as audit
from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock
from serviceloop.customers.services import CustomerIdentity, create_customer
from serviceloop.notifications import retrying
from serviceloop.notifications import services as notifications
from serviceloop.notifications.models import Delivery, MailTemplate
from serviceloop.notifications.tasks import retry_customer_messages, send_customer_messages
from serviceloop.tickets import services
from serviceloop.webhooks.models import Delivery as WebhookDelivery
from serviceloop.webhooks.models import Endpoint, EndpointKind

from .conftest import new_ticket
from .smtp import closed_port, mailers_for, smtp_sink


def test_internal_notes_are_never_mailed(agent, smtp, committed):
    ticket = new_ticket(agent, "en", committed)
    with committed():
        note = services.add_interaction(
            ticket=ticket, actor=agent, content="Customer sounds angry; refund?", is_internal=True
        )

    assert len(smtp.wait_for(1)) == 1
    note_event = AuditEvent.objects.get(action="note.added", target_id=str(note.pk))
    assert not Delivery.objects.filter(event_id=note_event.pk).exists()
    assert [d.kind for d in Delivery.objects.filter(ticket=ticket)] == ["created"]


def test_a_customers_own_message_is_not_echoed_back(customer_user, smtp, committed):
    with committed():
        ticket = services.create_ticket(
            actor=customer_user, draft=services.TicketDraft(description="Where is my parcel?")
        ).ticket
        services.add_interaction(ticket=ticket, actor=customer_user, content="Any news?")

    assert [mail.message["X-Serviceloop-Message"] for mail in smtp.wait_for(1)] == ["created"]
    assert Delivery.objects.count() == 1


def test_an_address_nobody_confirmed_gets_nothing_and_the_row_says_why(agent, smtp, committed):
    # an e-mail and a phone an agent typed, that nobody confirmed: a stranger's, perhaps
    with committed():
        ticket = services.create_ticket(
            actor=agent,
            draft=services.TicketDraft(
                description="Parcel late", channel="phone",
                customer=CustomerIdentity(email="typed@example.com", phone="13800138000"),
            ),
        ).ticket  # fmt: skip

    (delivery,) = Delivery.objects.filter(ticket=ticket)
    assert (delivery.channel, delivery.status, delivery.reason, delivery.to) == (
        "email", "skipped", "unverified", "",
    )  # fmt: skip
    assert smtp.received == []


def test_a_customer_without_an_e_mail_address_is_skipped_with_the_reason(agent, smtp, committed):
    ticket = new_ticket(
        agent, "en", committed, channel="phone", customer=CustomerIdentity(phone="13800138000")
    )

    delivery = Delivery.objects.get(ticket=ticket, channel="email")
    assert (delivery.status, delivery.reason) == ("skipped", "no_email")
    assert delivery.to == ""
    assert ticket.number in delivery.subject  # what would have been sent, for the log
    assert smtp.received == []


def test_the_message_goes_out_once_when_the_task_runs_again(agent, smtp, committed):
    ticket = new_ticket(agent, "en", committed)
    event = AuditEvent.objects.get(action="ticket.created", ticket_id=ticket.pk)

    again = send_customer_messages.call(event.pk)
    notifications.deliver_event(event_id=event.pk)

    assert again == ["sent"]
    assert len(smtp.wait_for(1)) == 1
    assert Delivery.objects.filter(event_id=event.pk).count() == 1


def test_a_message_another_worker_is_sending_is_not_sent_twice(agent, smtp, committed):
    ticket = new_ticket(agent, "en", committed)
    delivery = Delivery.objects.get(ticket=ticket)
    Delivery.objects.filter(pk=delivery.pk).update(status="sending")

    assert notifications.attempt_delivery(delivery).status == "sending"
    assert len(smtp.wait_for(1)) == 1


def test_an_admin_edited_template_is_what_the_customer_gets(agent, smtp, committed):
    MailTemplate.objects.filter(kind="created", language="en").update(
        subject="Ticket {{ ticket_number }} opened", body="Dear {{ customer_name }}: noted."
    )
    ticket = new_ticket(agent, "en", committed)

    (mail,) = smtp.wait_for(1)
    assert mail.subject == f"Ticket {ticket.number} opened"
    assert mail.body == "Dear Alex Smith: noted.\n"


def test_an_inactive_template_sends_nothing_and_says_why(agent, smtp, committed):
    MailTemplate.objects.filter(kind="created", language="zh-hans").update(is_active=False)
    ticket = new_ticket(agent, "zh-hans", committed)

    delivery = Delivery.objects.get(ticket=ticket)
    assert (delivery.status, delivery.reason) == ("skipped", "no_template")
    assert smtp.received == []


def test_without_a_language_the_ticket_text_decides(agent, smtp, committed, settings):
    settings.LANGUAGE_CODE = "en"
    chinese = new_ticket(
        agent, "en", committed, customer=CustomerIdentity(email="wei@example.com", name="张伟"),
        subject="快递丢了", description="我的快递三天没有更新了",
    )  # fmt: skip
    english = new_ticket(
        agent, "en", committed, customer=CustomerIdentity(email="sam@example.com", name="Sam"),
        subject="Lost parcel", description="No tracking update for three days",
    )  # fmt: skip

    first, second = smtp.wait_for(2)
    assert (first.recipients, second.recipients) == (["wei@example.com"], ["sam@example.com"])
    assert "我们已收到您的请求" in first.subject
    assert "We have received your request" in second.subject
    assert Delivery.objects.get(ticket=chinese).language == "zh-hans"
    assert Delivery.objects.get(ticket=english).language == "en"


def test_history_replayed_long_after_it_happened_is_not_mailed(agent, smtp, committed):
    ticket = new_ticket(agent, "en", committed)
    two_days_ago = clock.now() - timedelta(days=2)
    with committed(), transaction.atomic(), clock.frozen_at(two_days_ago):  # as the seeder does
        event = audit.record(
            actor=None, action="ticket.customer_reminded", target=ticket, after={"days": 3}
        )

    assert len(smtp.wait_for(1)) == 1
    assert not Delivery.objects.filter(event_id=event.pk).exists()


def test_smtp_down_the_message_fails_then_the_sweep_sends_it(
    agent, committed, settings, clock_at_now
):
    settings.MAILERS = mailers_for(closed_port())
    ticket = new_ticket(agent, "en", committed)

    delivery = Delivery.objects.get(ticket=ticket)
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "Connection refused" in delivery.error or "ConnectionRefused" in delivery.error
    assert delivery.next_attempt_at is not None
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(minutes=1)
    assert retry_customer_messages.call() == 0  # not due yet

    with smtp_sink() as sink:
        settings.MAILERS = mailers_for(sink.port)
        clock_at_now.shift(timedelta(minutes=2))
        assert retry_customer_messages.call() == 1
        (mail,) = sink.wait_for(1)

    assert ticket.number in mail.subject
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == ("sent", 2, "")
    assert retry_customer_messages.call() == 0


def test_after_the_last_attempt_a_failed_message_stays_failed(agent, committed, settings):
    settings.MAILERS = mailers_for(closed_port())
    ticket = new_ticket(agent, "en", committed)
    delivery = Delivery.objects.get(ticket=ticket)
    for _attempt in range(retrying.MAX_ATTEMPTS - 1):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.queued_at)
        retry_customer_messages.call()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", retrying.MAX_ATTEMPTS)
    assert delivery.next_attempt_at is None
    assert notifications.attempt_delivery(delivery).attempts == retrying.MAX_ATTEMPTS


@pytest.fixture
def sms_gateway(db) -> Endpoint:
    # the gateway's URL is never reached in these tests: the webhook app sends on its own
    return Endpoint.objects.create(
        name="SMS", url=f"http://127.0.0.1:{closed_port()}/sms", kind=EndpointKind.SMS
    )


def _sms_payloads() -> list[dict]:
    texts = WebhookDelivery.objects.filter(event__isnull=True).order_by("id")
    return list(texts.values_list("payload", flat=True))


def test_a_customer_with_only_a_phone_gets_an_sms_through_the_gateway(
    agent, smtp, sms_gateway, committed
):
    create_customer(actor=agent, name="王磊", phone="13800138000", confirmation="he called from it")
    with committed():
        ticket = services.create_ticket(
            actor=agent,
            draft=services.TicketDraft(
                description="手机收不到验证码", channel="phone",
                customer=CustomerIdentity(phone="13800138000", name="王磊"),
            ),
        ).ticket  # fmt: skip

    email, sms = Delivery.objects.filter(ticket=ticket).order_by("channel")
    assert (email.status, email.reason) == ("skipped", "no_email")
    assert (sms.channel, sms.status, sms.to, sms.language) == (
        "sms", "sent", "+8613800138000", "zh-hans"
    )  # fmt: skip
    (payload,) = _sms_payloads()
    assert payload["to"] == "+8613800138000"
    assert payload["ticket"] == ticket.number
    assert payload["language"] == "zh-hans"
    assert payload["event"] == "ticket.created"
    assert payload["text"].startswith(f"【Acme】您的请求已受理，工单号 {ticket.number}")
    assert smtp.received == []


def test_without_an_sms_gateway_the_sms_is_skipped_with_the_reason(agent, smtp, committed):
    ticket = new_ticket(
        agent, "en", committed, channel="phone", customer=CustomerIdentity(phone="13800138000")
    )

    sms = Delivery.objects.get(ticket=ticket, channel="sms")
    assert (sms.status, sms.reason) == ("skipped", "no_sms_gateway")
    assert _sms_payloads() == []


def test_a_ticket_that_came_by_sms_is_answered_by_sms_and_by_mail(
    agent, smtp, sms_gateway, committed
):
    ticket = new_ticket(
        agent, "en", committed, channel="sms",
        customer=CustomerIdentity(phone="13800138000", email="both@example.com", language="en"),
    )  # fmt: skip

    assert len(smtp.wait_for(1)) == 1
    statuses = dict(Delivery.objects.filter(ticket=ticket).values_list("channel", "status"))
    assert statuses == {"email": "sent", "sms": "sent"}
    (payload,) = _sms_payloads()
    assert payload["text"].startswith(f"Acme: we received your request, ticket {ticket.number}")
