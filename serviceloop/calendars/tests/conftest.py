import pytest

from tests.builders import replay_data_migrations


@pytest.fixture
def installed(db):
    """The default calendar every installation starts with (made by a migration of the sla
    app, where calendars were kept then), made again when a transactional test emptied the
    tables before this one."""
    replay_data_migrations(("sla", "0002_default_calendar", "create_default_calendar"))
