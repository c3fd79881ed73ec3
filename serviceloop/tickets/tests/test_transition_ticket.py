"""transition_ticket: the status machine of DESIGN.md, who may move a ticket, the stamps it
leaves, and the audit trail of every move."""

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import DomainError, NotPermitted, StaleVersion
from serviceloop.tickets.choices import Status
from serviceloop.tickets.errors import TransitionNotAllowed
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.queries import get_ticket_for
from serviceloop.tickets.services import transition_ticket
from serviceloop.tickets.transitions import ALLOWED
from tests.builders import make_user

from .given import STATUSES, rows, ticket_in

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAIRS = list(itertools.product(STATUSES, STATUSES))
ALLOWED_PAIRS = [(a, b) for a, b in PAIRS if Status(b) in ALLOWED[Status(a)]]
REFUSED_PAIRS = [(a, b) for a, b in PAIRS if Status(b) not in ALLOWED[Status(a)]]
# Written out from DESIGN.md, independently of transitions.ALLOWED.
DESIGNED = {
    ("new", "in_progress"), ("new", "waiting_customer"), ("new", "resolved"),
    ("in_progress", "waiting_customer"), ("in_progress", "resolved"),
    ("waiting_customer", "in_progress"), ("waiting_customer", "resolved"),
    ("resolved", "in_progress"), ("resolved", "closed"),
}  # fmt: skip


@pytest.fixture
def customer_user(team):
    return make_user(Role.CUSTOMER, username="li-wei")


def own_ticket(status, *, agent, customer_user):
    return ticket_in(status, agent=agent, customer_id=customer_user.customer.pk)


def test_the_machine_is_the_one_the_design_describes():
    assert set(ALLOWED_PAIRS) == DESIGNED


@pytest.mark.parametrize(("current", "to"), ALLOWED_PAIRS)
def test_every_allowed_move_works_and_is_audited(agent, current, to):
    ticket = ticket_in(current, agent=agent)
    version = ticket.version
    moved = transition_ticket(
        ticket=ticket, to=to, actor=agent, resolution="Sent a new parcel", reason="Still missing"
    )
    stored = Ticket.objects.get(pk=ticket.pk)
    assert moved.status == stored.status == to
    assert stored.version == version + 1
    event = AuditEvent.objects.filter(ticket_id=ticket.pk).latest("id")
    expected = (
        "ticket.reopened"
        if (current, to) == ("resolved", "in_progress")
        else ("ticket.transitioned")
    )
    assert event.action == expected
    assert event.actor == agent
    assert (event.before["status"], event.after["status"]) == (current, to)


@pytest.mark.parametrize(("current", "to"), REFUSED_PAIRS)
def test_every_other_move_is_refused_with_the_allowed_targets(agent, current, to):
    ticket = ticket_in(current, agent=agent)
    before = rows()
    with pytest.raises(TransitionNotAllowed) as refused:
        transition_ticket(
            ticket=ticket, to=to, actor=agent, resolution="Sent a new parcel", reason="Still"
        )
    error = refused.value
    assert error.status == 409
    assert error.field == "to"
    assert error.extra["current"] == current
    assert error.extra["requested"] == to
    assert error.extra["allowed"] == [s.value for s in Status if s in ALLOWED[Status(current)]]
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version
    assert Ticket.objects.get(pk=ticket.pk).status == current
    assert rows() == before


def test_an_unknown_status_is_refused(agent):
    ticket = ticket_in("new", agent=agent)
    with pytest.raises(TransitionNotAllowed) as refused:
        transition_ticket(ticket=ticket, to="archived", actor=agent)
    assert refused.value.extra["allowed"] == ["in_progress", "waiting_customer", "resolved"]


def test_a_closed_ticket_is_final(agent):
    ticket = ticket_in("closed", agent=agent)
    for to in STATUSES:
        with pytest.raises(TransitionNotAllowed) as refused:
            transition_ticket(ticket=ticket, to=to, actor=agent, resolution="x", reason="y")
        assert refused.value.extra["allowed"] == []
        assert "cannot change status any more" in refused.value.message


# --- stamps --------------------------------------------------------------------------------


