"""Django's SQLite backend, with one change: its flush (the test database between tests,
`serviceloop flush`) may empty the audit trail, which SQLite's triggers otherwise refuse
to any DELETE (audit.triggers). PostgreSQL's flush is a TRUNCATE, which
its row triggers do not see; here the flush lifts the DELETE trigger and sets it again, in
the flush's transaction.

settings.DATABASES uses it (ENGINE "serviceloop.audit.sqlite") for every SQLite database.
"""

from typing import Any

from django.db.backends.sqlite3 import base, operations

from ..triggers import SQLITE_NO_DELETE, SQLITE_NO_DELETE_NAME


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements: list[str] = super().sql_flush(style, tables, **kwargs)
        if not statements:
            return statements
        return [f"DROP TRIGGER IF EXISTS {SQLITE_NO_DELETE_NAME};", *statements, SQLITE_NO_DELETE]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
