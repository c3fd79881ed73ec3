"""The agent queue (/desk/): who may open it, what each view holds and counts, filters,
search, sorting, cursor pages, saved views, bulk actions, htmx fragments and a query count
that does not grow with the data."""

import json
import re
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock
from serviceloop.desk import queue as desk_queue
from serviceloop.tickets import services
from serviceloop.tickets.models import SavedView, Ticket
from serviceloop.tickets.queries import TicketFilter
from serviceloop.tickets.tests.given import ticket_in
from serviceloop.web.tests.conftest import signed_in
from tests.builders import make_category, make_customer, make_ticket, make_user

QUEUE = "/desk/"
RESULTS = {"HX-Request": "true", "HX-Target": "sl-results"}
MORE = {"HX-Request": "true", "HX-Target": "sl-more"}


def shown(response) -> list[str]:
    """The ticket numbers listed, in order."""
    return re.findall(r'data-sl-row data-number="([^"]+)"', response.content.decode())


def counts(response) -> dict[str, str]:
    return dict(re.findall(r'data-count-for="(\w+)">([^<]+)<', response.content.decode()))


def errors(response) -> dict[str, str]:
    found = re.findall(r'data-error-for="(\w+)">(?:[^:<]*: )?([^<]+)<', response.content.decode())
    return dict(found)


def numbers(*tickets: Ticket) -> list[str]:
    return [ticket.number for ticket in tickets]


def next_link(response) -> str:
    match = re.search(r'id="sl-more".*?href="([^"]+)"', response.content.decode(), re.S)
    assert match, "no load-more link"
    return match.group(1).replace("&amp;", "&")


@pytest.fixture
def mine(agent):
    """Two open tickets of the agent's, the newer second."""
    return [ticket_in("in_progress", agent=agent, assignee=agent.pk) for _ in range(2)]


# --- who may open it -----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_customers_are_sent_to_their_portal(customer_client):
    response = customer_client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_partners_are_refused(db):
    partner = make_user(Role.PARTNER)
    assert signed_in(partner).get(QUEUE).status_code == 403
    for name in ("desk:queue_save_view", "desk:queue_bulk"):
        assert signed_in(partner).post(reverse(name), {"name": "x"}).status_code == 403


@pytest.mark.parametrize(
    ("role", "opens_on", "works"),
    [
        (Role.AGENT, "mine", True),
        (Role.SUPERVISOR, "mine", True),
        (Role.MANAGER, "mine", True),
        (Role.ADMIN, "mine", True),
        (Role.SPECIALIST, "all", False),
        (Role.ANALYST, "all", False),
    ],
)
def test_staff_open_the_queue_and_only_workers_get_bulk_actions(team, role, opens_on, works):
    user = make_user(role, teams=[team])
    ticket = make_ticket(user if works else make_user(Role.AGENT, teams=[team]), assignee=None)
    response = signed_in(user).get(QUEUE + ("?view=all" if works else ""))
    assert response.status_code == 200
    page = response.content.decode()
    assert shown(response) == [ticket.number]
    assert ('id="sl-bulk"' in page) is works
    assert ("data-sl-select" in page) is works
    if not works:
        assert 'data-view="all"' in page  # where read-only roles start
    else:
        landing = signed_in(user).get(QUEUE)
        assert re.search(rf'id="sl-results" data-view="{opens_on}"', landing.content.decode())


# --- the built-in views --------------------------------------------------------------------


def test_my_open_tickets_are_mine_and_open(agent, teammate, mine):
    ticket_in("resolved", agent=agent, assignee=agent.pk)
    ticket_in("in_progress", agent=teammate, assignee=teammate.pk)
    ticket_in("new", agent=agent)  # nobody's
    response = signed_in(agent).get(QUEUE)
    assert shown(response) == numbers(*reversed(mine))
    assert counts(response)["mine"] == "2"


def test_unassigned_holds_my_teams_open_tickets_without_owner(agent, outsider, mine):
    free = ticket_in("new", agent=agent)
    ticket_in("resolved", agent=agent)
    ticket_in("new", agent=outsider, team="billing")  # another team's
    response = signed_in(agent).get(QUEUE, {"view": "unassigned"})
    assert shown(response) == [free.number]
    assert counts(response)["unassigned"] == "1"


