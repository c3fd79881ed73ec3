"""The preferences page: an agent marks themselves away (routing passes them over) or back;
set_away itself is tested in serviceloop/routing/tests/test_set_away.py."""

import re

from django.test import Client
from django.urls import reverse

from serviceloop.routing.models import AgentProfile
from serviceloop.routing.tests import conftest as routing_tests
from serviceloop.routing.tests import given as routing_given

# The routing tests' fixtures: fresh schedules (autouse), an agent in no team, a customer.
_fresh_schedules = routing_tests._fresh_schedules
agent = routing_given.agent
customer = routing_given.customer


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


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
