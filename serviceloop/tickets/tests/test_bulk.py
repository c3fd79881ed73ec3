"""bulk_change: assign, transfer or change the urgency of many tickets at once; each ticket
changes through its own use case (and audit event) or is reported with the reason."""

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import NotPermitted, ValidationFailed
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.services.bulk import MAX_TICKETS, BulkOutcome, bulk_change
from tests.builders import make_team, make_user

from .given import rows, ticket_in


@pytest.fixture
def tickets(agent):
    return [ticket_in("in_progress", agent=agent) for _ in range(3)]


def numbers(tickets):
    return [ticket.number for ticket in tickets]


def stored(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def actions(ticket):
    return list(AuditEvent.objects.filter(ticket_id=ticket.pk).values_list("action", flat=True))


def test_it_assigns_every_selected_ticket_each_with_its_audit_event(agent, teammate, tickets):
    outcomes = bulk_change(
        actor=agent, numbers=numbers(tickets), action="assign", value=str(teammate.pk)
    )
    assert outcomes == [BulkOutcome(n, changed=True) for n in numbers(tickets)]
    for ticket in tickets:
        after = stored(ticket)
        assert after.assignee == teammate
        assert after.version == ticket.version + 1
        assert actions(ticket).count("ticket.assigned") == 1


def test_a_ticket_already_so_is_reported_unchanged_and_not_audited(agent, teammate, tickets):
    bulk_change(actor=agent, numbers=numbers(tickets[:1]), action="assign", value=str(agent.pk))
    before = rows()
    outcomes = bulk_change(
        actor=agent, numbers=numbers(tickets[:1]), action="assign", value=str(agent.pk)
    )
    assert outcomes == [BulkOutcome(tickets[0].number, changed=False)]
    assert rows() == before


def test_none_returns_tickets_to_the_team_queue(agent, tickets):
    bulk_change(actor=agent, numbers=numbers(tickets), action="assign", value=str(agent.pk))
    bulk_change(actor=agent, numbers=numbers(tickets), action="assign", value="none")
    assert all(stored(ticket).assignee is None for ticket in tickets)


def test_a_closed_ticket_is_reported_with_the_reason_and_the_others_change(agent, tickets):
    closed = ticket_in("closed", agent=agent)
    selection = [tickets[0].number, closed.number, tickets[1].number]
    outcomes = bulk_change(actor=agent, numbers=selection, action="urgency", value="high")
    assert [(o.number, o.changed) for o in outcomes] == [
        (tickets[0].number, True), (closed.number, False), (tickets[1].number, True),
    ]  # fmt: skip
    assert str(outcomes[1].error) == "This ticket is closed; closed tickets cannot change."
    assert stored(closed).urgency == closed.urgency
    assert stored(closed).version == closed.version
    assert [stored(t).urgency for t in tickets] == ["high", "high", tickets[2].urgency]


def test_tickets_out_of_scope_or_unknown_are_not_found_and_untouched(agent, outsider, tickets):
    theirs = ticket_in("in_progress", agent=outsider, team="billing")
    unknown = "CS-20200101-999999"
    outcomes = bulk_change(
        actor=agent, numbers=[theirs.number, unknown, tickets[0].number], action="urgency",
        value="low",
    )  # fmt: skip
    assert [(o.number, o.changed) for o in outcomes] == [
        (theirs.number, False), (unknown, False), (tickets[0].number, True),
    ]  # fmt: skip
    assert str(outcomes[0].error) == str(outcomes[1].error)  # existence is not confirmed
    assert "no ticket with this number" in str(outcomes[0].error)
    assert stored(theirs).urgency == theirs.urgency


def test_numbers_are_read_once_whatever_their_case_or_spacing(agent, tickets):
    given = [f" {tickets[0].number.lower()} ", tickets[0].number, "", tickets[1].number]
    outcomes = bulk_change(actor=agent, numbers=given, action="urgency", value="critical")
    assert [o.number for o in outcomes] == numbers(tickets[:2])
    assert actions(tickets[0]).count("ticket.urgency_changed") == 1


def test_it_transfers_and_releases_assignees_outside_the_new_team(agent, tickets):
    billing = make_team("billing-desk")
    bulk_change(actor=agent, numbers=numbers(tickets), action="assign", value=str(agent.pk))
    outcomes = bulk_change(
        actor=agent, numbers=numbers(tickets), action="transfer", value="billing-desk"
    )
    assert all(o.changed for o in outcomes)
    for ticket in tickets:
        after = stored(ticket)
        assert (after.team, after.assignee) == (billing, None)
        assert "ticket.transferred" in actions(ticket)


def test_an_assignee_outside_a_tickets_team_is_refused_per_ticket(agent, outsider, tickets):
    outcomes = bulk_change(
        actor=agent, numbers=numbers(tickets), action="assign", value=str(outsider.pk)
    )
    assert {str(o.error) for o in outcomes} == {"This user is not a member of the ticket's team."}
    assert all(stored(ticket).assignee is None for ticket in tickets)


@pytest.mark.parametrize(
    ("action", "value", "field"),
    [
        ("assign", "999999", "assignee"),
        ("assign", "someone", "assignee"),
        ("transfer", "no-such-team", "team"),
        ("urgency", "urgentest", "urgency"),
        ("close", "", "action"),
    ],
)
def test_a_value_naming_nothing_refuses_the_whole_request(agent, tickets, action, value, field):
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        bulk_change(actor=agent, numbers=numbers(tickets), action=action, value=value)
    assert list(refused.value.errors) == [field]
    assert rows() == before


def test_an_inactive_team_is_no_transfer_target(agent, tickets):
    make_team("retired", is_active=False)
    with pytest.raises(ValidationFailed) as refused:
        bulk_change(actor=agent, numbers=numbers(tickets), action="transfer", value="retired")
    assert refused.value.errors == {"team": "There is no active team with this code."}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ([], "Select at least one ticket."),
        (["", "  "], "Select at least one ticket."),
        ([f"CS-20260101-{n:06d}" for n in range(MAX_TICKETS + 1)], "at most 100"),
    ],
)
def test_the_selection_must_hold_one_to_100_tickets(agent, given, message):
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        bulk_change(actor=agent, numbers=given, action="urgency", value="low")
    assert message in str(refused.value.errors["numbers"])
    assert rows() == before


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.ANALYST, Role.CUSTOMER, Role.PARTNER])
def test_roles_that_do_not_work_tickets_may_not(db, tickets, role):
    user = make_user(role)
    before = rows()
    with pytest.raises(NotPermitted):
        bulk_change(actor=user, numbers=numbers(tickets), action="urgency", value="low")
    assert rows() == before


def test_a_manager_may_change_tickets_of_any_team(db, tickets, outsider):
    manager = make_user(Role.MANAGER)
    outcomes = bulk_change(
        actor=manager, numbers=numbers(tickets), action="assign", value=str(manager.pk)
    )
    assert all(o.changed for o in outcomes)