def test_waiting_holds_tickets_waiting_on_the_customer(agent, mine):
    waiting = ticket_in("waiting_customer", agent=agent)
    response = signed_in(agent).get(QUEUE, {"view": "waiting"})
    assert shown(response) == [waiting.number]


def test_commitments_lists_tickets_with_a_promise_overdue_or_due_within_a_day(agent, mine):
    overdue, soon, later = (ticket_in("in_progress", agent=agent) for _ in range(3))
    with time_machine.travel(clock.now() - timedelta(hours=3), tick=False):
        services.create_commitment(
            ticket=overdue, actor=agent, text="Call back", due_at=clock.now() + timedelta(hours=1)
        )
    services.create_commitment(
        ticket=soon, actor=agent, text="Send the label", due_at=clock.now() + timedelta(hours=5)
    )
    services.create_commitment(
        ticket=later, actor=agent, text="Visit", due_at=clock.now() + timedelta(days=3)
    )
    response = signed_in(agent).get(QUEUE, {"view": "commitments"})
    assert sorted(shown(response)) == sorted(numbers(overdue, soon))
    page = response.content.decode()
    assert re.search(rf'data-number="{overdue.number}".*?class="overdue"', page, re.S)
    assert page.count('class="overdue"') == 1
    assert counts(response)["commitments"] == "2"


def test_recent_holds_tickets_changed_in_the_last_week(agent):
    with time_machine.travel(clock.now() - timedelta(days=8), tick=False):
        old = ticket_in("in_progress", agent=agent)
    fresh = ticket_in("new", agent=agent)
    response = signed_in(agent).get(QUEUE, {"view": "recent"})
    assert shown(response) == [fresh.number]
    services.change_urgency(ticket=old, urgency="high", actor=agent)  # a change brings it back
    assert shown(signed_in(agent).get(QUEUE, {"view": "recent"})) == numbers(old, fresh)


def test_all_holds_everything_in_scope_and_nothing_beyond(agent, outsider, mine):
    closed = ticket_in("closed", agent=agent)
    theirs = ticket_in("new", agent=outsider, team="billing")
    response = signed_in(agent).get(QUEUE, {"view": "all"})
    assert set(shown(response)) == {*numbers(*mine), closed.number}
    assert theirs.number not in response.content.decode()
    assert shown(signed_in(outsider).get(QUEUE, {"view": "all"})) == [theirs.number]
    manager = make_user(Role.MANAGER)
    assert len(shown(signed_in(manager).get(QUEUE, {"view": "all"}))) == 4


def test_the_counts_of_every_view_stop_at_the_cap(agent, mine, monkeypatch):
    ticket_in("new", agent=agent)
    monkeypatch.setattr(desk_queue, "COUNT_CAP", 3)
    response = signed_in(agent).get(QUEUE)
    assert counts(response) == {
        "mine": "2", "unassigned": "1", "breaching": "0", "waiting": "0", "commitments": "0",
        "recent": "2+", "all": "2+",
    }  # fmt: skip


def test_each_view_says_what_to_do_when_it_is_empty(agent):
    client = signed_in(agent)
    page = client.get(QUEUE).content.decode()
    assert 'data-empty-state="mine"' in page
    assert "Nothing assigned to you." in page
    assert f'href="{QUEUE}?view=unassigned"' in page
    for view in ("unassigned", "waiting", "commitments", "recent", "all"):
        assert f'data-empty-state="{view}"' in client.get(QUEUE, {"view": view}).content.decode()


def test_a_row_shows_the_ticket_and_links_to_it(agent, category):
    customer = make_customer("周杰")
    ticket = make_ticket(
        agent, subject="Parcel <b>lost</b>", customer_id=customer.pk, category="delivery",
        urgency="high", channel="phone", assignee=agent.pk,
    )  # fmt: skip
    page = signed_in(agent).get(QUEUE).content.decode()
    row = re.search(rf'<tr data-sl-row data-number="{ticket.number}">(.*?)</tr>', page, re.S)
    assert row
    cells = row.group(1)
    assert f'href="{reverse("desk:ticket", args=[ticket.number])}" data-sl-open' in cells
    assert "Parcel &lt;b&gt;lost&lt;/b&gt;" in cells  # user text is escaped
    for text in ("周杰", 'data-status="new"', 'data-urgency="high"', "Delivery", "Support"):
        assert text in cells
    assert "王芳" in cells
    assert "Phone" in cells
    assert "j</kbd>/<kbd>k</kbd>" in page
    assert "data-sl-search" in page


