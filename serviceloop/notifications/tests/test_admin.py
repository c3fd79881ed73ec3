"""Administrators edit the customer messages in Django's admin (audited, checked, previewed)
and can send failed messages again."""

import pytest
from django.test import Client

from serviceloop.audit.models import AuditEvent
from serviceloop.notifications.models import Delivery, MailTemplate

from .conftest import new_ticket
from .smtp import closed_port, mailers_for


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def _form(template: MailTemplate, **changes: str) -> dict[str, str]:
    values = {
        "kind": template.kind, "language": template.language, "subject": template.subject,
        "body": template.body, "sms": template.sms, "is_active": "on",
    }  # fmt: skip
    values.update(changes)
    return values


def test_an_edited_template_is_audited_and_used_for_the_next_mail(
    admin_client, agent, smtp, committed
):
    template = MailTemplate.objects.get(kind="created", language="en")
    url = f"/admin/notifications/mailtemplate/{template.pk}/change/"

    response = admin_client.post(url, _form(template, subject="{{ ticket_number }}: thanks!"))

    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="mail_template.updated")
    assert event.after == {"subject": "{{ ticket_number }}: thanks!"}
    assert event.actor_label == "admin"
    ticket = new_ticket(agent, "en", committed)
    (mail,) = smtp.wait_for(1)
    assert mail.subject == f"{ticket.number}: thanks!"


def test_a_template_that_does_not_compile_is_refused_and_nothing_changes(admin_client):
    template = MailTemplate.objects.get(kind="resolved", language="zh-hans")
    url = f"/admin/notifications/mailtemplate/{template.pk}/change/"

    response = admin_client.post(url, _form(template, body="{% if reply %}never closed"))

    assert response.status_code == 200
    assert "This is not a valid template" in response.content.decode()
    assert MailTemplate.objects.get(pk=template.pk).body == template.body
    assert not AuditEvent.objects.filter(action__startswith="mail_template.").exists()


def test_the_change_page_previews_the_message_with_made_up_values(admin_client):
    template = MailTemplate.objects.get(kind="promised", language="zh-hans")

    page = admin_client.get(f"/admin/notifications/mailtemplate/{template.pk}/change/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "【CS-20261122-000123】我们的承诺：回电告知物流进展" in text
    assert "customer_name" in text  # the placeholders are listed in the help text


def test_failed_messages_can_be_sent_again_and_that_is_audited(
    admin_client, agent, committed, settings
):
    settings.MAILERS = mailers_for(closed_port())
    ticket = new_ticket(agent, "en", committed)
    delivery = Delivery.objects.get(ticket=ticket)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)  # given up

    response = admin_client.post(
        "/admin/notifications/delivery/",
        {"action": "send_again", "_selected_action": [str(delivery.pk)]},
    )

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.next_attempt_at is not None  # due: the next sweep sends it
    event = AuditEvent.objects.get(action="customer_message.retried")
    assert event.ticket_id == ticket.pk
    assert (
        admin_client.get(f"/admin/notifications/delivery/{delivery.pk}/change/").status_code == 200
    )
