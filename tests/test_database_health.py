"""The health check of a persistent PostgreSQL connection (serviceloop.core.postgresql): a
connection with nothing to read is usable without a round trip; one the server ended is not;
in doubt it asks the server, as Django does."""

import time

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.postgresql import base

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def other():
    """A connection of its own to the test database (the test's one stays in its
    transaction)."""
    if connection.vendor != "postgresql":
        pytest.fail("needs PostgreSQL (DATABASE_URL=postgres://...)")
    wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


@pytest.fixture
def asked(monkeypatch):
    """How often Django's own check (`SELECT 1`) ran."""
    calls = []

    def django_check(self):
        calls.append(self)
        return True

    monkeypatch.setattr(base.DatabaseWrapper, "is_usable", django_check)
    return calls


def test_an_idle_connection_is_usable_without_a_round_trip(other, asked):
    assert other.is_usable()
    assert asked == []


def test_a_connection_in_a_transaction_is_checked_by_the_server(other, asked):
    other.connection.execute("BEGIN")

    assert other.is_usable()
    assert asked == [other]


def test_a_connection_the_server_ended_is_not_usable(other):
    pid = other.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while other.is_usable() and time.monotonic() < deadline:  # the notice is on its way
        time.sleep(0.05)

    assert not other.is_usable()
    other.close()
    other.ensure_connection()  # and a new one is made as usual
    assert other.is_usable()
