"""Audit events can be written and read, never changed or removed: not through the model,
the queryset, the admin or the API (serviceloop/api/tests/test_audit_trail.py), and on
PostgreSQL not even with raw SQL."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from serviceloop.audit.models import AppendOnlyError, AuditEvent

from . import given

event = given.event  # shared with the API's tests of the trail


def test_it_refuses_to_save_an_existing_event_again(event):
    event.action = "ticket.forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "ticket.created"


def test_it_refuses_to_delete_an_event(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_bulk_updates(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="ticket.forged")
    assert AuditEvent.objects.get(pk=event.pk).action == "ticket.created"


def test_the_database_refuses_a_raw_update(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET action = 'ticket.forged' WHERE id = %s", [event.pk]
        )
    assert AuditEvent.objects.get(pk=event.pk).action == "ticket.created"


def test_the_database_refuses_a_raw_delete_on_postgresql(event):
    """SQLite keeps DELETE possible at the SQL level only so the test database can be
    flushed; PostgreSQL (the production database) refuses it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with pytest.raises(DatabaseError), transaction.atomic():
                cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'audit_event_no_update'")
            assert cursor.fetchone() is not None
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_shows_events_but_offers_no_change(event, admin_user):
    client = Client()
    client.force_login(admin_user)

    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert (
        client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    response = client.post(
        f"/admin/audit/auditevent/{event.pk}/change/", {"action": "ticket.forged"}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "ticket.created"
