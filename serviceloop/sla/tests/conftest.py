import importlib

import pytest
from django.apps import apps


@pytest.fixture
def installed(db):
    """What the sla migrations install (the default calendar, the source process's
    policies), made again when a transactional test emptied the tables before this one."""
    for name, function in (
        ("0002_default_calendar", "create_default_calendar"),
        ("0004_default_policies", "create_policies"),
    ):
        migration = importlib.import_module(f"serviceloop.sla.migrations.{name}")
        getattr(migration, function)(apps, None)