def test_the_queue_speaks_chinese(agent, mine):
    client = signed_in(agent)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    page = client.get(QUEUE).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "处理中" in page  # the status badge


# --- filters, search, sorting --------------------------------------------------------------


@pytest.fixture
def assorted(agent, teammate, category):
    """Tickets that differ in one filter each; `plain` matches none of the filters."""
    return {
        "plain": ticket_in("new", agent=agent, kind="inquiry", urgency="low", channel="web"),
        "complaint": ticket_in("new", agent=agent, kind="complaint", urgency="low", channel="web"),
        "critical": ticket_in("new", agent=agent, urgency="critical", channel="web"),
        "phone": ticket_in("new", agent=agent, urgency="low", channel="phone"),
        "delivery": ticket_in(
            "new", agent=agent, urgency="low", channel="web", category="delivery"
        ),
        "resolved": ticket_in("resolved", agent=agent, urgency="low", channel="web"),
        "teammates": ticket_in(
            "in_progress", agent=agent, assignee=teammate.pk, urgency="low", channel="web"
        ),
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "resolved"}, ["resolved"]),
        ({"status": "in_progress"}, ["teammates"]),
        ({"kind": "complaint"}, ["complaint"]),
        ({"urgency": "critical"}, ["critical"]),
        ({"channel": "phone"}, ["phone"]),
        ({"category": "delivery"}, ["delivery"]),
        ({"assignee": "TEAMMATE"}, ["teammates"]),
        ({"kind": "complaint", "urgency": "critical"}, []),
    ],
)
def test_filters_narrow_the_view(agent, teammate, assorted, filters, expected):
    if filters.get("assignee") == "TEAMMATE":
        filters["assignee"] = str(teammate.pk)
    response = signed_in(agent).get(QUEUE, {"view": "all", **filters})
    assert sorted(shown(response)) == sorted(assorted[name].number for name in expected)
    if not expected:
        assert 'data-empty-state="filtered"' in response.content.decode()


def test_the_team_and_unassigned_filters(agent, outsider, assorted):
    theirs = ticket_in("new", agent=outsider, team="billing")
    admin = signed_in(make_user(Role.ADMIN))
    assert shown(admin.get(QUEUE, {"view": "all", "team": "billing"})) == [theirs.number]
    unassigned = shown(signed_in(agent).get(QUEUE, {"view": "all", "assignee": "none"}))
    assert assorted["teammates"].number not in unassigned
    assert assorted["plain"].number in unassigned


def test_the_created_range_counts_whole_days_in_the_users_time_zone(agent):
    with time_machine.travel("2026-03-01 23:30 +08:00", tick=False):
        first = ticket_in("new", agent=agent)
    with time_machine.travel("2026-03-02 08:00 +08:00", tick=False):
        second = ticket_in("new", agent=agent)
    with time_machine.travel("2026-03-03 00:10 +08:00", tick=False):
        ticket_in("new", agent=agent)
    agent.time_zone = "Asia/Shanghai"
    agent.save(update_fields=["time_zone"])
    client = signed_in(agent)
    day = {"view": "all", "created_after": "2026-03-02", "created_before": "2026-03-02"}
    assert shown(client.get(QUEUE, day)) == [second.number]
    march_1 = {"view": "all", "created_before": "2026-03-01"}
    assert shown(client.get(QUEUE, march_1)) == [first.number]


