"""The desk's follow-up page: mine and my teams', overdue ones marked, the record form
(htmx redraws the row), links to the tickets; for staff only."""

from datetime import timedelta

import pytest
from django.urls import reverse

from serviceloop.accounts.choices import Role
from serviceloop.followups.models import FollowUp
from serviceloop.followups.tests import conftest as followups_tests
from serviceloop.followups.tests.conftest import follow_ups_of, resolve, resolved
from serviceloop.tickets.models import Ticket
from serviceloop.web.tests.conftest import signed_in
from tests.builders import make_ticket, make_user

# The follow-up tests' fixtures: the frozen clock (autouse), commit callbacks, the rule.
clock = followups_tests.clock
committed = followups_tests.committed
rule = followups_tests.rule

PAGE = reverse("desk:follow_ups")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def mine(agent, committed, rule) -> FollowUp:
    (found,) = follow_ups_of(resolved(agent, committed, kind="complaint"))
    return found


@pytest.fixture
def teams(agent, committed, rule) -> FollowUp:
    """Unassigned, in the agent's team."""
    (found,) = follow_ups_of(resolve(make_ticket(agent, kind="complaint"), agent, committed))
    return found


def section(html: str, name: str) -> str:
    start = html.index(f'id="sl-follow-ups-{name}"')
    return html[start : html.index("</ul>", start)]


def test_the_page_lists_mine_and_my_teams(agent, mine, teams):
    html = signed_in(agent).get(PAGE).content.decode()

    assert f'data-follow-up="{mine.pk}"' in section(html, "mine")
    assert f'data-follow-up="{teams.pk}"' in section(html, "team")
    assert reverse("desk:ticket", args=[mine.ticket.number]) in html
    assert "data-overdue" not in html


def test_overdue_ones_are_marked(agent, mine, clock):
    clock.shift(timedelta(hours=48, minutes=1))

    html = signed_in(agent).get(PAGE).content.decode()

    assert f'data-follow-up="{mine.pk}" data-status="open" data-overdue="true"' in html


def test_an_outsider_does_not_see_them(outsider, mine, teams):
    html = signed_in(outsider).get(PAGE).content.decode()

    assert "data-follow-up=" not in html


def test_recording_with_htmx_redraws_the_row(agent, mine):
    response = signed_in(agent).post(
        reverse("desk:follow_up_record", args=[mine.pk]),
        {"outcome": "not_solved", "satisfaction": "2", "notes": "Box was empty"},
        headers=HTMX,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-follow-up="{mine.pk}" data-status="done"' in html
    assert 'data-outcome="not_solved"' in html
    assert "sl:toast" in response["HX-Trigger"]
    assert Ticket.objects.get(pk=mine.ticket_id).status == "in_progress"


def test_a_refused_record_shows_the_errors_on_the_row(agent, mine):
    response = signed_in(agent).post(
        reverse("desk:follow_up_record", args=[mine.pk]), {"outcome": "not_solved"}, headers=HTMX
    )

    assert response.status_code == 422
    assert 'data-error-for="notes"' in response.content.decode()
    assert FollowUp.objects.get(pk=mine.pk).status == "open"


def test_without_htmx_it_redirects_back(agent, mine):
    response = signed_in(agent).post(
        reverse("desk:follow_up_record", args=[mine.pk]), {"outcome": "solved"}
    )

    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert FollowUp.objects.get(pk=mine.pk).outcome == "solved"


def test_another_teams_follow_up_cannot_be_recorded(outsider, mine):
    response = signed_in(outsider).post(
        reverse("desk:follow_up_record", args=[mine.pk]), {"outcome": "solved"}
    )

    assert response.status_code == 404
    assert FollowUp.objects.get(pk=mine.pk).status == "open"


@pytest.mark.parametrize(("role", "status"), [(Role.CUSTOMER, 302), (Role.PARTNER, 403)])
def test_it_is_for_staff(db, role, status):
    assert signed_in(make_user(role)).get(PAGE).status_code == status


def test_the_menu_offers_follow_ups_to_ticket_workers(agent, db):
    assert f'href="{PAGE}"' in signed_in(agent).get(PAGE).content.decode()
    analyst = signed_in(make_user(Role.ANALYST)).get(reverse("desk:queue")).content.decode()
    assert f'href="{PAGE}"' not in analyst
