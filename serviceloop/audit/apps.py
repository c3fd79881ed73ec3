from typing import Any

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END
"""


def ensure_sqlite_trigger(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """On SQLite, refuse UPDATE of audit events in the database too.

    Runs after every migrate because SQLite drops triggers when a migration rebuilds a
    table. DELETE stays possible there only so the test database can be flushed; the model,
    queryset and admin refuse it (PostgreSQL refuses both: migration 0002).
    """
    database = connections[using]
    if database.vendor == "sqlite":
        with database.cursor() as cursor:
            cursor.execute(SQLITE_TRIGGER)


class AuditConfig(AppConfig):
    name = "serviceloop.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        post_migrate.connect(ensure_sqlite_trigger, sender=self)
