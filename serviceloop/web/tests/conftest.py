"""Fixtures of the web page tests: signed-in browsers (Django's test client) per role.

Tests that came from a domain app keep running with that app's fixtures: their module names
them (`clock = satisfaction_tests.clock`), so the fixtures of different apps never meet here."""

import pytest
from django.test import Client

from serviceloop.accounts.choices import Role
from tests.builders import make_user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def customer_user(team):
    """A customer with a portal login; their customer record has li.wei@example.com."""
    return make_user(Role.CUSTOMER, username="li.wei", full_name="李伟")


@pytest.fixture
def other_customer_user(team):
    """Another customer (bob@example.com)."""
    return make_user(Role.CUSTOMER, username="bob", full_name="Bob Stone")


@pytest.fixture
def agent_client(agent):
    return signed_in(agent)


@pytest.fixture
def supervisor_client(supervisor):
    return signed_in(supervisor)


@pytest.fixture
def customer_client(customer_user):
    return signed_in(customer_user)
