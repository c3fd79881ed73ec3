"""While the database cannot be reached the pages answer 503 with Retry-After and a short
translated page, not a 500: from a view (core.middleware.DatabaseUnavailable) and from a
middleware that reads a signed-in user's session (handler500, core.health.server_error)."""

import logging

import pytest
from django.test import Client

from tests.outages import database_down

pytestmark = pytest.mark.django_db(transaction=True)

HTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"


def test_a_signed_in_page_answers_503_while_the_database_is_down(agent, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(agent)

    with caplog.at_level(logging.INFO), database_down():
        response = client.get("/desk/", headers={"accept": HTML, "accept-language": "en"})

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert "<title>Service unavailable</title>" in page
    assert "cannot reach its database" in page
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "logged as an error"

    assert client.get("/desk/").status_code == 200, "the next request connects again"


def test_signing_in_answers_503_while_the_database_is_down(agent):
    """No session yet: the view itself meets the outage."""
    client = Client()

    with database_down():
        response = client.post("/login/", {"username": "agent", "password": "secret"})

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
