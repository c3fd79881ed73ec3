"""Audit events can be written and read, never changed or removed: not through the model,
the queryset, the admin or the API (serviceloop/api/tests/test_audit_trail.py), nor with
raw SQL (database triggers, on PostgreSQL and SQLite alike)."""

import pytest
from django.core.management import call_command
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


def test_the_database_refuses_a_raw_delete(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_only_the_flush_empties_the_trail_and_the_guard_comes_back():
    """The test database is flushed between transactional tests (a TRUNCATE on PostgreSQL,
    which row triggers do not see; on SQLite the flush lifts the DELETE trigger and sets it
    again): after a flush the raw DELETE is refused again."""
    AuditEvent.objects.create(action="ticket.created", target_type="ticket", target_id="1")
    call_command("flush", "--no-input", verbosity=0)
    assert not AuditEvent.objects.exists()
    second = AuditEvent.objects.create(action="ticket.created", target_type="ticket", target_id="2")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [second.pk])
    assert AuditEvent.objects.filter(pk=second.pk).exists()


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