def test_search_finds_words_numbers_and_customers(agent):
    bob = make_customer("Bob Stone", email="bob.stone@example.com", phone="+8613800138000")
    lost = ticket_in("new", agent=agent, description="My parcel was lost in the rain")
    bobs = ticket_in("new", agent=agent, customer_id=bob.pk, description="Invoice question")
    chinese = ticket_in("new", agent=agent, description="快递一直没有到")
    client = signed_in(agent)

    def found(text):
        return shown(client.get(QUEUE, {"view": "all", "q": text}))

    assert found("parcel") == [lost.number]
    assert found("没有") == [chinese.number]
    assert found(bobs.number.lower()) == [bobs.number]
    assert found("Bob Stone") == [bobs.number]
    assert found("BOB.stone@example.com") == [bobs.number]
    assert found("13800138000") == [bobs.number]
    assert found("nothing-like-this") == []


@pytest.mark.parametrize(
    ("sort", "order"),
    [("created", [2, 1, 0]), ("oldest", [0, 1, 2]), ("updated", [1, 2, 0])],
)
def test_sorting(agent, sort, order):
    tickets = []
    for day in range(3):
        with time_machine.travel(clock.now() - timedelta(days=3 - day), tick=False):
            tickets.append(ticket_in("new", agent=agent))
    services.change_urgency(ticket=tickets[1], urgency="high", actor=agent)  # updated last
    response = signed_in(agent).get(QUEUE, {"view": "all", "sort": sort})
    assert shown(response) == [tickets[i].number for i in order]


def test_recently_updated_view_sorts_by_update_by_default(agent):
    first, second = ticket_in("new", agent=agent), ticket_in("new", agent=agent)
    services.change_urgency(ticket=first, urgency="high", actor=agent)
    response = signed_in(agent).get(QUEUE, {"view": "recent"})
    assert shown(response) == numbers(first, second)
    assert re.search(r'<option value="updated" selected>', response.content.decode())


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"view": "everything"}, "view"),
        ({"assignee": "12345678"}, "assignee"),
        ({"created_after": "yesterday"}, "created_after"),
        ({"created_after": "2026-03-02", "created_before": "2026-03-01"}, "created_before"),
        ({"cursor": "not-a-cursor"}, "__all__"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_filters_answer_422_with_the_field_at_fault(agent, mine, params, field):
    response = signed_in(agent).get(QUEUE, params)
    assert response.status_code == 422
    assert field in errors(response)
    assert shown(response) == []
    partial = signed_in(agent).get(QUEUE, params, headers=RESULTS)
    assert partial.status_code == 422
    assert field in errors(partial)


def test_a_category_that_no_longer_exists_is_a_field_error(agent, mine):
    doomed = make_category("doomed")
    client = signed_in(agent)
    assert client.get(QUEUE, {"category": "doomed"}).status_code == 200
    doomed.delete()
    response = client.get(QUEUE, {"category": "doomed"})
    assert response.status_code == 422
    assert "category" in errors(response)


# --- pages and htmx fragments --------------------------------------------------------------


def test_load_more_follows_the_cursor_without_repeats(agent, monkeypatch):
    monkeypatch.setattr(desk_queue, "PAGE_SIZE", 2)
    tickets = [ticket_in("new", agent=agent) for _ in range(5)]
    newest_first = numbers(*reversed(tickets))
    client = signed_in(agent)
    first = client.get(QUEUE, {"view": "all"})
    assert shown(first) == newest_first[:2]
    second = client.get(next_link(first), headers=MORE)
    assert "<html" not in second.content.decode()
    assert shown(second) == newest_first[2:4]
    third = client.get(next_link(second))  # without JavaScript: the next page
    assert shown(third) == newest_first[4:]
    assert 'id="sl-more"' not in third.content.decode()


def test_oldest_first_pages_too(agent, monkeypatch):
    monkeypatch.setattr(desk_queue, "PAGE_SIZE", 2)
    tickets = [ticket_in("new", agent=agent) for _ in range(3)]
    client = signed_in(agent)
    first = client.get(QUEUE, {"view": "all", "sort": "oldest"})
    assert shown(first) == numbers(*tickets[:2])
    assert shown(client.get(next_link(first), headers=MORE)) == [tickets[2].number]


def test_searching_pages_too(agent, monkeypatch):
    monkeypatch.setattr(desk_queue, "PAGE_SIZE", 2)
    tickets = [ticket_in("new", agent=agent, description=f"parcel {n}") for n in range(3)]
    ticket_in("new", agent=agent, description="invoice")
    client = signed_in(agent)
    first = client.get(QUEUE, {"view": "all", "q": "parcel"})
    assert shown(first) == numbers(tickets[2], tickets[1])
    assert shown(client.get(next_link(first), headers=MORE)) == [tickets[0].number]


def test_the_filter_bar_gets_only_the_results_back_from_htmx(agent, mine):
    response = signed_in(agent).get(QUEUE, {"view": "all", "q": "parcel"}, headers=RESULTS)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="sl-results"')
    assert "<html" not in page
    assert 'id="sl-views"' not in page
    assert 'id="sl-filters"' not in page
    query = re.search(r'name="query" value="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert parse_qs(query) == {"view": ["all"], "q": ["parcel"], "sort": ["created"]}
    assert response["HX-Push-Url"] == f"{QUEUE}?{query}"  # not the form's empty fields


def test_the_address_bar_gets_the_filters_without_empty_fields(agent, mine):
    form = {"view": "all", "q": "", "status": "", "urgency": "high", "team": "", "sort": ""}
    response = signed_in(agent).get(QUEUE, form, headers=RESULTS)
    assert response["HX-Push-Url"] == f"{QUEUE}?view=all&urgency=high&sort=created"


# --- a fixed number of queries -------------------------------------------------------------


def _many(agent, teammate, category, count):
    for n in range(count):
        ticket = ticket_in(
            "in_progress", agent=agent, assignee=(agent if n % 2 else teammate).pk,
            category="delivery" if n % 3 else None, customer_id=make_customer().pk,
        )  # fmt: skip
        if n % 4 == 0:
            services.create_commitment(
                ticket=ticket, actor=agent, text="Call", due_at=clock.now() + timedelta(hours=2)
            )


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({}, {}),
        ({"view": "unassigned"}, {}),
        ({"view": "commitments"}, {}),
        ({"view": "all", "sort": "oldest"}, {}),
        ({"view": "all", "q": "parcel", "team": "support", "category": "delivery"}, {}),
        ({"view": "all"}, RESULTS),
    ],
)
def test_the_queue_runs_the_same_few_queries_for_3_or_30_tickets(
    agent, teammate, category, params, headers
):
    client = signed_in(agent)
    SavedView.objects.create(user=agent, name="Phone", query="view=all&channel=phone")

    def queries():
        client.get(QUEUE, params, headers=headers)  # warm the categories and teams
        with CaptureQueriesContext(connection) as captured:
            response = client.get(QUEUE, params, headers=headers)
        assert response.status_code == 200
        return len(captured), len(shown(response))

    _many(agent, teammate, category, 3)
    few, few_rows = queries()
    _many(agent, teammate, category, 27)
    many, many_rows = queries()
    assert many_rows > few_rows > 0 or params.get("view") == "unassigned"
    assert many == few
    assert few <= 9  # session, user, people, page, counts, saved views, filters' lookups


