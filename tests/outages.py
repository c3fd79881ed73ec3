"""The database going away under a running test: the default connection pointed at a closed
port (PostgreSQL) or at a file that cannot be opened (SQLite), as during a restart. Needs a
test without an open transaction (`django_db(transaction=True)`)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections

from tests.pgcluster import free_port


@contextmanager
def database_down(alias: str = "default") -> Iterator[None]:
    connection = connections[alias]
    connection.close()
    saved = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent/serviceloop/down.sqlite3"
    else:
        connection.settings_dict["PORT"] = free_port()  # nothing listens there
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
