"""assign_ticket, transfer_ticket and change_urgency: who owns a ticket, which team, how
urgent — each change versioned and audited, each refusal storing nothing."""

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import TeamMembership, User
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import Conflict, DomainError, NotPermitted, StaleVersion
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.services import assign_ticket, change_urgency, transfer_ticket
from tests.builders import make_team, make_user

from .given import rows, ticket_in

READ_ONLY = [Role.SPECIALIST, Role.ANALYST, Role.CUSTOMER, Role.PARTNER]


@pytest.fixture
def ticket(agent):
    return ticket_in("in_progress", agent=agent)


def stored(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def latest_event(ticket):
    return AuditEvent.objects.filter(ticket_id=ticket.pk).latest("id")


# --- assign --------------------------------------------------------------------------------


def test_the_owner_takes_the_ticket(ticket, agent):
    assign_ticket(ticket=ticket, assignee=agent, actor=agent)
    assert stored(ticket).assignee == agent
    event = latest_event(ticket)
    assert event.action == "ticket.assigned"
    assert (event.before, event.after) == ({"assignee": None}, {"assignee": agent.pk})


def test_a_teammate_may_be_given_the_ticket(ticket, agent, teammate):
    version = stored(ticket).version
    assign_ticket(ticket=ticket, assignee=teammate, actor=agent)
    after = stored(ticket)
    assert after.assignee == teammate
    assert after.version == version + 1


def test_an_outsider_may_not_be_given_the_ticket(ticket, agent, outsider):
    before = rows()
    with pytest.raises(DomainError) as refused:
        assign_ticket(ticket=ticket, assignee=outsider, actor=agent)
    assert refused.value.field == "assignee"
    assert stored(ticket).assignee is None
    assert stored(ticket).version == ticket.version
    assert rows() == before


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_managers_and_admins_may_be_given_any_ticket(ticket, agent, role):
    boss = make_user(role)
    assign_ticket(ticket=ticket, assignee=boss, actor=agent)
    assert stored(ticket).assignee == boss


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.ANALYST])
def test_a_team_member_whose_role_does_not_work_tickets_may_not_be_given_it(
    ticket, agent, team, role
):
    member = make_user(role, teams=[team])
    with pytest.raises(DomainError) as refused:
        assign_ticket(ticket=ticket, assignee=member, actor=agent)
    assert refused.value.field == "assignee"


def test_an_inactive_member_may_not_be_given_the_ticket(ticket, agent, team):
    gone = make_user(Role.AGENT, teams=[team], is_active=False)
    with pytest.raises(DomainError) as refused:
        assign_ticket(ticket=ticket, assignee=gone, actor=agent)
    assert refused.value.field == "assignee"


def test_unassigning_returns_the_ticket_to_the_queue(ticket, agent, teammate):
    assign_ticket(ticket=ticket, assignee=teammate, actor=agent)
    assign_ticket(ticket=ticket, assignee=None, actor=agent)
    assert stored(ticket).assignee is None
    event = latest_event(ticket)
    assert (event.before, event.after) == ({"assignee": teammate.pk}, {"assignee": None})


def test_assigning_the_current_assignee_changes_nothing(ticket, agent):
    assign_ticket(ticket=ticket, assignee=agent, actor=agent)
    before, version = rows(), stored(ticket).version
    assign_ticket(ticket=ticket, assignee=agent, actor=agent)
    assert stored(ticket).version == version
    assert rows() == before


def test_a_closed_ticket_cannot_be_assigned(agent, teammate):
    ticket = ticket_in("closed", agent=agent)
    before = rows()
    with pytest.raises(Conflict):
        assign_ticket(ticket=ticket, assignee=teammate, actor=agent)
    assert rows() == before


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_roles_may_not_assign(ticket, team, agent, role):
    user = make_user(role, teams=[team])
    before = rows()
    with pytest.raises(NotPermitted):
        assign_ticket(ticket=ticket, assignee=agent, actor=user)
    assert rows() == before


def test_assigning_from_a_stale_version_is_refused(ticket, agent, teammate):
    version = stored(ticket).version
    assign_ticket(ticket=ticket, assignee=agent, actor=agent)
    before = rows()
    with pytest.raises(StaleVersion):
        assign_ticket(ticket=ticket, assignee=teammate, actor=teammate, expected_version=version)
    assert stored(ticket).assignee == agent
    assert rows() == before


def test_assigning_with_the_current_version_works(ticket, agent):
    assign_ticket(ticket=ticket, assignee=agent, actor=agent, expected_version=ticket.version)
    assert stored(ticket).assignee == agent


# --- transfer ------------------------------------------------------------------------------


