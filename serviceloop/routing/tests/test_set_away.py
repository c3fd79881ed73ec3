"""set_away: an agent marks themselves away (routing passes them over) or back, audited.
Through the preferences page and PATCH /api/v1/me: test_presence.py in serviceloop/web/tests
and serviceloop/api/tests."""

import pytest

from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import NotPermitted
from serviceloop.routing import services as routing
from serviceloop.routing.models import AgentProfile

from . import given

# An agent in no team and a customer, shared with the doors' tests.
agent = given.agent
customer = given.customer


def test_it_marks_an_agent_away_and_back_audited(agent):
    routing.set_away(user=agent, away=True)
    assert AgentProfile.objects.get(user=agent).is_away

    routing.set_away(user=agent, away=False)
    assert not AgentProfile.objects.get(user=agent).is_away

    events = AuditEvent.objects.filter(action="agent.away_changed").order_by("pk")
    assert [(e.actor_id, e.target_type, e.target_id, e.after) for e in events] == [
        (agent.pk, "user", str(agent.pk), {"away": True}),
        (agent.pk, "user", str(agent.pk), {"away": False}),
    ]


def test_it_records_nothing_when_nothing_changes(agent):
    routing.set_away(user=agent, away=False)

    assert not AgentProfile.objects.get(user=agent).is_away
    assert not AuditEvent.objects.filter(action="agent.away_changed").exists()


def test_it_refuses_those_who_do_not_work_tickets(customer):
    with pytest.raises(NotPermitted):
        routing.set_away(user=customer, away=True)

    assert not AgentProfile.objects.exists()
    assert not AuditEvent.objects.filter(action="agent.away_changed").exists()
