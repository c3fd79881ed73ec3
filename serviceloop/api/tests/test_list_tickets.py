"""GET /api/v1/tickets: newest first, cursor pages that walk every ticket once, filters
that narrow, search in Chinese and English, and a query count that does not grow."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from serviceloop.accounts.choices import Role
from serviceloop.customers.services import CustomerIdentity
from serviceloop.tickets.models import Ticket
from tests.builders import Api, field_errors, make_category, make_customer, make_ticket, make_user

from .given import numbers, ticket_in, walk

DAY = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def on_day(n: int) -> datetime:
    return DAY + timedelta(days=n)


def test_it_lists_the_newest_ticket_first(agent_api, agent):
    # given three tickets created on three days, not in the order of their numbers' age
    made = {}
    for day in (2, 1, 3):
        with time_machine.travel(on_day(day), tick=False):
            made[day] = make_ticket(agent).number
    # when the agent lists tickets
    response = agent_api.get("tickets")
    # then the newest comes first
    assert numbers(response) == [made[3], made[2], made[1]]
    assert response.json()["next"] is None
    assert response.json()["next_cursor"] is None


def test_it_walks_every_ticket_once_through_the_cursor_pages(agent_api, agent):
    # given 60 tickets, some of them created in the very same instant
    with time_machine.travel(on_day(0), tick=False) as traveller:
        for n in range(60):
            make_ticket(agent)
            if n % 4 != 0:  # three in four share a created_at with the one before
                continue
            traveller.shift(timedelta(seconds=1))
    assert Ticket.objects.values("created_at").distinct().count() < 30
    # when a client follows `next` seven at a time
    seen, pages = walk(agent_api, {"limit": 7})
    # then it sees every ticket exactly once, newest first, ties broken by id
    expected = list(Ticket.objects.order_by("-created_at", "-id").values_list("number", flat=True))
    assert len(seen) == 60
    assert len(set(seen)) == 60
    assert seen == expected
    assert len(pages) == 9
    assert [len(page["items"]) for page in pages] == [7] * 8 + [4]


def test_it_keeps_the_filters_in_the_next_link(agent_api, agent):
    # given five complaints and two inquiries
    for n in range(5):
        make_ticket(agent, kind="complaint", description=f"Courier was rude, case {n}")
    for n in range(2):
        make_ticket(agent, kind="inquiry", description=f"Where is parcel {n}")
    # when complaints are listed two at a time
    filters = {"kind": "complaint", "status": ["new", "waiting_customer"], "limit": 2}
    first = agent_api.get("tickets", filters)
    # then the next link carries the filters and the cursor
    assert first.status_code == 200, first.content
    link = first.json()["next"]
    query = parse_qs(urlsplit(link).query)
    assert query["kind"] == ["complaint"]
    assert query["status"] == ["new", "waiting_customer"]
    assert query["limit"] == ["2"]
    assert query["cursor"] == [first.json()["next_cursor"]]
    assert urlsplit(link).path == "/api/v1/tickets"
    # and following the links gives exactly the complaints
    seen, pages = walk(agent_api, filters)
    assert len(pages) == 3
    assert sorted(seen) == sorted(Ticket.objects.filter(kind="complaint").values_list(
        "number", flat=True
    ))  # fmt: skip


def test_it_refuses_a_cursor_it_did_not_hand_out(agent_api, agent):
    make_ticket(agent)
    response = agent_api.get("tickets", {"cursor": "not-a-cursor"})
    assert response.status_code == 422, response.content
    assert "cursor" in field_errors(response)


# --- filters -------------------------------------------------------------------------------


@pytest.fixture
def board(db, team, other_team, category, agent, admin_user):
    """Five tickets that differ in every filtered attribute; {label: number}.

    | | kind | urgency | channel | category | team | assignee | status | customer | day |
    | a | complaint | high | phone | delivery | support | agent | new | x | 1 |
    | b | inquiry | medium | email | delivery-delay | support | admin | in_progress | y | 2 |
    | c | complaint | low | api | invoice | billing | - | waiting_customer | x | 3 |
    | d | suggestion | medium | web | - | support (default) | - | resolved | y | 4 |
    | e | praise | critical | chat | invoice | billing | admin | closed | z | 5 |
    """
    make_category("delivery-delay", parent=category)
    make_category("invoice", team=other_team)
    x, y, z = (make_customer(name) for name in ("x", "y", "z"))
    rows = {
        "a": ("new", {
            "kind": "complaint", "urgency": "high", "channel": "phone", "category": "delivery",
            "assignee": agent.pk, "customer_id": x.pk, "description": "快递一直没有送到",
        }),
        "b": ("in_progress", {
            "kind": "inquiry", "channel": "email", "category": "delivery-delay",
            "assignee": admin_user.pk, "customer_id": y.pk,
            "description": "I want a refund for order 77",
        }),
        "c": ("waiting_customer", {
            "kind": "complaint", "urgency": "low", "category": "invoice", "customer_id": x.pk,
            "description": "The invoice shows the wrong amount",
        }),
        "d": ("resolved", {
            "kind": "suggestion", "channel": "web", "customer_id": y.pk,
            "description": "Please send tracking updates by SMS",
        }),
        "e": ("closed", {
            "kind": "praise", "urgency": "critical", "channel": "chat", "category": "invoice",
            "assignee": admin_user.pk, "customer_id": z.pk,
            "description": "Thanks to the courier team",
        }),
    }  # fmt: skip
    made = {}
    for day, (label, (status, fields)) in enumerate(rows.items(), start=1):
        with time_machine.travel(on_day(day), tick=False):
            made[label] = ticket_in(status, actor=admin_user, **fields)
    return {"numbers": {k: t.number for k, t in made.items()}, "customers": {"x": x.pk}}


FILTERS = [
    ({"status": "new"}, "a"),
    ({"status": "open"}, "abc"),
    ({"status": ["resolved", "closed"]}, "de"),
    ({"kind": "complaint"}, "ac"),
    ({"kind": ["complaint", "praise"]}, "ace"),
    ({"urgency": "high"}, "a"),
    ({"urgency": ["low", "critical"]}, "ce"),
    ({"channel": "phone"}, "a"),
    ({"channel": ["email", "web"]}, "bd"),
    ({"team": "billing"}, "ce"),
    ({"team": "support"}, "abd"),
    ({"assignee": "me"}, "be"),
    ({"assignee": "none"}, "cd"),
    ({"category": "delivery"}, "ab"),
    ({"category": "delivery-delay"}, "b"),
    ({"category": "invoice"}, "ce"),
    ({"created_after": on_day(3).isoformat()}, "cde"),
    ({"created_before": on_day(3).isoformat()}, "ab"),
    ({"created_after": on_day(2).isoformat(), "created_before": on_day(4).isoformat()}, "bc"),
    ({"q": "快递"}, "a"),
    ({"q": "没有送到"}, "a"),
    ({"q": "refun"}, "b"),
    ({"q": "REFUND order"}, "b"),
    ({"q": "courier"}, "e"),
    ({"q": "parcel"}, ""),
    ({"kind": "complaint", "status": "open", "team": "billing"}, "c"),
]


@pytest.mark.parametrize(("params", "expected"), FILTERS, ids=lambda v: str(v))
def test_it_narrows_the_list_by_each_filter(board, admin_api, params, expected):
    response = admin_api.get("tickets", params)
    found = set(numbers(response))
    assert found == {board["numbers"][label] for label in expected}


def test_it_filters_by_a_given_assignee(board, admin_api, agent):
    response = admin_api.get("tickets", {"assignee": agent.pk})
    assert numbers(response) == [board["numbers"]["a"]]


def test_it_filters_by_customer(board, admin_api):
    response = admin_api.get("tickets", {"customer": board["customers"]["x"]})
    assert set(numbers(response)) == {board["numbers"]["a"], board["numbers"]["c"]}


def test_it_finds_a_ticket_by_its_exact_number(board, admin_api):
    wanted = board["numbers"]["c"]
    assert numbers(admin_api.get("tickets", {"q": wanted})) == [wanted]
    assert numbers(admin_api.get("tickets", {"q": wanted.lower()})) == [wanted]


def test_it_shows_an_agent_only_their_teams_tickets(board, agent_api):
    response = agent_api.get("tickets")
    assert set(numbers(response)) == {board["numbers"][label] for label in "abd"}


def test_it_searches_chinese_text_by_any_word_in_it(agent_api, agent):
    # given a ticket in Chinese and one in English
    wanted = make_ticket(agent, description="快递一直没有送到，已经等了一个星期").number
    make_ticket(agent, description="The courier never came")
    # then Chinese words anywhere in the text find it, and others do not
    for q in ("快递", "没有送到", "一个星期", "送到 快递"):
        assert numbers(agent_api.get("tickets", {"q": q})) == [wanted], q
    assert numbers(agent_api.get("tickets", {"q": "退款"})) == []


def test_it_searches_english_words_by_prefix(agent_api, agent):
    wanted = make_ticket(agent, description="Please refund my order, the box was broken").number
    make_ticket(agent, description="Where is my parcel")
    for q in ("refun", "Refund", "broken box", "ord"):
        assert numbers(agent_api.get("tickets", {"q": q})) == [wanted], q
    assert numbers(agent_api.get("tickets", {"q": "refundable"})) == []


# --- query count ---------------------------------------------------------------------------


@pytest.fixture
def customer_factory(agent):
    """Tickets of different customers, categories and assignees: whatever a page shows."""
    counter = iter(range(10_000))

    def make(n: int) -> None:
        for _ in range(n):
            i = next(counter)
            make_ticket(
                agent,
                description=f"Parcel {i} has not arrived",
                category="delivery",
                assignee=agent.pk if i % 2 else None,
                customer=CustomerIdentity(email=f"buyer{i}@example.com"),
            )

    return make


LIST_QUERIES = 2  # the token with its user; the page (teams a subquery, categories cached)


def test_it_lists_a_page_in_a_constant_number_of_queries(
    agent_api, category, customer_factory, django_assert_num_queries
):
    # given five tickets, and a token that was used a moment ago
    customer_factory(5)
    assert agent_api.get("tickets").status_code == 200
    # when the list is read
    with django_assert_num_queries(LIST_QUERIES):
        small = agent_api.get("tickets")
    assert len(numbers(small)) == 5
    # then 25 tickets cost the same queries, filtered or not
    customer_factory(20)
    with django_assert_num_queries(LIST_QUERIES):
        full = agent_api.get("tickets")
    assert len(numbers(full)) == 25
    with django_assert_num_queries(LIST_QUERIES):
        filtered = agent_api.get("tickets", {"status": "open", "q": "parcel"})
    assert len(numbers(filtered)) == 25


def test_it_lists_for_a_supervisor_with_teams_in_constant_queries(
    team, category, customer_factory, django_assert_num_queries
):
    supervisor = make_user(Role.SUPERVISOR, username="boss", teams=[team])
    api = Api(supervisor)
    customer_factory(25)
    assert api.get("tickets").status_code == 200
    with django_assert_num_queries(LIST_QUERIES):
        response = api.get("tickets", {"assignee": "none"})
    assert len(numbers(response)) == 13  # the even ones of 0..24
