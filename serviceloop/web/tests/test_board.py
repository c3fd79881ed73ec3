"""desk:board — a supervisor's view of one team's open backlog: by status and by assignee,
the unassigned count, the oldest open tickets, and reassigning them."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock
from serviceloop.tickets import services
from serviceloop.tickets.choices import Status
from serviceloop.tickets.models import Ticket
from serviceloop.web.tests.conftest import signed_in
from tests.builders import make_team, make_ticket, make_user

BOARD = "/desk/board/"
ASSIGN = "/desk/board/assign/"
HTMX = {"HX-Request": "true"}


def open_ticket(actor, *, team, assignee=None, status=Status.NEW, days_old=0, **fields):
    """An open ticket of `team`, created `days_old` days ago."""
    with time_machine.travel(clock.now() - timedelta(days=days_old), tick=False):
        ticket = make_ticket(actor, team=team.code, **fields)
    changes = {}
    if assignee is not None:
        changes["assignee"] = assignee
    if status != Status.NEW:
        changes["status"] = status
    if changes:
        Ticket.objects.filter(pk=ticket.pk).update(**changes)
        ticket.refresh_from_db()
    return ticket


def row_of(page: str, attribute: str) -> str:
    """The <tr> carrying `attribute` (e.g. 'data-agent="3"')."""
    match = re.search(r"<tr[^>]*" + re.escape(attribute) + r"[^>]*>(.*?)</tr>", page, re.S)
    assert match, attribute
    return match.group(0)


def numbers_in(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'sl-count[^"]*">(\d+)<', html)]


def tile(page: str, name: str) -> str:
    match = re.search(r'data-tile="' + name + r'".*?sl-tile-value[^>]*>([^<]*)<', page, re.S)
    assert match, name
    return match.group(1).strip()


def assign_form(ticket, assignee, team, version=None):
    return {
        "number": ticket.number,
        "assignee": "" if assignee is None else str(assignee.pk),
        "version": str(ticket.version if version is None else version),
        "team": team.code,
    }


# --- who may look --------------------------------------------------------------------------


def test_the_url_names_resolve():
    assert reverse("desk:board") == BOARD
    assert reverse("desk:board_assign") == ASSIGN


@pytest.mark.parametrize(
    "role", [Role.AGENT, Role.ANALYST, Role.SPECIALIST, Role.CUSTOMER, Role.PARTNER]
)
def test_roles_without_a_board_are_refused(team, role):
    client = signed_in(make_user(role, teams=[team] if role == Role.AGENT else []))
    assert client.get(BOARD).status_code == 403
    assert client.post(ASSIGN, {}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(BOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_supervisor_sees_only_their_own_teams(supervisor_client, team, other_team):
    page = supervisor_client.get(BOARD).content.decode()
    assert 'data-team="support"' in page
    assert f"?team={other_team.code}" not in page
    assert supervisor_client.get(BOARD, {"team": other_team.code}).status_code == 404
    assert supervisor_client.get(BOARD, {"team": "no-such-team"}).status_code == 404


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_managers_and_admins_choose_among_all_teams(team, other_team, role):
    client = signed_in(make_user(role))
    page = client.get(BOARD).content.decode()
    assert f'href="{BOARD}?team=support"' in page
    assert f'href="{BOARD}?team=billing"' in page
    assert 'data-team="billing"' in client.get(BOARD, {"team": "billing"}).content.decode()


def test_a_supervisor_in_no_team_is_told_why_the_board_is_empty(db):
    client = signed_in(make_user(Role.SUPERVISOR))
    response = client.get(BOARD)
    assert response.status_code == 200
    assert 'id="sl-board-no-team"' in response.content.decode()


# --- what it shows -------------------------------------------------------------------------


def test_it_shows_the_backlog_by_status_and_assignee(
    supervisor_client, agent, teammate, outsider, team, other_team, admin_user
):
    # given open tickets of the team, some assigned, and tickets that do not count
    open_ticket(agent, team=team, days_old=3)
    open_ticket(agent, team=team, assignee=agent)
    open_ticket(agent, team=team, assignee=agent, status=Status.WAITING_CUSTOMER, days_old=5)
    open_ticket(agent, team=team, assignee=teammate, status=Status.IN_PROGRESS, days_old=1)
    open_ticket(agent, team=team, assignee=admin_user, status=Status.IN_PROGRESS)
    open_ticket(agent, team=team, assignee=agent, status=Status.RESOLVED, days_old=30)
    open_ticket(agent, team=team, status=Status.CLOSED, days_old=40)
    open_ticket(outsider, team=other_team, days_old=60)
    # when the supervisor looks at the board
    page = supervisor_client.get(BOARD).content.decode()
    # then the tiles count the team's open tickets only
    assert tile(page, "new") == "2"
    assert tile(page, "in_progress") == "2"
    assert tile(page, "waiting_customer") == "1"
    assert tile(page, "total") == "5"
    assert tile(page, "unassigned") == "1"
    assert tile(page, "oldest") == "5 days"
    # and each person's workload: new, in progress, waiting, total
    assert numbers_in(row_of(page, f'data-agent="{agent.pk}"')) == [1, 0, 1, 2]
    assert numbers_in(row_of(page, f'data-agent="{teammate.pk}"')) == [0, 1, 0, 1]
    assert numbers_in(row_of(page, 'data-agent=""')) == [1, 0, 0, 1]
    # an administrator holding a team ticket is shown, marked as not in the team
    admin_row = row_of(page, f'data-agent="{admin_user.pk}"')
    assert numbers_in(admin_row) == [0, 1, 0, 1]
    assert "not in this team" in admin_row
    assert "data-sl-drop" not in admin_row  # nobody can be given tickets by dropping there


def test_members_without_open_tickets_are_listed_with_nothing(supervisor_client, agent):
    page = supervisor_client.get(BOARD).content.decode()
    assert numbers_in(row_of(page, f'data-agent="{agent.pk}"')) == [0, 0, 0, 0]


def test_the_oldest_open_tickets_come_first_twenty_of_them(supervisor_client, agent, team):
    tickets = [open_ticket(agent, team=team, days_old=days) for days in range(25)]
    page = supervisor_client.get(BOARD).content.decode()
    shown = re.findall(r'data-sl-ticket="([^"]+)"', page)
    assert shown == [t.number for t in reversed(tickets)][:20]


def test_each_row_can_be_reassigned_by_select_or_by_drag_and_drop(
    supervisor_client, agent, teammate, team
):
    ticket = open_ticket(agent, team=team, assignee=agent)
    page = supervisor_client.get(BOARD).content.decode()
    row = row_of(page, f'data-sl-ticket="{ticket.number}"')
    assert 'draggable="true"' in row
    assert f'hx-post="{ASSIGN}"' in row
    assert f'name="version" value="{ticket.version}"' in row
    assert f'<option value="{agent.pk}" selected>' in row
    assert f'<option value="{teammate.pk}">' in row
    assert f'data-sl-drop data-sl-assignee="{teammate.pk}"' in page
    assert 'src="/static/web/board.js"' in page


def test_user_text_on_the_board_is_escaped(supervisor_client, agent, team):
    open_ticket(agent, team=team, subject="<img src=x onerror=alert(1)>", description="x")
    page = supervisor_client.get(BOARD).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x" in page


def test_with_htmx_only_the_board_part_is_sent(supervisor_client, agent, team):
    open_ticket(agent, team=team)
    response = supervisor_client.get(BOARD, {"team": "support"}, headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="sl-board"')
    assert "<html" not in page


@pytest.mark.parametrize("count", [3, 30])
def test_the_board_runs_a_fixed_number_of_queries(
    supervisor_client, team, count, admin_user, django_assert_max_num_queries
):
    people = [make_user(Role.AGENT, teams=[team]) for _ in range(count // 3)]
    for n in range(count):
        open_ticket(people[n % len(people)], team=team, assignee=people[n % len(people)])
    open_ticket(people[0], team=team, assignee=admin_user)  # a holder from outside the team
    with django_assert_max_num_queries(8):
        response = supervisor_client.get(BOARD)
    assert response.status_code == 200


# --- reassigning ---------------------------------------------------------------------------


def test_reassigning_with_htmx_saves_audits_and_redraws_the_board(
    supervisor_client, supervisor, agent, teammate, team
):
    ticket = open_ticket(agent, team=team, assignee=agent)
    response = supervisor_client.post(ASSIGN, assign_form(ticket, teammate, team), headers=HTMX)
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.assignee == teammate
    event = AuditEvent.objects.get(action="ticket.assigned", ticket_id=ticket.pk)
    assert event.actor == supervisor
    assert (event.before, event.after) == ({"assignee": agent.pk}, {"assignee": teammate.pk})
    toast = json.loads(response["HX-Trigger"])["sl:toast"]
    assert toast == f"{ticket.number} is now with {teammate.display_name}."
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="sl-board"')
    assert numbers_in(row_of(page, f'data-agent="{teammate.pk}"')) == [1, 0, 0, 1]
    # the redrawn row carries the new version, so a second change is no false conflict
    assert f'name="version" value="{ticket.version}"' in page


def test_a_ticket_can_go_back_to_the_team_queue(supervisor_client, agent, team):
    ticket = open_ticket(agent, team=team, assignee=agent)
    response = supervisor_client.post(ASSIGN, assign_form(ticket, None, team), headers=HTMX)
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert "back in the team queue" in json.loads(response["HX-Trigger"])["sl:toast"]


def test_without_htmx_it_redirects_to_the_board_with_a_message(
    supervisor_client, agent, teammate, team
):
    ticket = open_ticket(agent, team=team)
    response = supervisor_client.post(ASSIGN, assign_form(ticket, teammate, team), follow=True)
    assert response.redirect_chain[-1][0] == f"{BOARD}?team=support"
    assert f"{ticket.number} is now with" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee == teammate


def test_a_change_made_meanwhile_is_not_overwritten(
    supervisor_client, agent, teammate, team, supervisor
):
    # given the board was drawn, then an agent took the ticket
    ticket = open_ticket(agent, team=team)
    seen_version = ticket.version
    services.assign_ticket(ticket=ticket, assignee=agent, actor=agent)
    # when the supervisor drops it on a teammate from the old board
    response = supervisor_client.post(
        ASSIGN, assign_form(ticket, teammate, team, version=seen_version), headers=HTMX
    )
    # then nothing is overwritten and the supervisor is told, with the latest board
    assert response.status_code == 412
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    page = response.content.decode()
    assert "Someone else changed" in page
    assert "your change was not saved" in page
    assert f'<option value="{agent.pk}" selected>' in page
    assert not AuditEvent.objects.filter(action="ticket.assigned", actor=supervisor).exists()


def test_a_person_outside_the_team_cannot_be_given_the_ticket(
    supervisor_client, agent, outsider, team
):
    ticket = open_ticket(agent, team=team, assignee=agent)
    response = supervisor_client.post(ASSIGN, assign_form(ticket, outsider, team), headers=HTMX)
    assert response.status_code == 422
    assert "not a member of the ticket" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_an_unknown_person_is_refused(supervisor_client, agent, team):
    ticket = open_ticket(agent, team=team)
    data = {**assign_form(ticket, None, team), "assignee": "999999"}
    response = supervisor_client.post(ASSIGN, data, headers=HTMX)
    assert response.status_code == 422
    assert "There is no active user with this id." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_a_closed_ticket_cannot_be_reassigned(supervisor_client, agent, teammate, team):
    ticket = open_ticket(agent, team=team, status=Status.CLOSED)
    response = supervisor_client.post(ASSIGN, assign_form(ticket, teammate, team), headers=HTMX)
    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_a_supervisor_cannot_reassign_another_teams_ticket(
    supervisor_client, outsider, other_team, team
):
    ticket = open_ticket(outsider, team=other_team)
    response = supervisor_client.post(ASSIGN, assign_form(ticket, outsider, team), headers=HTMX)
    assert response.status_code == 404
    other = make_team("other-board")
    response = supervisor_client.post(ASSIGN, assign_form(ticket, outsider, other), headers=HTMX)
    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_a_malformed_request_is_refused(supervisor_client):
    assert supervisor_client.post(ASSIGN, {"number": "x"}, headers=HTMX).status_code == 400
    assert supervisor_client.get(ASSIGN).status_code == 405


def test_a_manager_may_reassign_in_any_team(outsider, other_team, db):
    manager = make_user(Role.MANAGER)
    colleague = make_user(Role.AGENT, teams=[other_team])
    ticket = open_ticket(outsider, team=other_team, assignee=outsider)
    response = signed_in(manager).post(
        ASSIGN, assign_form(ticket, colleague, other_team), headers=HTMX
    )
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.assignee == colleague


def test_a_huge_assignee_or_version_is_refused(supervisor_client, agent, team):
    ticket = open_ticket(agent, team=team)
    for name in ("assignee", "version"):
        data = {**assign_form(ticket, agent, team), name: str(10**20)}
        assert supervisor_client.post(ASSIGN, data, headers=HTMX).status_code == 400
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_the_board_speaks_chinese(supervisor, agent, team):
    supervisor.language = "zh-hans"
    supervisor.save(update_fields=["language"])
    open_ticket(agent, team=team, status=Status.IN_PROGRESS)
    page = signed_in(supervisor).get(BOARD).content.decode()
    assert "待处理" in page  # the statuses
    assert "处理中" in page
