import pytest

from tests.builders import replay_data_migrations


@pytest.fixture
def installed(db):
    """What the sla migrations install (the default calendar, the source process's
    policies), made again when a transactional test emptied the tables before this one."""
    replay_data_migrations(
        ("sla", "0002_default_calendar", "create_default_calendar"),
        ("sla", "0004_default_policies", "create_policies"),
    )