def test_resolving_stamps_the_time_and_keeps_the_summary(agent):
    ticket = ticket_in("in_progress", agent=agent)
    moment = datetime(2026, 11, 23, 15, 30, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        transition_ticket(ticket=ticket, to="resolved", actor=agent, resolution="  Refunded  ")
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.resolved_at == moment
    assert stored.resolution == "Refunded"
    assert stored.closed_at is None
    event = AuditEvent.objects.filter(ticket_id=ticket.pk).latest("id")
    assert event.before == {"status": "in_progress", "resolution": "", "resolved_at": None}
    assert event.after == {
        "status": "resolved",
        "resolution": "Refunded",
        "resolved_at": event.after["resolved_at"],
    }
    assert datetime.fromisoformat(event.after["resolved_at"]) == moment


def test_closing_stamps_the_time(agent):
    ticket = ticket_in("resolved", agent=agent)
    moment = datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        transition_ticket(ticket=ticket, to="closed", actor=agent)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.closed_at == moment
    assert stored.resolved_at is not None


def test_the_last_resolution_counts(agent):
    ticket = ticket_in("new", agent=agent)
    first = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(first, tick=False) as travel:
        transition_ticket(ticket=ticket, to="resolved", actor=agent, resolution="Refunded")
        travel.shift(timedelta(hours=2))
        transition_ticket(ticket=ticket, to="in_progress", actor=agent, reason="Not refunded")
        assert Ticket.objects.get(pk=ticket.pk).resolved_at is None
        travel.shift(timedelta(hours=3))
        transition_ticket(ticket=ticket, to="resolved", actor=agent, resolution="Refunded now")
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.resolved_at == first + timedelta(hours=5)
    assert stored.resolution == "Refunded now"
    assert stored.reopen_count == 1


@pytest.mark.parametrize("resolution", ["", "   \n "])
def test_resolving_needs_a_resolution(agent, resolution):
    ticket = ticket_in("in_progress", agent=agent)
    before = rows()
    with pytest.raises(DomainError) as refused:
        transition_ticket(ticket=ticket, to="resolved", actor=agent, resolution=resolution)
    assert refused.value.field == "resolution"
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"
    assert rows() == before


def test_a_resolution_may_be_20000_characters_long_and_no_longer(agent):
    ticket = ticket_in("in_progress", agent=agent)
    with pytest.raises(DomainError) as refused:
        transition_ticket(ticket=ticket, to="resolved", actor=agent, resolution="r" * 20_001)
    assert refused.value.field == "resolution"
    transition_ticket(ticket=ticket, to="resolved", actor=agent, resolution="r" * 20_000)
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"


def test_a_resolution_given_on_another_move_is_ignored(agent):
    ticket = ticket_in("new", agent=agent)
    transition_ticket(ticket=ticket, to="in_progress", actor=agent, resolution="Premature")
    assert Ticket.objects.get(pk=ticket.pk).resolution == ""


# --- reopening -----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "  "])
def test_reopening_needs_a_reason(agent, reason):
    ticket = ticket_in("resolved", agent=agent)
    before = rows()
    with pytest.raises(DomainError) as refused:
        transition_ticket(ticket=ticket, to="in_progress", actor=agent, reason=reason)
    assert refused.value.field == "reason"
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.status, stored.reopen_count) == ("resolved", 0)
    assert stored.resolved_at is not None
    assert rows() == before


def test_reopening_counts_and_clears_the_resolution_time(agent):
    ticket = ticket_in("resolved", agent=agent)
    transition_ticket(ticket=ticket, to="in_progress", actor=agent, reason=" Still broken ")
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.status, stored.reopen_count, stored.resolved_at) == ("in_progress", 1, None)
    event = AuditEvent.objects.filter(ticket_id=ticket.pk).latest("id")
    assert event.action == "ticket.reopened"
    assert event.note == "Still broken"
    assert event.before["reopen_count"] == 0
    assert event.after["reopen_count"] == 1
    assert event.after["resolved_at"] is None


def test_moving_back_from_waiting_is_no_reopen(agent):
    ticket = ticket_in("waiting_customer", agent=agent)
    transition_ticket(ticket=ticket, to="in_progress", actor=agent)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.reopen_count == 0
    assert AuditEvent.objects.filter(ticket_id=ticket.pk).latest("id").action == (
        "ticket.transitioned"
    )


# --- customers -----------------------------------------------------------------------------


def test_a_customer_confirms_a_resolution_by_closing(agent, customer_user):
    ticket = own_ticket("resolved", agent=agent, customer_user=customer_user)
    transition_ticket(ticket=ticket, to="closed", actor=customer_user)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.status == "closed"
    assert AuditEvent.objects.filter(ticket_id=ticket.pk).latest("id").actor == customer_user


def test_a_customer_reopens_a_resolution_with_a_reason(agent, customer_user):
    ticket = own_ticket("resolved", agent=agent, customer_user=customer_user)
    with pytest.raises(DomainError) as refused:
        transition_ticket(ticket=ticket, to="in_progress", actor=customer_user)
    assert refused.value.field == "reason"
    transition_ticket(ticket=ticket, to="in_progress", actor=customer_user, reason="Still broken")
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.status, stored.reopen_count) == ("in_progress", 1)


