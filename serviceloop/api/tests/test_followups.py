"""/api/v1/follow-ups: agents and supervisors see their teams' (and their own), managers,
administrators, specialists and analysts all, customers and partners nothing; filters; the
record endpoint."""

from datetime import timedelta

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.followups.models import FollowUp
from serviceloop.followups.tests import conftest as followups_tests
from serviceloop.followups.tests.conftest import follow_ups_of, resolve, resolved
from serviceloop.tickets.models import Ticket
from tests.builders import Api, field_errors, make_team, make_ticket, make_user

# The follow-up tests' fixtures: the frozen clock (autouse), commit callbacks, the rule.
clock = followups_tests.clock
committed = followups_tests.committed
rule = followups_tests.rule


@pytest.fixture
def own(agent, committed, rule) -> FollowUp:
    """A follow-up in support (the agent's and supervisor's team), assigned to the agent."""
    (found,) = follow_ups_of(resolved(agent, committed, kind="complaint"))
    return found


@pytest.fixture
def foreign(committed, rule, admin_user, outsider) -> FollowUp:
    """A follow-up of billing (the outsider's team), unassigned."""
    ticket = make_ticket(admin_user, kind="complaint", team="billing")
    (found,) = follow_ups_of(resolve(ticket, admin_user, committed))
    return found


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("role", "status", "sees"),
    [
        (Role.ADMIN, 200, "both"), (Role.MANAGER, 200, "both"), (Role.SPECIALIST, 200, "both"),
        (Role.ANALYST, 200, "both"), (Role.CUSTOMER, 403, ""), (Role.PARTNER, 403, ""),
    ],
)  # fmt: skip
def test_who_lists_what(own, foreign, role, status, sees):
    response = Api(make_user(role)).get("follow-ups")

    assert response.status_code == status
    if sees:
        assert set(ids(response)) == {own.pk, foreign.pk}


def test_an_agent_sees_their_teams_follow_ups_only(own, foreign, agent, teammate, outsider):
    assert ids(Api(agent).get("follow-ups")) == [own.pk]
    assert ids(Api(teammate).get("follow-ups")) == [own.pk]
    assert ids(Api(outsider).get("follow-ups")) == [foreign.pk]


def test_an_agent_cannot_read_or_record_another_teams_follow_up(own, foreign, agent):
    api = Api(agent)

    assert api.get(f"follow-ups/{foreign.pk}").status_code == 404
    response = api.post(f"follow-ups/{foreign.pk}/record", {"outcome": "solved"})
    assert response.status_code == 404
    assert FollowUp.objects.get(pk=foreign.pk).status == "open"


def test_the_filters(own, foreign, agent, admin_user, clock):
    api = Api(admin_user)
    assert ids(api.get("follow-ups", {"team": "billing"})) == [foreign.pk]
    assert ids(Api(agent).get("follow-ups", {"mine": "true"})) == [own.pk]
    assert ids(api.get("follow-ups", {"mine": "true"})) == []
    assert ids(api.get("follow-ups", {"overdue": "true"})) == []
    clock.shift(timedelta(hours=49))
    assert set(ids(api.get("follow-ups", {"overdue": "true"}))) == {own.pk, foreign.pk}
    assert ids(api.get("follow-ups", {"status": "done"})) == []


@pytest.mark.parametrize(
    ("query", "field"), [({"team": "nope"}, "team"), ({"status": "x"}, "status")]
)
def test_bad_filters_are_field_errors(own, admin_user, query, field):
    response = Api(admin_user).get("follow-ups", query)

    assert response.status_code == 422
    assert field in field_errors(response)


def test_recording_through_the_api(own, agent):
    response = Api(agent).post(
        f"follow-ups/{own.pk}/record",
        {"outcome": "not_solved", "satisfaction": 2, "notes": "Still no parcel"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["outcome"], body["satisfaction"]) == ("done", "not_solved", 2)
    assert body["done_by"]["id"] == agent.pk
    assert Ticket.objects.get(pk=own.ticket_id).status == "in_progress"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "solved", "satisfaction": 9}, "satisfaction"),
        ({"outcome": "not_solved"}, "notes"),
    ],
)
def test_bad_records_are_field_errors(own, agent, body, field):
    response = Api(agent).post(f"follow-ups/{own.pk}/record", body)

    assert response.status_code == 422
    assert field in field_errors(response)
    assert FollowUp.objects.get(pk=own.pk).status == "open"


def test_a_specialist_reads_but_may_not_record(own):
    api = Api(make_user(Role.SPECIALIST))

    assert api.get(f"follow-ups/{own.pk}").status_code == 200
    assert api.post(f"follow-ups/{own.pk}/record", {"outcome": "solved"}).status_code == 403


def test_a_new_team_member_sees_the_teams_follow_ups(own, team):
    newcomer = make_user(Role.AGENT, teams=[team])
    other = make_user(Role.AGENT, teams=[make_team("returns")])

    assert ids(Api(newcomer).get("follow-ups")) == [own.pk]
    assert ids(Api(other).get("follow-ups")) == []