def test_the_page_stays_within_its_query_budget(agent, teammate, category, mine):
    _many(agent, teammate, category, 30)
    client = signed_in(agent)
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as captured:
        client.get(QUEUE)
    assert len(captured) == 6, [q["sql"][:80] for q in captured]


# --- saved views ---------------------------------------------------------------------------


def save(client, name, query, **kwargs):
    return client.post(reverse("desk:queue_save_view"), {"name": name, "query": query}, **kwargs)


def test_saving_the_current_filters_adds_a_view_to_the_left_column(agent, mine):
    client = signed_in(agent)
    response = save(
        client, "Phone complaints", "kind=complaint&channel=phone&view=all", headers=RESULTS
    )
    assert response.status_code == 200
    saved = SavedView.objects.get(user=agent)
    assert saved.name == "Phone complaints"
    assert saved.query == "view=all&kind=complaint&channel=phone&sort=created"  # canonical
    page = response.content.decode()
    assert 'id="sl-views" class="sl-views" aria-label="Queue views" hx-swap-oob="true"' in page
    assert "Phone complaints" in page
    assert json.loads(response["HX-Trigger"]) == {"sl:toast": "View “Phone complaints” saved."}
    listed = client.get(QUEUE + "?" + saved.query).content.decode()
    item = re.search(rf'<li class="([^"]*)" data-saved-view="{saved.pk}">(.*?)</li>', listed, re.S)
    assert "active" in item.group(1)
    assert 'href="/desk/?view=all&amp;kind=complaint&amp;channel=phone&amp;sort=created"' in (
        item.group(2)
    )
    assert 'aria-current="page"' in item.group(2)


