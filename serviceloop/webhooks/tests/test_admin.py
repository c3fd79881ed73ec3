"""Administrators keep endpoints in the admin: audited, without the secret in the trail."""

import pytest
from django.test import Client

from serviceloop.audit.models import AuditEvent
from serviceloop.webhooks.models import Endpoint


@pytest.fixture
def client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_an_endpoint_is_added_with_its_events_and_audited_without_its_secret(client):
    response = client.post(
        "/admin/webhooks/endpoint/add/",
        {
            "name": "CRM",
            "kind": "webhook",
            "url": "https://crm.example.com/hooks",
            "events": "ticket.created\nticket.transitioned, ticket.created",
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["ticket.created", "ticket.transitioned"]
    assert endpoint.secret.startswith("whsec_")
    assert len(endpoint.secret) > 40
    event = AuditEvent.objects.get(action="webhook_endpoint.created")
    assert event.after["url"] == "https://crm.example.com/hooks"
    assert endpoint.secret not in str(event.after) + str(event.before) + event.note
    page = client.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/")
    assert endpoint.secret in page.content.decode()  # shown to the administrator


@pytest.mark.parametrize(
    ("field", "value"),
    [("url", "ftp://crm.example.com/hooks"), ("url", "not a url"), ("events", "created!")],
)
def test_a_bad_url_or_event_name_is_refused(client, field, value):
    values = {"name": "CRM", "kind": "webhook", "url": "https://crm.example.com/h", "events": ""}
    response = client.post("/admin/webhooks/endpoint/add/", {**values, field: value})

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Endpoint.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_new_secret_is_generated_and_audited_without_either_secret(client, db):
    endpoint = Endpoint.objects.create(name="CRM", url="https://crm.example.com/hooks")
    old = endpoint.secret

    response = client.post(
        "/admin/webhooks/endpoint/",
        {"action": "rotate_secrets", "_selected_action": [str(endpoint.pk)]},
    )

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    event = AuditEvent.objects.get(action="webhook_endpoint.secret_rotated")
    assert old not in str(event.before)
    assert endpoint.secret not in str(event.after)
