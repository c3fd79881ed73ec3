"""Commitments (关键承诺): a promise with a due time, kept or missed once, or renegotiated
with the customer told why — every step audited."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import TeamMembership
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import Conflict, DomainError, NotPermitted, ValidationFailed
from serviceloop.tickets.models import Commitment
from serviceloop.tickets.services import (
    create_commitment,
    keep_commitment,
    miss_commitment,
    renegotiate_commitment,
)
from tests.builders import make_user

from .given import rows, ticket_in

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
READ_ONLY = [Role.SPECIALIST, Role.ANALYST, Role.CUSTOMER, Role.PARTNER]


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False) as travel:
        yield travel


@pytest.fixture
def ticket(agent):
    return ticket_in("in_progress", agent=agent)


@pytest.fixture
def commitment(ticket, agent):
    return create_commitment(
        ticket=ticket, actor=agent, text="Call back before 10:00", due_at=NOW + timedelta(hours=1)
    )


def stored(commitment):
    return Commitment.objects.get(pk=commitment.pk)


# --- making a promise ----------------------------------------------------------------------


def test_the_actor_owns_a_promise_by_default(ticket, agent):
    promise = create_commitment(
        ticket=ticket,
        actor=agent,
        text="  Call back before 10:00 ",
        due_at=NOW + timedelta(hours=1),
    )
    after = stored(promise)
    assert (after.text, after.owner, after.created_by, after.status) == (
        "Call back before 10:00", agent, agent, "open",
    )  # fmt: skip
    assert after.due_at == NOW + timedelta(hours=1)
    assert after.created_at == NOW
    event = AuditEvent.objects.get(action="commitment.created")
    assert (event.ticket_id, event.target_id, event.actor) == (ticket.pk, str(promise.pk), agent)
    assert event.after["owner"] == agent.pk
    assert event.after["status"] == "open"
    assert datetime.fromisoformat(event.after["due_at"]) == NOW + timedelta(hours=1)


def test_a_teammate_may_own_the_promise(ticket, agent, teammate):
    promise = create_commitment(
        ticket=ticket, actor=agent, text="Send photos", due_at=NOW + timedelta(days=1),
        owner=teammate,
    )  # fmt: skip
    assert stored(promise).owner == teammate


def test_an_outsider_may_not_own_the_promise(ticket, agent, outsider):
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        create_commitment(
            ticket=ticket, actor=agent, text="Send photos", due_at=NOW + timedelta(days=1),
            owner=outsider,
        )  # fmt: skip
    assert list(refused.value.errors) == ["owner"]
    assert rows() == before


def test_a_manager_may_own_any_promise(ticket, agent):
    manager = make_user(Role.MANAGER)
    promise = create_commitment(
        ticket=ticket, actor=agent, text="Call", due_at=NOW + timedelta(days=1), owner=manager
    )
    assert stored(promise).owner == manager


@pytest.mark.parametrize(
    ("due", "accepted"),
    [
        (timedelta(minutes=-1), False),  # a minute before now
        (timedelta(0), False),  # now is not the future
        (timedelta(microseconds=1), True),
        (timedelta(minutes=1), True),
    ],
)
def test_the_due_time_must_be_in_the_future(ticket, agent, due, accepted):
    before = rows()
    if accepted:
        promise = create_commitment(ticket=ticket, actor=agent, text="Call", due_at=NOW + due)
        assert stored(promise).due_at == NOW + due
    else:
        with pytest.raises(ValidationFailed) as refused:
            create_commitment(ticket=ticket, actor=agent, text="Call", due_at=NOW + due)
        assert list(refused.value.errors) == ["due_at"]
        assert rows() == before


def test_it_reports_every_bad_field_at_once(ticket, agent, outsider):
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        create_commitment(
            ticket=ticket, actor=agent, text=" ", due_at=NOW - timedelta(days=1), owner=outsider
        )
    assert set(refused.value.errors) == {"text", "due_at", "owner"}
    assert rows() == before


def test_the_promise_may_be_500_characters_long_and_no_longer(ticket, agent):
    with pytest.raises(ValidationFailed) as refused:
        create_commitment(ticket=ticket, actor=agent, text="p" * 501, due_at=NOW + timedelta(1))
    assert list(refused.value.errors) == ["text"]
    promise = create_commitment(
        ticket=ticket, actor=agent, text="p" * 500, due_at=NOW + timedelta(1)
    )
    assert len(stored(promise).text) == 500


def test_no_promise_on_a_closed_ticket(agent):
    closed = ticket_in("closed", agent=agent)
    before = rows()
    with pytest.raises(Conflict):
        create_commitment(ticket=closed, actor=agent, text="Call", due_at=NOW + timedelta(1))
    assert rows() == before


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_roles_may_not_promise(ticket, team, role):
    user = make_user(role, teams=[team])
    before = rows()
    with pytest.raises(NotPermitted):
        create_commitment(ticket=ticket, actor=user, text="Call", due_at=NOW + timedelta(1))
    assert rows() == before


# --- keeping and missing -------------------------------------------------------------------


def test_a_kept_promise_is_settled_and_audited(commitment, agent, frozen_clock):
    frozen_clock.shift(timedelta(minutes=30))
    keep_commitment(commitment=commitment, actor=agent)
    after = stored(commitment)
    assert (after.status, after.settled_at) == ("kept", NOW + timedelta(minutes=30))
    event = AuditEvent.objects.get(action="commitment.kept")
    assert (event.before, event.after, event.actor) == (
        {"status": "open"},
        {"status": "kept"},
        agent,
    )


def test_a_missed_promise_is_settled_by_the_system(commitment, frozen_clock):
    frozen_clock.shift(timedelta(hours=2))
    miss_commitment(commitment=commitment, actor=None)
    after = stored(commitment)
    assert (after.status, after.settled_at) == ("missed", NOW + timedelta(hours=2))
    event = AuditEvent.objects.get(action="commitment.missed")
    assert (event.actor, event.actor_label) == (None, "system")
    assert (event.before, event.after) == ({"status": "open"}, {"status": "missed"})


def test_a_teammate_may_record_a_missed_promise(commitment, teammate):
    miss_commitment(commitment=commitment, actor=teammate)
    assert stored(commitment).status == "missed"


@pytest.mark.parametrize(
    ("first", "then"),
    [
        (keep_commitment, keep_commitment),
        (keep_commitment, miss_commitment),
        (miss_commitment, keep_commitment),
        (miss_commitment, miss_commitment),
    ],
)
def test_a_promise_is_settled_only_once(commitment, agent, first, then):
    first(commitment=commitment, actor=agent)
    settled = stored(commitment)
    before = rows()
    with pytest.raises(Conflict) as refused:
        then(commitment=commitment, actor=agent)
    assert refused.value.extra["current"] == settled.status
    assert stored(commitment).status == settled.status
    assert stored(commitment).settled_at == settled.settled_at
    assert rows() == before


@pytest.mark.parametrize("settle", [keep_commitment, miss_commitment])
@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_roles_may_not_settle(commitment, team, settle, role):
    user = make_user(role, teams=[team])
    before = rows()
    with pytest.raises(NotPermitted):
        settle(commitment=commitment, actor=user)
    assert stored(commitment).status == "open"
    assert rows() == before


# --- renegotiating -------------------------------------------------------------------------


def test_renegotiating_replaces_the_promise_and_tells_why(commitment, agent):
    new_due = NOW + timedelta(days=1)
    replacement = renegotiate_commitment(
        commitment=commitment, actor=agent, due_at=new_due, reason="  Courier strike "
    )
    old = stored(commitment)
    assert (old.status, old.reason, old.settled_at) == ("renegotiated", "Courier strike", NOW)
    new = stored(replacement)
    assert new.renegotiated_from == old
    assert (new.text, new.due_at, new.owner, new.status) == (
        "Call back before 10:00", new_due, old.owner, "open",
    )  # fmt: skip
    settled = AuditEvent.objects.get(action="commitment.renegotiated")
    assert settled.before == {"status": "open", "reason": ""}
    assert settled.after == {"status": "renegotiated", "reason": "Courier strike"}
    created = AuditEvent.objects.filter(action="commitment.created").latest("id")
    assert created.target_id == str(replacement.pk)
    assert created.after["renegotiated_from"] == commitment.pk
    assert created.note == "Courier strike"


def test_a_renegotiated_promise_may_have_new_words(commitment, agent):
    replacement = renegotiate_commitment(
        commitment=commitment, actor=agent, due_at=NOW + timedelta(days=1),
        reason="Courier strike", text="Call back tomorrow before 10:00",
    )  # fmt: skip
    assert stored(replacement).text == "Call back tomorrow before 10:00"


def test_a_missed_promise_may_be_renegotiated(commitment, agent, frozen_clock):
    frozen_clock.shift(timedelta(hours=2))
    miss_commitment(commitment=commitment, actor=None)
    replacement = renegotiate_commitment(
        commitment=commitment, actor=agent, due_at=NOW + timedelta(days=1), reason="Sorry"
    )
    assert stored(commitment).status == "renegotiated"
    assert stored(replacement).renegotiated_from_id == commitment.pk


@pytest.mark.parametrize("reason", ["", "   "])
def test_renegotiating_needs_a_reason(commitment, agent, reason):
    before = rows()
    with pytest.raises(DomainError) as refused:
        renegotiate_commitment(
            commitment=commitment, actor=agent, due_at=NOW + timedelta(days=1), reason=reason
        )
    assert refused.value.field == "reason"
    assert stored(commitment).status == "open"
    assert rows() == before


def test_a_reason_may_be_2000_characters_and_no_more(commitment, agent):
    with pytest.raises(DomainError) as refused:
        renegotiate_commitment(
            commitment=commitment, actor=agent, due_at=NOW + timedelta(1), reason="r" * 2001
        )
    assert refused.value.field == "reason"
    renegotiate_commitment(
        commitment=commitment, actor=agent, due_at=NOW + timedelta(1), reason="r" * 2000
    )
    assert len(stored(commitment).reason) == 2000


def test_a_refused_new_due_time_leaves_the_old_promise_open(commitment, agent):
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        renegotiate_commitment(
            commitment=commitment, actor=agent, due_at=NOW - timedelta(hours=1), reason="Strike"
        )
    assert list(refused.value.errors) == ["due_at"]
    old = stored(commitment)
    assert (old.status, old.reason, old.settled_at) == ("open", "", None)
    assert rows() == before


def test_a_promise_whose_owner_left_the_team_cannot_be_renegotiated_to_them(
    commitment, agent, teammate
):
    TeamMembership.objects.filter(user=agent).delete()
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        renegotiate_commitment(
            commitment=commitment, actor=teammate, due_at=NOW + timedelta(1), reason="Strike"
        )
    assert list(refused.value.errors) == ["owner"]
    assert stored(commitment).status == "open"
    assert rows() == before


@pytest.mark.parametrize("settle", [keep_commitment, "renegotiate"])
def test_a_kept_or_renegotiated_promise_cannot_be_renegotiated(commitment, agent, settle):
    if settle == "renegotiate":
        renegotiate_commitment(
            commitment=commitment, actor=agent, due_at=NOW + timedelta(1), reason="Strike"
        )
    else:
        settle(commitment=commitment, actor=agent)
    before = rows()
    with pytest.raises(Conflict):
        renegotiate_commitment(
            commitment=commitment, actor=agent, due_at=NOW + timedelta(2), reason="Again"
        )
    assert rows() == before


def test_a_replacement_may_itself_be_renegotiated(commitment, agent):
    second = renegotiate_commitment(
        commitment=commitment, actor=agent, due_at=NOW + timedelta(1), reason="Strike"
    )
    third = renegotiate_commitment(
        commitment=second, actor=agent, due_at=NOW + timedelta(2), reason="Still striking"
    )
    assert stored(third).renegotiated_from == stored(second)
    assert stored(second).status == "renegotiated"
    assert Commitment.objects.filter(status="open").get() == stored(third)


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_roles_may_not_renegotiate(commitment, team, role):
    user = make_user(role, teams=[team])
    before = rows()
    with pytest.raises(NotPermitted):
        renegotiate_commitment(
            commitment=commitment, actor=user, due_at=NOW + timedelta(1), reason="Strike"
        )
    assert rows() == before


def test_no_new_promise_on_a_closed_ticket_by_renegotiating(ticket, commitment, agent):
    """Renegotiating creates a new open promise; like create_commitment, it must not do so on
    a closed ticket (the sweep would later mark a promise nobody can keep as missed)."""
    from serviceloop.tickets.services import transition_ticket

    miss_commitment(commitment=commitment, actor=None)
    transition_ticket(ticket=ticket, to="resolved", actor=agent, resolution="Refunded")
    transition_ticket(ticket=ticket, to="closed", actor=agent)
    before = rows()
    with pytest.raises(Conflict):
        renegotiate_commitment(
            commitment=commitment, actor=agent, due_at=NOW + timedelta(days=1), reason="Sorry"
        )
    assert stored(commitment).status == "missed"
    assert rows() == before
