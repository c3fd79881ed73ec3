"""`committed` is sent once the change's transaction commits, never for a rolled-back one,
and not at all for changes recorded inside `unpublished()` (replayed history)."""

import pytest
from django.db import transaction

from serviceloop.audit import services as audit
from serviceloop.audit.models import AuditEvent
from serviceloop.audit.signals import committed
from tests.builders import make_team

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard():
    events: list[AuditEvent] = []

    def listen(sender, event, **kwargs):
        events.append(event)

    committed.connect(listen, sender=AuditEvent, dispatch_uid="test-heard")
    yield events
    committed.disconnect(dispatch_uid="test-heard", sender=AuditEvent)


def test_it_is_heard_after_the_commit_only(heard):
    team = make_team("support")
    heard.clear()
    with transaction.atomic():
        audit.record(actor=None, action="team.checked", target=team)
        assert heard == []  # not before the commit
    assert [event.action for event in heard] == ["team.checked"]


def test_a_rolled_back_change_is_never_heard(heard):
    team = make_team("support")
    heard.clear()
    with transaction.atomic():
        audit.record(actor=None, action="team.checked", target=team)
        transaction.set_rollback(True)
    assert heard == []


def test_history_recorded_unpublished_is_audited_but_not_heard(heard):
    team = make_team("support")
    heard.clear()
    with audit.unpublished(), transaction.atomic():
        audit.record(actor=None, action="team.replayed", target=team)
        audit.record_all([audit.Entry(actor=None, action="team.replayed", target=team)])
    assert heard == []
    assert AuditEvent.objects.filter(action="team.replayed").count() == 2
    with transaction.atomic():
        audit.record(actor=None, action="team.checked", target=team)
    assert [event.action for event in heard] == ["team.checked"]
