"""Each change the customer hears about arrives as a real mail in the customer's language:
ticket received, reply, resolved, promise, renegotiated promise, waiting for an answer."""

from datetime import datetime

import pytest
from django.db import transaction

from serviceloop.audit import services as audit
from serviceloop.notifications.models import Delivery
from serviceloop.tickets import services
from serviceloop.tickets.choices import Status

from .conftest import CUSTOMERS, SHANGHAI, new_ticket

LANGUAGES = ["en", "zh-hans"]


def only_new_mail(smtp, before: int):
    """The one mail that arrived since `before` mails."""
    received = smtp.wait_for(before + 1)
    assert len(received) == before + 1, [mail.subject for mail in received]
    return received[-1]


@pytest.mark.parametrize(
    ("language", "subject", "greeting", "content_language"),
    [
        ("en", "We have received your request: My parcel has not arrived", "Hello Alex Smith,",
         "en"),
        ("zh-hans", "我们已收到您的请求：包裹还没有到", "李娜，您好：", "zh-Hans"),
    ],
)  # fmt: skip
def test_it_acknowledges_a_new_ticket_with_its_number_and_where_to_follow_it(
    agent, smtp, committed, language, subject, greeting, content_language
):
    ticket = new_ticket(agent, language, committed)

    (mail,) = smtp.wait_for(1)
    email = CUSTOMERS[language].email
    assert mail.recipients == [email]
    assert mail.message["To"] == email
    assert mail.message["From"] == "Acme service <service@acme.example>"
    assert mail.subject in (f"[{ticket.number}] {subject}", f"【{ticket.number}】{subject}")
    assert mail.message["Content-Language"] == content_language
    assert mail.message["X-Serviceloop-Ticket"] == ticket.number
    assert mail.message["X-Serviceloop-Message"] == "created"
    assert mail.message["Auto-Submitted"] == "auto-generated"
    assert mail.message["References"] == f"<{ticket.number}@acme.example>"
    assert mail.message.get_content_type() == "text/plain"
    assert mail.body.startswith(greeting)
    assert ticket.number in mail.body
    # no portal login: the no-login progress check
    assert "https://help.example.com/portal/track/" in mail.body
    assert mail.body.rstrip().endswith(
        "Acme customer service" if language == "en" else "Acme 客户服务"
    )
    delivery = Delivery.objects.get(ticket=ticket)
    assert (delivery.kind, delivery.channel, delivery.status) == ("created", "email", "sent")
    assert (delivery.to, delivery.language, delivery.attempts) == (email, language, 1)
    assert delivery.subject == mail.subject
    assert delivery.sent_at is not None


@pytest.mark.parametrize(
    ("language", "subject", "status_line"),
    [
        ("en", "New reply to your request", "Current status: In progress."),
        ("zh-hans", "您的请求有新回复", "当前状态：处理中。"),
    ],
)
def test_a_public_reply_of_customer_service_is_mailed_with_its_text(
    agent, smtp, committed, language, subject, status_line
):
    ticket = new_ticket(agent, language, committed)
    with committed():
        services.add_interaction(
            ticket=ticket, actor=agent, content="The carrier will deliver tomorrow morning.\n"
            "Sorry for the wait.", channel="email",
        )  # fmt: skip

    mail = only_new_mail(smtp, 1)
    assert subject in mail.subject
    assert ticket.number in mail.subject
    assert "The carrier will deliver tomorrow morning.\nSorry for the wait." in mail.body
    assert status_line in mail.body
    assert mail.message["X-Serviceloop-Message"] == "replied"
    assert "王芳" not in mail.body  # who answered stays inside the company


@pytest.mark.parametrize(
    ("language", "subject", "reply_hint"),
    [
        ("en", "Your request has been resolved", "If this does not solve your problem"),
        ("zh-hans", "您的请求已处理完成", "如果问题仍未解决，请直接回复本邮件"),
    ],
)
def test_resolving_mails_the_resolution_summary_and_how_to_reopen(
    agent, smtp, committed, language, subject, reply_hint
):
    ticket = new_ticket(agent, language, committed)
    with committed():
        services.transition_ticket(
            ticket=ticket, to=Status.RESOLVED, actor=agent,
            resolution="A new parcel was sent with express delivery.",
        )  # fmt: skip

    mail = only_new_mail(smtp, 1)
    assert subject in mail.subject
    assert "A new parcel was sent with express delivery." in mail.body
    assert reply_hint in mail.body
    assert mail.message["X-Serviceloop-Message"] == "resolved"


