"""/api/v1/notifications: a staff member's own notifications, their sentences in the
request's language, cursor pages, marking read; nobody else's, and not for customers."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from serviceloop.inbox.models import Kind, Notification
from serviceloop.inbox.services import notify
from tests.builders import Api, make_ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY_MORNING = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def working_hours():
    with time_machine.travel(WEDNESDAY_MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ticket(agent):
    return make_ticket(agent, subject="Parcel SF1024 is late")


def breached(user, ticket) -> Notification:
    params = {"target": "resolution", "rule": "standard"}
    return notify([user], kind=Kind.SLA_BREACHED, ticket=ticket, params=params)[0]


def test_it_lists_mine_newest_first_with_the_sentence(agent_api, agent, teammate, ticket):
    first = breached(agent, ticket)
    second = notify([agent], kind=Kind.ASSIGNED, ticket=ticket)[0]
    breached(teammate, ticket)

    response = agent_api.get("notifications")

    assert response.status_code == 200, response.content
    body = response.json()
    assert [n["id"] for n in body["items"]] == [second.pk, first.pk]
    item = body["items"][1]
    assert item["kind"] == "sla_breached"
    assert item["text"] == f"Ticket {ticket.number}: the resolution target was breached"
    assert item["ticket"] == {"number": ticket.number, "subject": "Parcel SF1024 is late"}
    assert item["params"] == {"target": "resolution", "rule": "standard"}
    assert item["read_at"] is None
    assert item["urgent"] is False
    assert body["unread_count"] == 2
    assert body["next_cursor"] is None


def test_it_speaks_the_requests_language(agent, ticket):
    breached(agent, ticket)

    response = Api(agent, language="zh-hans").get("notifications")

    assert response.json()["items"][0]["text"] == f"工单 {ticket.number}：解决时限已超时"


def test_it_pages_with_a_cursor_and_filters_the_unread(agent_api, agent, ticket):
    made = [breached(agent, ticket) for _ in range(5)]
    Notification.objects.filter(pk=made[4].pk).update(read_at=WEDNESDAY_MORNING)

    first = agent_api.get("notifications", {"limit": 3}).json()
    assert [n["id"] for n in first["items"]] == [made[4].pk, made[3].pk, made[2].pk]
    second = agent_api.get("notifications", {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [n["id"] for n in second["items"]] == [made[1].pk, made[0].pk]
    assert second["next"] is None

    unread = agent_api.get("notifications", {"unread": "true"}).json()
    assert [n["id"] for n in unread["items"]] == [n.pk for n in reversed(made[:4])]
    assert unread["unread_count"] == 4


def test_a_bad_cursor_is_a_problem(agent_api):
    response = agent_api.get("notifications", {"cursor": "bm90IGEgY3Vyc29y"})

    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM


def test_it_marks_one_read(agent_api, agent, ticket):
    notification = breached(agent, ticket)

    response = agent_api.post(f"notifications/{notification.pk}/read")

    assert response.status_code == 200, response.content
    assert response.json()["read_at"] is not None
    notification.refresh_from_db()
    assert notification.read_at == WEDNESDAY_MORNING


def test_another_users_notification_is_not_found(agent_api, teammate, ticket):
    theirs = breached(teammate, ticket)

    response = agent_api.post(f"notifications/{theirs.pk}/read")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_marks_all_mine_read(agent_api, agent, teammate, ticket):
    breached(agent, ticket)
    breached(agent, ticket)
    theirs = breached(teammate, ticket)

    response = agent_api.post("notifications/read-all")

    assert response.status_code == 200
    assert response.json() == {"marked": 2}
    assert agent_api.get("notifications").json()["unread_count"] == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "notifications"),
        ("post", "notifications/read-all"),
        ("post", "notifications/1/read"),
    ],
)
def test_customers_and_partners_get_403(customer_api, partner_api, method, path):
    for api in (customer_api, partner_api):
        response = getattr(api, method)(path)
        assert response.status_code == 403
        assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "notifications"),
        ("post", "notifications/read-all"),
        ("post", "notifications/1/read"),
    ],
)
def test_anonymous_callers_get_401(db, method, path):
    assert getattr(Api(None), method)(path).status_code == 401


def test_a_session_write_needs_the_csrf_token(agent, ticket):
    notification = breached(agent, ticket)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)

    response = browser.post(f"/api/v1/notifications/{notification.pk}/read")

    assert response.status_code == 403
    notification.refresh_from_db()
    assert notification.read_at is None
