"""The database refuses to change or remove an audit event, whoever sends the SQL.

PostgreSQL: one trigger for UPDATE and DELETE (migration 0002). SQLite: the triggers
below, set after every migrate (SQLite drops a table's triggers when a migration rebuilds
it); only Django's flush may empty the table there (audit.sqlite).
"""

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

SQLITE_NO_UPDATE = """
CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
"""

SQLITE_NO_DELETE_NAME = "audit_event_no_delete"
SQLITE_NO_DELETE = f"""
CREATE TRIGGER IF NOT EXISTS {SQLITE_NO_DELETE_NAME} BEFORE DELETE ON audit_auditevent
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
"""


def ensure_sqlite_triggers(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """On SQLite, refuse UPDATE and DELETE of audit events in the database (post_migrate)."""
    database = connections[using]
    if database.vendor == "sqlite":
        with database.cursor() as cursor:
            cursor.execute(SQLITE_NO_UPDATE)
            cursor.execute(SQLITE_NO_DELETE)