@pytest.mark.parametrize(
    ("current", "to"),
    [
        pair
        for pair in ALLOWED_PAIRS
        if pair not in {("resolved", "in_progress"), ("resolved", "closed")}
    ],
)
def test_a_customer_may_not_make_staff_moves(agent, customer_user, current, to):
    ticket = own_ticket(current, agent=agent, customer_user=customer_user)
    before = rows()
    with pytest.raises(NotPermitted) as refused:
        transition_ticket(
            ticket=ticket, to=to, actor=customer_user, resolution="Done", reason="Why"
        )
    assert refused.value.field == "to"
    assert Ticket.objects.get(pk=ticket.pk).status == current
    assert rows() == before


@pytest.mark.parametrize(("current", "to"), [("new", "closed"), ("closed", "in_progress")])
def test_a_customer_may_not_make_moves_nobody_may_make(agent, customer_user, current, to):
    ticket = own_ticket(current, agent=agent, customer_user=customer_user)
    with pytest.raises(NotPermitted):
        transition_ticket(ticket=ticket, to=to, actor=customer_user, reason="Why")
    assert Ticket.objects.get(pk=ticket.pk).status == current


def test_only_the_owner_customer_reaches_the_ticket_to_close_it(agent, customer_user, team):
    # given a resolved ticket of one customer, and another customer
    ticket = own_ticket("resolved", agent=agent, customer_user=customer_user)
    stranger = make_user(Role.CUSTOMER, username="stranger")
    # then the owner reaches it and closes it, the stranger does not even find it
    from django.http import Http404

    with pytest.raises(Http404):
        get_ticket_for(stranger, ticket.number)
    found = get_ticket_for(customer_user, ticket.number)
    transition_ticket(ticket=found, to="closed", actor=customer_user)
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"


# --- staff scope ---------------------------------------------------------------------------


def test_the_owner_and_a_teammate_reach_the_ticket_an_outsider_does_not(agent, teammate, outsider):
    from django.http import Http404

    ticket = ticket_in("new", agent=agent)
    transition_ticket(ticket=get_ticket_for(agent, ticket.number), to="in_progress", actor=agent)
    transition_ticket(
        ticket=get_ticket_for(teammate, ticket.number), to="waiting_customer", actor=teammate
    )
    with pytest.raises(Http404):
        get_ticket_for(outsider, ticket.number)
    assert Ticket.objects.get(pk=ticket.pk).status == "waiting_customer"


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.ANALYST, Role.PARTNER])
def test_read_only_roles_may_not_change_the_status(agent, team, role):
    ticket = ticket_in("resolved", agent=agent)
    user = make_user(role, teams=[team])
    before = rows()
    with pytest.raises(NotPermitted):
        transition_ticket(ticket=ticket, to="closed", actor=user)
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"
    assert rows() == before


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGER, Role.ADMIN])
def test_every_role_that_works_tickets_may_change_the_status(agent, team, role):
    ticket = ticket_in("new", agent=agent)
    transition_ticket(ticket=ticket, to="in_progress", actor=make_user(role, teams=[team]))
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"


# --- versions ------------------------------------------------------------------------------


def test_a_stale_version_is_refused(agent, teammate):
    ticket = ticket_in("new", agent=agent)
    read_version = ticket.version
    transition_ticket(ticket=ticket, to="in_progress", actor=teammate)
    before = rows()
    with pytest.raises(StaleVersion) as refused:
        transition_ticket(
            ticket=ticket, to="waiting_customer", actor=agent, expected_version=read_version
        )
    assert refused.value.status == 412
    assert refused.value.extra["current_version"] == read_version + 1
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"
    assert rows() == before


def test_the_current_version_is_accepted(agent):
    ticket = ticket_in("new", agent=agent)
    moved = transition_ticket(
        ticket=ticket, to="in_progress", actor=agent, expected_version=ticket.version
    )
    assert moved.version == ticket.version + 1


def test_it_works_from_a_stale_copy_of_the_ticket(agent, teammate):
    """The service re-reads the ticket: a caller's outdated copy cannot undo a change."""
    ticket = ticket_in("new", agent=agent)
    transition_ticket(ticket=Ticket.objects.get(pk=ticket.pk), to="resolved", actor=teammate,
                      resolution="Refunded")  # fmt: skip
    with pytest.raises(TransitionNotAllowed) as refused:
        transition_ticket(ticket=ticket, to="waiting_customer", actor=agent)  # copy says "new"
    assert refused.value.extra["current"] == "resolved"