def test_saving_without_javascript_returns_to_the_saved_filters(agent):
    response = save(signed_in(agent), "Critical", "view=all&urgency=critical")
    assert response.status_code == 302
    assert response["Location"] == QUEUE + "?view=all&urgency=critical&sort=created"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the view a name."),
        ("x" * 61, "Use at most 60 characters."),
        ("critical", "You already have a view with this name."),
    ],
)
def test_a_bad_name_is_refused_on_the_name_field(agent, name, message):
    client = signed_in(agent)
    save(client, "Critical", "view=all&urgency=critical")
    for headers in (RESULTS, {}):
        response = save(client, name, "view=all&urgency=low", headers=headers)
        assert response.status_code == 422
        assert errors(response) == {"name": message}
    assert SavedView.objects.count() == 1


def test_filters_the_queue_would_refuse_are_not_saved(agent):
    response = save(signed_in(agent), "Odd", "view=all&status=lost", headers=RESULTS)
    assert response.status_code == 422
    assert "__all__" in errors(response)
    assert not SavedView.objects.exists()


def test_deleting_a_saved_view(agent, teammate):
    mine = SavedView.objects.create(user=agent, name="Mine", query="view=all&sort=created")
    theirs = SavedView.objects.create(user=teammate, name="Theirs", query="view=all&sort=created")
    client = signed_in(agent)
    url = reverse("desk:queue_delete_view", args=[theirs.pk])
    assert client.post(url).status_code == 404  # another user's view is not confirmed to exist
    assert client.get(url).status_code == 405
    response = client.post(reverse("desk:queue_delete_view", args=[mine.pk]), headers={
        "HX-Request": "true", "HX-Current-URL": "http://testserver/desk/?view=all",
    })  # fmt: skip
    assert response.status_code == 200
    assert 'data-view="all" aria-current="page"' in response.content.decode()
    assert json.loads(response["HX-Trigger"]) == {"sl:toast": "View “Mine” deleted."}
    assert list(SavedView.objects.all()) == [theirs]


# --- bulk actions --------------------------------------------------------------------------


def bulk(client, action, selection, **values):
    data = {"action": action, "numbers": selection, "query": "view=all", **values}
    return client.post(reverse("desk:queue_bulk"), data, headers=RESULTS)


def test_bulk_assign_changes_each_ticket_and_reports_it(agent, teammate):
    tickets = [ticket_in("new", agent=agent) for _ in range(2)]
    response = bulk(signed_in(agent), "assign", numbers(*tickets), assignee=str(teammate.pk))
    assert response.status_code == 200
    assert all(Ticket.objects.get(pk=t.pk).assignee == teammate for t in tickets)
    assert AuditEvent.objects.filter(action="ticket.assigned").count() == 2
    page = response.content.decode()
    assert "2 tickets changed." in page
    assert json.loads(response["HX-Trigger"]) == {"sl:toast": "2 tickets changed."}
    assert 'hx-swap-oob="true"' in page  # the counts in the left column follow
    assert re.search(r'data-count-for="unassigned">0<', page)


def test_bulk_reports_what_failed_and_why(agent):
    open_ticket, closed = ticket_in("new", agent=agent), ticket_in("closed", agent=agent)
    unknown = Ticket(number="CS-20200101-000001")
    response = bulk(
        signed_in(agent), "urgency", numbers(open_ticket, closed, unknown), urgency="critical"
    )
    page = response.content.decode()
    assert "1 ticket changed." in page
    assert "2 could not be changed:" in page
    assert json.loads(response["HX-Trigger"]) == {"sl:toast": "1 ticket changed."}
    assert re.search(rf'data-bulk-failed="{closed.number}">.*closed tickets cannot change', page)
    assert 'data-bulk-failed="CS-20200101-000001"' in page
    assert Ticket.objects.get(pk=open_ticket.pk).urgency == "critical"
    assert Ticket.objects.get(pk=closed.pk).urgency == closed.urgency


