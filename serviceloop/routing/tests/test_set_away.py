"""set_away: an agent marks themselves away (routing passes them over) or back, audited;
through the preferences page and PATCH /api/v1/me."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import NotPermitted
from serviceloop.routing import services as routing
from serviceloop.routing.models import AgentProfile

from . import given

# An agent in no team and a customer, shared with the doors' tests (test_presence.py).
agent = given.agent
customer = given.customer


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


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


# --- the preferences page -------------------------------------------------------------------


def test_the_preferences_page_switches_an_agent_away_and_back(agent):
    client = signed_in(agent)
    page = client.get(reverse("preferences")).content.decode()
    assert 'name="away"' in page
    assert "New tickets are not assigned to you automatically" in page

    response = client.post(reverse("preferences"), {"language": "", "time_zone": "", "away": "on"})

    assert response.status_code == 302
    assert AgentProfile.objects.get(user=agent).is_away
    switch = re.search(r'<input[^>]*name="away"[^>]*>', client.get(reverse("preferences")).text)
    assert switch is not None
    assert " checked" in switch.group(0)
    client.post(reverse("preferences"), {"language": "", "time_zone": ""})
    assert not AgentProfile.objects.get(user=agent).is_away


def test_the_preferences_page_offers_no_away_switch_to_a_customer(customer):
    client = signed_in(customer)

    assert 'name="away"' not in client.get(reverse("preferences")).content.decode()
    client.post(reverse("preferences"), {"language": "", "time_zone": "", "away": "on"})
    assert not AgentProfile.objects.exists()