def test_a_transfer_moves_the_ticket_and_lets_go_of_an_assignee_outside_the_team(
    ticket, agent, other_team
):
    assign_ticket(ticket=ticket, assignee=agent, actor=agent)
    version = stored(ticket).version
    transfer_ticket(ticket=ticket, team=other_team, actor=agent, reason="  Billing question ")
    after = stored(ticket)
    assert (after.team, after.assignee) == (other_team, None)
    assert after.version == version + 1
    event = latest_event(ticket)
    assert event.action == "ticket.transferred"
    assert event.before == {"team": ticket.team_id, "assignee": agent.pk}
    assert event.after == {"team": other_team.pk, "assignee": None}
    assert event.note == "Billing question"


def test_an_assignee_in_both_teams_keeps_the_ticket(ticket, agent, other_team):
    TeamMembership.objects.create(user=agent, team=other_team)
    agent = User.objects.get(pk=agent.pk)
    assign_ticket(ticket=ticket, assignee=agent, actor=agent)
    transfer_ticket(ticket=ticket, team=other_team, actor=agent)
    assert stored(ticket).assignee == agent


def test_a_manager_assignee_keeps_a_transferred_ticket(ticket, agent, other_team):
    manager = make_user(Role.MANAGER)
    assign_ticket(ticket=ticket, assignee=manager, actor=agent)
    transfer_ticket(ticket=ticket, team=other_team, actor=agent)
    assert stored(ticket).assignee == manager


def test_a_transfer_to_an_inactive_team_is_refused(ticket, agent):
    retired = make_team("retired", is_active=False)
    before = rows()
    with pytest.raises(DomainError) as refused:
        transfer_ticket(ticket=ticket, team=retired, actor=agent)
    assert refused.value.field == "team"
    assert stored(ticket).team_id == ticket.team_id
    assert rows() == before


def test_a_transfer_to_the_same_team_changes_nothing(ticket, agent, team):
    before = rows()
    transfer_ticket(ticket=ticket, team=team, actor=agent)
    assert stored(ticket).version == ticket.version
    assert rows() == before


def test_a_closed_ticket_cannot_be_transferred(agent, other_team):
    ticket = ticket_in("closed", agent=agent)
    with pytest.raises(Conflict):
        transfer_ticket(ticket=ticket, team=other_team, actor=agent)
    assert stored(ticket).team_id != other_team.pk


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_roles_may_not_transfer(ticket, team, other_team, role):
    user = make_user(role, teams=[team])
    before = rows()
    with pytest.raises(NotPermitted):
        transfer_ticket(ticket=ticket, team=other_team, actor=user)
    assert rows() == before


def test_transferring_from_a_stale_version_is_refused(ticket, agent, other_team):
    version = stored(ticket).version
    change_urgency(ticket=ticket, urgency="high", actor=agent)
    before = rows()
    with pytest.raises(StaleVersion):
        transfer_ticket(ticket=ticket, team=other_team, actor=agent, expected_version=version)
    assert rows() == before


# --- urgency -------------------------------------------------------------------------------


def test_urgency_changes_are_audited_with_the_reason(ticket, agent):
    version = stored(ticket).version
    change_urgency(ticket=ticket, urgency="critical", actor=agent, reason=" Hospital order ")
    after = stored(ticket)
    assert after.urgency == "critical"
    assert after.version == version + 1
    event = latest_event(ticket)
    assert event.action == "ticket.urgency_changed"
    assert (event.before, event.after) == ({"urgency": "medium"}, {"urgency": "critical"})
    assert event.note == "Hospital order"


@pytest.mark.parametrize("urgency", ["", "urgent", "HIGH", None])
def test_an_unknown_urgency_is_refused(ticket, agent, urgency):
    before = rows()
    with pytest.raises(DomainError) as refused:
        change_urgency(ticket=ticket, urgency=urgency, actor=agent)
    assert refused.value.field == "urgency"
    assert stored(ticket).urgency == "medium"
    assert rows() == before


def test_the_same_urgency_changes_nothing(ticket, agent):
    before = rows()
    change_urgency(ticket=ticket, urgency="medium", actor=agent)
    assert stored(ticket).version == ticket.version
    assert rows() == before


def test_a_closed_tickets_urgency_cannot_change(agent):
    ticket = ticket_in("closed", agent=agent)
    with pytest.raises(Conflict):
        change_urgency(ticket=ticket, urgency="high", actor=agent)
    assert stored(ticket).urgency == "medium"


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_roles_may_not_change_urgency(ticket, team, role):
    user = make_user(role, teams=[team])
    before = rows()
    with pytest.raises(NotPermitted):
        change_urgency(ticket=ticket, urgency="high", actor=user)
    assert rows() == before


def test_changing_urgency_from_a_stale_version_is_refused(ticket, agent):
    version = stored(ticket).version
    change_urgency(ticket=ticket, urgency="low", actor=agent)
    with pytest.raises(StaleVersion):
        change_urgency(ticket=ticket, urgency="high", actor=agent, expected_version=version)
    assert stored(ticket).urgency == "low"
