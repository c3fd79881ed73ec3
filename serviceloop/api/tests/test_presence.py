"""PATCH /api/v1/me: an agent marks themselves away (routing passes them over) or back;
set_away itself is tested in serviceloop/routing/tests/test_set_away.py."""

from serviceloop.routing.models import AgentProfile
from serviceloop.routing.tests import conftest as routing_tests
from serviceloop.routing.tests import given as routing_given
from tests.builders import Api

# The routing tests' fixtures: fresh schedules (autouse), an agent in no team, a customer.
_fresh_schedules = routing_tests._fresh_schedules
agent = routing_given.agent
customer = routing_given.customer


def test_the_api_shows_and_changes_the_presence(agent):
    api = Api(agent)
    assert api.get("me").json()["away"] is False

    response = api.patch("me", {"away": True, "language": "zh-hans"})

    assert response.status_code == 200, response.content
    assert (response.json()["away"], response.json()["language"]) == (True, "zh-hans")
    assert AgentProfile.objects.get(user=agent).is_away


def test_the_api_refuses_a_customer_and_changes_nothing(customer):
    response = Api(customer).patch("me", {"away": True, "language": "zh-hans"})

    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.language == ""
    assert not AgentProfile.objects.exists()


def test_the_api_refuses_a_presence_that_is_not_a_boolean(agent):
    response = Api(agent).patch("me", {"away": None})

    assert response.status_code == 422
    assert not AgentProfile.objects.exists()
