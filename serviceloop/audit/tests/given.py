"""Starting points shared by the audit tests and the API's tests of the trail."""

import pytest

from serviceloop.audit.models import AuditEvent
from tests.builders import make_ticket


@pytest.fixture
def event(agent, category):
    make_ticket(agent)
    return AuditEvent.objects.get(action="ticket.created")