def test_when_nothing_changed_the_report_says_only_what_failed(agent):
    closed = ticket_in("closed", agent=agent)
    response = bulk(signed_in(agent), "urgency", [closed.number], urgency="high")
    page = response.content.decode()
    assert "1 could not be changed:" in page
    assert "tickets changed" not in page
    assert "HX-Trigger" not in response


def test_bulk_transfer_moves_the_tickets_to_another_team(agent, other_team):
    tickets = [ticket_in("new", agent=agent) for _ in range(2)]
    response = bulk(signed_in(agent), "transfer", numbers(*tickets), team="billing")
    assert response.status_code == 200
    assert {Ticket.objects.get(pk=t.pk).team for t in tickets} == {other_team}
    assert shown(response) == []  # out of the agent's scope now


@pytest.mark.parametrize(
    ("action", "values", "field"),
    [
        ("assign", {"assignee": "999999"}, "assignee"),
        ("assign", {"assignee": "²"}, "assignee"),  # "²".isdigit(), but no number
        ("assign", {"assignee": "9" * 30}, "assignee"),  # beyond any id
        ("transfer", {"team": "nowhere"}, "team"),
        ("urgency", {"urgency": "whenever"}, "urgency"),
        ("explode", {}, "action"),
    ],
)
def test_bulk_refuses_values_that_name_nothing(agent, mine, action, values, field):
    before = [(t.assignee_id, t.team_id, t.urgency) for t in Ticket.objects.order_by("id")]
    response = bulk(signed_in(agent), action, numbers(*mine), **values)
    assert response.status_code == 422
    assert field in errors(response)
    assert [(t.assignee_id, t.team_id, t.urgency) for t in Ticket.objects.order_by("id")] == before


def test_bulk_needs_a_selection(agent, mine):
    response = bulk(signed_in(agent), "urgency", [], urgency="low")
    assert response.status_code == 422
    assert errors(response) == {"numbers": "Select at least one ticket."}


def test_bulk_without_javascript_renders_the_whole_page_with_the_report(agent):
    ticket = ticket_in("new", agent=agent)
    response = signed_in(agent).post(
        reverse("desk:queue_bulk"),
        {"action": "urgency", "numbers": [ticket.number], "urgency": "high", "query": "view=all"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" in page
    assert "1 ticket changed." in page
    assert shown(response) == [ticket.number]


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.ANALYST])
def test_read_only_staff_may_not_bulk_change(team, mine, role):
    reader = make_user(role, teams=[team])
    response = bulk(signed_in(reader), "urgency", numbers(*mine), urgency="critical")
    assert response.status_code == 403
    assert {t.urgency for t in Ticket.objects.all()} == {mine[0].urgency}


def test_queue_page_filters_are_the_ticket_filters(agent, mine):
    """The read side: queue_page accepts the API's TicketFilter as it is."""
    page = desk_queue.queue_page(
        agent, view="mine", filters=TicketFilter(status=("open",)), sort="created"
    )
    assert [t.number for t in page.items] == numbers(*reversed(mine))
    assert page.next_cursor is None


def test_assignees_offered_are_the_workers_of_my_teams(agent, teammate, outsider, supervisor):
    analyst = make_user(Role.ANALYST, teams=[agent.teams.get()])
    page = signed_in(agent).get(QUEUE).content.decode()
    offered = set(re.findall(r'<option value="(\d+)"', page))
    assert offered == {str(agent.pk), str(teammate.pk), str(supervisor.pk)}
    assert str(analyst.pk) not in offered  # an analyst works no tickets
    manager = make_user(Role.MANAGER)
    everyone = set(
        re.findall(r'<option value="(\d+)"', signed_in(manager).get(QUEUE).content.decode())
    )
    assert everyone == {str(u.pk) for u in (agent, teammate, supervisor, outsider, manager)}


@pytest.mark.parametrize("assignee", ["²", "9" * 30, "-3"])
def test_a_filter_on_an_assignee_that_is_no_id_is_a_field_error(agent, assignee):
    response = signed_in(agent).get(reverse("desk:queue"), {"view": "all", "assignee": assignee})
    assert response.status_code in (200, 422)
    assert "assignee" in response.context["form"].errors
