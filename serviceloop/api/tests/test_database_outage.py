"""While the database cannot be reached the API answers 503 with Retry-After as problem+json
(core.middleware.DatabaseUnavailable, rewritten by api.middleware), not a 500; the next
request after the outage is served again."""

import logging

import pytest

from tests.builders import Api
from tests.outages import database_down

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_answers_503_with_retry_after_while_the_database_is_down(admin_user, caplog):
    api = Api(admin_user, language="en")

    with caplog.at_level(logging.INFO), database_down():
        listing = api.get("tickets")
        creation = api.post(
            "tickets", {"description": "Parcel late", "customer": {"email": "a@example.com"}}
        )

    for response in (listing, creation):
        assert response.status_code == 503, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert response["Retry-After"] == "5"
        problem = response.json()
        assert problem["code"] == "unavailable"
        assert problem["title"] == "Service unavailable"
        assert "cannot reach its database" in problem["detail"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "logged as an error"
    warnings = [r.getMessage() for r in caplog.records if r.name == "serviceloop.outage"]
    assert [message.split(" (")[0] for message in warnings] == [
        "database unavailable: GET /api/v1/tickets answered 503",
        "database unavailable: POST /api/v1/tickets answered 503",
    ]

    assert api.get("tickets").status_code == 200, "the next request connects again"
