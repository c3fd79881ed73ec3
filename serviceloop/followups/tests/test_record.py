"""Recording a follow-up's outcome: solved closes it; not solved reopens a resolved ticket
with the notes as the reason; notes go to the ticket as an internal note; only ticket
workers of its team (or managers and administrators) record it, once."""

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import Conflict, NotPermitted, ValidationFailed
from serviceloop.followups.models import FollowUp
from serviceloop.followups.services import record_follow_up
from serviceloop.tickets import services as tickets
from serviceloop.tickets.models import Interaction, Ticket
from tests.builders import make_user

from .conftest import NOW, follow_ups_of, resolved


@pytest.fixture
def follow_up(agent, committed, rule) -> FollowUp:
    (found,) = follow_ups_of(resolved(agent, committed, kind="complaint"))
    return found


def stored(follow_up):
    return FollowUp.objects.get(pk=follow_up.pk)


def test_solved_closes_the_follow_up_and_notes_the_ticket(follow_up, agent):
    record_follow_up(
        follow_up=follow_up, actor=agent, outcome="solved", satisfaction=5, notes="Works now"
    )

    done = stored(follow_up)
    assert (done.status, done.outcome, done.satisfaction, done.notes) == (
        "done", "solved", 5, "Works now",
    )  # fmt: skip
    assert (done.done_by, done.done_at) == (agent, NOW)
    assert Ticket.objects.get(pk=follow_up.ticket_id).status == "resolved"
    note = Interaction.objects.filter(ticket_id=follow_up.ticket_id).latest("id")
    assert note.is_internal
    assert note.author == agent
    assert "Works now" in note.content
    event = AuditEvent.objects.get(action="follow_up.recorded")
    assert event.after["outcome"] == "solved"
    assert event.ticket_id == follow_up.ticket_id


def test_not_solved_reopens_the_ticket_with_the_notes_as_reason(follow_up, agent):
    record_follow_up(
        follow_up=follow_up, actor=agent, outcome="not_solved", notes="The new parcel broke too"
    )

    ticket = Ticket.objects.get(pk=follow_up.ticket_id)
    assert (ticket.status, ticket.reopen_count) == ("in_progress", 1)
    reopened = AuditEvent.objects.get(action="ticket.reopened", ticket_id=ticket.pk)
    assert (reopened.note, reopened.actor_id) == ("The new parcel broke too", agent.pk)
    assert stored(follow_up).outcome == "not_solved"


def test_not_solved_needs_notes(follow_up, agent):
    with pytest.raises(ValidationFailed) as refused:
        record_follow_up(follow_up=follow_up, actor=agent, outcome="not_solved", notes=" ")

    assert set(refused.value.errors) == {"notes"}
    assert stored(follow_up).status == "open"
    assert Ticket.objects.get(pk=follow_up.ticket_id).status == "resolved"


def test_a_closed_ticket_is_not_reopened(follow_up, agent):
    tickets.transition_ticket(ticket=follow_up.ticket, to="closed", actor=agent)

    record_follow_up(follow_up=follow_up, actor=agent, outcome="not_solved", notes="Still bad")

    assert Ticket.objects.get(pk=follow_up.ticket_id).status == "closed"
    assert stored(follow_up).status == "done"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": "solved", "satisfaction": 6}, "satisfaction"),
        ({"outcome": "solved", "satisfaction": 0}, "satisfaction"),
        ({"outcome": "solved", "notes": "x" * 20_001}, "notes"),
    ],
)
def test_bad_input_is_a_field_error_and_changes_nothing(follow_up, agent, values, field):
    before = list(FollowUp.objects.values_list())
    notes = Interaction.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        record_follow_up(follow_up=follow_up, actor=agent, **values)

    assert set(refused.value.errors) == {field}
    assert list(FollowUp.objects.values_list()) == before
    assert Interaction.objects.count() == notes


def test_it_is_recorded_once(follow_up, agent):
    record_follow_up(follow_up=follow_up, actor=agent, outcome="solved")

    with pytest.raises(Conflict):
        record_follow_up(follow_up=follow_up, actor=agent, outcome="not_solved", notes="Oops")
    assert stored(follow_up).outcome == "solved"


def test_a_teammate_may_record_it(follow_up, teammate):
    record_follow_up(follow_up=follow_up, actor=teammate, outcome="solved")

    assert stored(follow_up).done_by == teammate


def test_an_agent_of_another_team_may_not(follow_up, outsider):
    with pytest.raises(NotPermitted):
        record_follow_up(follow_up=follow_up, actor=outsider, outcome="solved")
    assert stored(follow_up).status == "open"


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.ANALYST, Role.CUSTOMER, Role.PARTNER])
def test_roles_that_do_not_work_tickets_may_not(follow_up, role):
    with pytest.raises(NotPermitted):
        record_follow_up(follow_up=follow_up, actor=make_user(role), outcome="solved")
    assert stored(follow_up).status == "open"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_managers_and_admins_record_any(follow_up, role):
    record_follow_up(follow_up=follow_up, actor=make_user(role), outcome="solved")

    assert stored(follow_up).status == "done"