@pytest.mark.parametrize(
    ("language", "subject", "due"),
    [
        ("en", "Our promise: call you back with the carrier's answer", "Nov. 23, 2026, 3 p.m."),
        ("zh-hans", "我们的承诺：call you back with the carrier's answer", "2026年11月23日 15:00"),
    ],
)
def test_a_promise_is_mailed_with_its_due_time_in_the_customers_time_zone(
    agent, smtp, committed, language, subject, due
):
    ticket = new_ticket(agent, language, committed)
    with committed():
        services.create_commitment(
            ticket=ticket, actor=agent, text="call you back with the carrier's answer",
            due_at=datetime(2026, 11, 23, 15, 0, tzinfo=SHANGHAI),
        )  # fmt: skip

    mail = only_new_mail(smtp, 1)
    assert subject in mail.subject
    assert due in mail.body
    assert mail.message["X-Serviceloop-Message"] == "promised"


def test_the_due_time_follows_the_time_zone_of_the_customers_portal_login(
    customer_user, agent, smtp, committed
):
    customer_user.time_zone = "Europe/Berlin"
    customer_user.language = "en"
    customer_user.save()
    with committed():
        ticket = services.create_ticket(
            actor=customer_user, draft=services.TicketDraft(description="Where is my parcel?")
        ).ticket
        services.create_commitment(
            ticket=ticket, actor=agent, text="call you back",
            due_at=datetime(2026, 11, 23, 15, 0, tzinfo=SHANGHAI),
        )  # fmt: skip

    created, promised = smtp.wait_for(2)
    assert "Nov. 23, 2026, 8 a.m." in promised.body  # 15:00 in Shanghai is 08:00 in Berlin
    # a customer with a login follows the ticket on its portal page
    assert f"https://help.example.com/portal/tickets/{ticket.number}/" in created.body


@pytest.mark.parametrize(
    ("language", "subject", "apology", "due"),
    [
        ("en", "A new time for our promise", "we are sorry: we cannot keep the time",
         "Nov. 24, 2026, 10 a.m."),
        ("zh-hans", "承诺时间调整", "非常抱歉，我们无法在之前承诺的时间内完成",
         "2026年11月24日 10:00"),
    ],
)  # fmt: skip
def test_a_renegotiated_promise_apologises_with_the_reason_and_the_new_time_once(
    agent, smtp, committed, language, subject, apology, due
):
    ticket = new_ticket(agent, language, committed)
    with committed():
        promise = services.create_commitment(
            ticket=ticket, actor=agent, text="call you back",
            due_at=datetime(2026, 11, 23, 15, 0, tzinfo=SHANGHAI),
        )  # fmt: skip
    with committed():
        services.renegotiate_commitment(
            commitment=promise, actor=agent, reason="The warehouse is closed today.",
            due_at=datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI),
        )  # fmt: skip

    mail = only_new_mail(smtp, 2)  # one mail: not another "promise made" for the replacement
    assert subject in mail.subject
    assert apology in mail.body
    assert "The warehouse is closed today." in mail.body
    assert due in mail.body
    assert mail.message["X-Serviceloop-Message"] == "renegotiated"


@pytest.mark.parametrize(
    ("language", "subject", "question", "resolve_note"),
    [
        ("en", "We are waiting for your answer", "Our last message:",
         "Without an answer we consider the request resolved 7 days after we asked"),
        ("zh-hans", "等待您的回复", "我们上次的留言：",
         "如果在我们提问后 7 天内仍未收到您的回复，我们将视为问题已解决"),
    ],
)  # fmt: skip
def test_a_reminder_asks_for_the_customers_answer(
    agent, smtp, committed, language, subject, question, resolve_note
):
    ticket = new_ticket(agent, language, committed)
    with committed():
        services.add_interaction(
            ticket=ticket, actor=agent, content="Which colour did you order?", channel="email"
        )
        services.transition_ticket(ticket=ticket, to=Status.WAITING_CUSTOMER, actor=agent)
    with committed(), transaction.atomic():
        audit.record(
            actor=None, action="ticket.customer_reminded", target=ticket, after={"days": 3}
        )

    mail = only_new_mail(smtp, 2)
    assert subject in mail.subject
    assert question in mail.body
    assert "Which colour did you order?" in mail.body
    assert resolve_note in mail.body
    assert mail.message["X-Serviceloop-Message"] == "reminder"


def test_without_an_automatic_resolution_the_reminder_does_not_mention_one(
    agent, smtp, committed, settings
):
    settings.WAITING_RESOLVE_DAYS = None
    ticket = new_ticket(agent, "en", committed)
    with committed(), transaction.atomic():
        audit.record(actor=None, action="ticket.customer_reminded", target=ticket)

    mail = only_new_mail(smtp, 1)
    assert "We are waiting for your answer" in mail.subject
    assert "resolved" not in mail.body
    assert "Our last message" not in mail.body  # nothing asked yet
