"""The bell in the staff header (/desk/notifications/...): the badge and its polling, the
panel, the notifications page, opening one (marks it read), marking all read, who sees it,
CSRF and language."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from serviceloop.accounts.choices import Role
from serviceloop.inbox.models import Kind, Notification
from serviceloop.inbox.services import notify
from serviceloop.web.tests.conftest import signed_in
from tests.builders import make_ticket, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY_MORNING = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
SATURDAY_MORNING = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
BELL = reverse("desk:notifications_bell")
PANEL = reverse("desk:notifications_panel")
PAGE = reverse("desk:notifications")
READ_ALL = reverse("desk:notifications_read_all")
HTMX = {"HX-Request": "true"}


def open_url(notification: Notification) -> str:
    return reverse("desk:notification_open", args=[notification.pk])


@pytest.fixture(autouse=True)
def working_hours():
    """A Wednesday morning: inside the default office hours, so notifications show at once."""
    with time_machine.travel(WEDNESDAY_MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ticket(agent):
    return make_ticket(agent, subject="Parcel SF1024 is late")


def assigned(user, ticket, **values) -> Notification:
    return notify([user], kind=Kind.ASSIGNED, ticket=ticket, **values)[0]


def badge(response) -> str:
    match = re.search(r'id="sl-bell-count"[^>]*data-unread="([^"]*)"', response.content.decode())
    assert match, response.content
    return match.group(1)


def listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-notification="(\d+)"', response.content.decode())]


def unread_marks(response) -> list[str]:
    return re.findall(r'data-notification="\d+" data-unread="(\w+)"', response.content.decode())


# --- the header ----------------------------------------------------------------------------


def test_staff_pages_carry_the_bell_which_loads_itself(agent_client):
    html = agent_client.get(reverse("desk:queue")).content.decode()

    assert 'id="sl-bell"' in html
    assert f'hx-get="{BELL}"' in html
    assert 'hx-trigger="load, every 30s, sl:bell from:body"' in html
    assert "<script>" not in html  # the CSP forbids inline scripts


def test_a_customer_sees_no_bell(customer_client):
    html = customer_client.get(reverse("portal:home")).content.decode()

    assert 'id="sl-bell"' not in html
    assert BELL not in html


def test_a_customer_asking_for_the_bell_is_sent_to_the_portal(customer_client):
    for url in (BELL, PANEL, PAGE):
        response = customer_client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("portal:home")


def test_a_signed_out_browser_polling_gets_nothing_to_swap(client, db):
    assert client.get(BELL, headers=HTMX).status_code == 204
    response = client.get(PANEL, headers=HTMX)
    assert response["HX-Redirect"] == reverse("login")
    assert client.get(PAGE)["Location"].startswith(reverse("login"))


def test_a_partner_gets_403(db):
    partner = signed_in(make_user(Role.PARTNER))
    assert partner.get(BELL).status_code == 403


# --- the badge -----------------------------------------------------------------------------


def test_the_badge_counts_the_unread(agent, agent_client, ticket, teammate):
    read = assigned(agent, ticket)
    Notification.objects.filter(pk=read.pk).update(read_at=WEDNESDAY_MORNING)
    assigned(agent, ticket)
    assigned(agent, ticket)
    assigned(teammate, ticket)  # somebody else's

    response = agent_client.get(BELL, headers=HTMX)

    assert response.status_code == 200
    assert badge(response) == "2"
    html = response.content.decode()
    assert f'hx-get="{BELL}?shown=2"' in html
    assert 'hx-trigger="every 30s, sl:bell from:body"' in html  # no "load": it would loop


def test_the_badge_answers_204_while_the_count_is_what_it_shows(agent, agent_client, ticket):
    assigned(agent, ticket)
    assert agent_client.get(BELL, {"shown": "1"}, headers=HTMX).status_code == 204

    assigned(agent, ticket)
    response = agent_client.get(BELL, {"shown": "1"}, headers=HTMX)
    assert response.status_code == 200
    assert badge(response) == "2"


def test_the_badge_is_empty_and_hidden_without_unread(agent_client):
    response = agent_client.get(BELL, headers=HTMX)

    assert badge(response) == ""
    assert "d-none" in response.content.decode()
    assert agent_client.get(BELL, {"shown": ""}, headers=HTMX).status_code == 204


def test_the_badge_stops_at_99_plus(agent, agent_client, ticket):
    Notification.objects.bulk_create(
        Notification(recipient=agent, kind=Kind.ASSIGNED, ticket=ticket) for _ in range(150)
    )

    assert badge(agent_client.get(BELL, headers=HTMX)) == "99+"


def test_the_badge_costs_a_fixed_number_of_queries(
    agent, agent_client, ticket, django_assert_max_num_queries
):
    for _ in range(20):
        assigned(agent, ticket)
    with django_assert_max_num_queries(3):  # session, user, the count
        agent_client.get(BELL, headers=HTMX)


def test_a_notification_deferred_to_monday_is_neither_counted_nor_shown(
    agent, ticket, working_hours
):
    working_hours.move_to(SATURDAY_MORNING)
    assigned(agent, ticket)
    urgent = notify([agent], kind=Kind.SLA_BREACHED, ticket=ticket, urgent=True)[0]
    saturday = signed_in(agent)

    assert badge(saturday.get(BELL, headers=HTMX)) == "1"
    assert listed(saturday.get(PANEL, headers=HTMX)) == [urgent.pk]
    assert listed(saturday.get(PAGE)) == [urgent.pk]

    working_hours.move_to(datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI))
    monday = signed_in(agent)
    assert badge(monday.get(BELL, headers=HTMX)) == "2"


# --- the panel -----------------------------------------------------------------------------


def test_the_panel_lists_the_ten_newest_unread_in_bold(agent, agent_client, ticket):
    made = [assigned(agent, ticket) for _ in range(12)]
    Notification.objects.filter(pk=made[-1].pk).update(read_at=WEDNESDAY_MORNING)

    response = agent_client.get(PANEL, headers=HTMX)

    assert response.status_code == 200
    assert listed(response) == [n.pk for n in reversed(made)][:10]
    assert unread_marks(response)[:2] == ["false", "true"]
    html = response.content.decode()
    assert f"Ticket {ticket.number} was assigned to you" in html
    assert "Parcel SF1024 is late" in html
    assert "0 min ago" in html
    assert html.count("fw-bold") == 9
    assert f'action="{open_url(made[0])}"' not in html  # the oldest two are left out
    assert f'action="{open_url(made[2])}"' in html
    assert f'href="{PAGE}"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_marking_all_read_from_the_panel_refreshes_it_and_the_badge(agent, agent_client, ticket):
    assigned(agent, ticket)
    assigned(agent, ticket)

    response = agent_client.post(READ_ALL, headers={**HTMX, "HX-Target": "sl-bell-panel"})

    assert response.status_code == 200
    assert response["HX-Trigger"] == '{"sl:bell": true}'
    assert unread_marks(response) == ["false", "false"]
    assert not Notification.objects.filter(read_at__isnull=True).exists()


# --- the page ------------------------------------------------------------------------------


def test_the_page_lists_them_and_loads_more(agent, agent_client, ticket):
    made = [assigned(agent, ticket) for _ in range(30)]
    newest_first = [n.pk for n in reversed(made)]

    response = agent_client.get(PAGE)
    assert response.status_code == 200
    assert listed(response) == newest_first[:25]
    more = re.search(r'id="sl-more".*?hx-get="([^"]+)"', response.content.decode(), re.S)
    assert more

    rest = agent_client.get(
        more.group(1).replace("&amp;", "&"), headers={**HTMX, "HX-Target": "sl-more"}
    )
    assert rest.status_code == 200
    assert "<html" not in rest.content.decode()
    assert listed(rest) == newest_first[25:]
    assert 'id="sl-more"' not in rest.content.decode()


def test_the_page_filters_the_unread(agent, agent_client, ticket):
    read, unread = assigned(agent, ticket), assigned(agent, ticket)
    Notification.objects.filter(pk=read.pk).update(read_at=WEDNESDAY_MORNING)

    assert listed(agent_client.get(PAGE)) == [unread.pk, read.pk]
    assert listed(agent_client.get(PAGE, {"unread": "1"})) == [unread.pk]


def test_the_page_shows_nobody_elses(agent_client, teammate, ticket):
    assigned(teammate, ticket)

    response = agent_client.get(PAGE)

    assert listed(response) == []
    assert "No notifications yet." in response.content.decode()


def test_a_forged_cursor_is_a_400(agent_client):
    assert agent_client.get(PAGE, {"cursor": "bm90IGEgY3Vyc29y"}).status_code == 400


def test_the_page_costs_a_fixed_number_of_queries(
    agent, agent_client, ticket, django_assert_max_num_queries
):
    for _ in range(30):
        assigned(agent, ticket)
    with django_assert_max_num_queries(3):  # session, user, one page with its tickets
        agent_client.get(PAGE)


# --- opening one ---------------------------------------------------------------------------


def test_opening_one_marks_it_read_and_goes_to_its_ticket(agent, agent_client, ticket):
    notification = assigned(agent, ticket)

    response = agent_client.post(open_url(notification))

    assert response.status_code == 302
    assert response["Location"] == reverse("desk:ticket", args=[ticket.number])
    notification.refresh_from_db()
    assert notification.read_at == WEDNESDAY_MORNING


def test_one_without_a_ticket_opens_the_list(agent, agent_client):
    notification = notify([agent], kind=Kind.ASSIGNED)[0]

    response = agent_client.post(open_url(notification))

    assert response["Location"] == PAGE


def test_opening_is_a_post(agent, agent_client, ticket):
    notification = assigned(agent, ticket)

    assert agent_client.get(open_url(notification)).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_another_users_notification_cannot_be_opened(agent_client, teammate, ticket):
    theirs = assigned(teammate, ticket)

    assert agent_client.post(open_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_without_the_csrf_token_is_refused(agent, ticket):
    notification = assigned(agent, ticket)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)

    assert browser.post(open_url(notification)).status_code == 403
    assert browser.post(READ_ALL).status_code == 403
    notification.refresh_from_db()
    assert notification.read_at is None


def test_opening_with_the_token_of_the_page_works(agent, ticket):
    notification = assigned(agent, ticket)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)
    html = browser.get(PAGE).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token

    response = browser.post(open_url(notification), {"csrfmiddlewaretoken": token.group(1)})

    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_marking_all_read_from_the_page_reloads_it(agent, agent_client, ticket, teammate):
    assigned(agent, ticket)
    theirs = assigned(teammate, ticket)

    response = agent_client.post(READ_ALL)

    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert not Notification.objects.filter(recipient=agent, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- language ------------------------------------------------------------------------------


def test_a_chinese_reader_reads_chinese(agent, ticket):
    notify([agent], kind=Kind.SLA_BREACHED, ticket=ticket, params={"target": "resolution"})
    agent.language = "zh-hans"
    agent.save(update_fields=["language"])

    html = signed_in(agent).get(PAGE).content.decode()

    assert f"工单 {ticket.number}：解决时限已超时" in html
    assert "全部标为已读" in html
