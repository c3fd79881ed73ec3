"""Fixtures of the /api/v1 endpoint tests: the people who call the API, each with a client
that speaks JSON with their bearer token."""

import pytest

from serviceloop.accounts.choices import Role
from tests.builders import Api, make_category, make_user


@pytest.fixture
def billing_category(other_team):
    """A category owned by billing, so routing is told apart from the default team."""
    return make_category("invoice", team=other_team)


@pytest.fixture
def customer_user(team):
    return make_user(Role.CUSTOMER, username="li-wei", full_name="李伟")


@pytest.fixture
def partner(team):
    return make_user(Role.PARTNER, username="courier")


@pytest.fixture
def agent_api(agent):
    return Api(agent)


@pytest.fixture
def teammate_api(teammate):
    return Api(teammate)


@pytest.fixture
def admin_api(admin_user):
    return Api(admin_user)


@pytest.fixture
def customer_api(customer_user):
    return Api(customer_user)


@pytest.fixture
def partner_api(partner):
    return Api(partner)


@pytest.fixture
def supervisor_api(supervisor):
    return Api(supervisor)
