"""add_interaction: recording a contact or an internal note, and what it means for the
ticket — the first response, replies that move the status, and who sees what."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import Conflict, DomainError, NotPermitted, ValidationFailed
from serviceloop.tickets import queries
from serviceloop.tickets.models import Interaction, Ticket
from serviceloop.tickets.services import add_interaction, counts_as_response
from tests.builders import make_user

from .given import audit_actions, rows, ticket_in

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def customer_user(team):
    return make_user(Role.CUSTOMER, username="li-wei")


@pytest.fixture
def partner(team):
    return make_user(Role.PARTNER, username="courier")


def own_ticket(status, *, agent, customer_user):
    return ticket_in(status, agent=agent, customer_id=customer_user.customer.pk)


def stored(ticket):
    return Ticket.objects.get(pk=ticket.pk)


# --- the first response --------------------------------------------------------------------


def test_a_public_reply_by_staff_is_the_first_response(agent):
    with time_machine.travel(START, tick=False) as travel:
        ticket = ticket_in("new", agent=agent)
        travel.shift(timedelta(minutes=25))
        interaction = add_interaction(ticket=ticket, actor=agent, content="We are on it")
    after = stored(ticket)
    assert after.first_response_at == START + timedelta(minutes=25)
    assert after.status == "in_progress"
    assert (interaction.direction, interaction.channel) == ("outbound", "api")
    assert audit_actions(ticket)[-3:] == [
        "interaction.added", "ticket.first_response", "ticket.transitioned",
    ]  # fmt: skip
    moved = AuditEvent.objects.filter(ticket_id=ticket.pk, action="ticket.transitioned").get()
    assert (moved.before["status"], moved.after["status"]) == ("new", "in_progress")


@pytest.mark.parametrize(
    ("direction", "channel", "responds"),
    [
        *[
            ("outbound", channel, True)
            for channel in ["phone", "email", "chat", "sms", "onsite", "web"]
        ],
        # a logged call, visit or chat from the customer: the customer was spoken to
        *[("inbound", channel, True) for channel in ["phone", "chat", "onsite"]],
        # a customer's message that staff only record
        *[("inbound", channel, False) for channel in ["email", "sms", "web"]],
    ],
)
def test_what_a_staff_contact_means_for_the_first_response(agent, direction, channel, responds):
    ticket = ticket_in("new", agent=agent)
    add_interaction(
        ticket=ticket, actor=agent, content="About your parcel",
        channel=channel, direction=direction,
    )  # fmt: skip
    after = stored(ticket)
    assert (after.first_response_at is not None) is responds
    assert after.status == ("in_progress" if responds else "new")


def test_the_first_response_is_when_the_contact_happened(agent):
    with time_machine.travel(START, tick=False) as travel:
        ticket = ticket_in("new", agent=agent)
        travel.shift(timedelta(hours=3))
        add_interaction(
            ticket=ticket, actor=agent, content="Called at 9:40", channel="phone",
            occurred_at=START + timedelta(minutes=40),
        )  # fmt: skip
    assert stored(ticket).first_response_at == START + timedelta(minutes=40)


def test_the_first_response_is_set_only_once(agent, teammate):
    with time_machine.travel(START, tick=False) as travel:
        ticket = ticket_in("new", agent=agent)
        travel.shift(timedelta(minutes=5))
        add_interaction(ticket=ticket, actor=agent, content="On it")
        travel.shift(timedelta(minutes=5))
        add_interaction(ticket=ticket, actor=teammate, content="Update")
    assert stored(ticket).first_response_at == START + timedelta(minutes=5)
    assert audit_actions(ticket).count("ticket.first_response") == 1


def test_an_internal_note_is_no_response(agent):
    ticket = ticket_in("new", agent=agent)
    note = add_interaction(ticket=ticket, actor=agent, content="Courier blamed", is_internal=True)
    after = stored(ticket)
    assert (after.first_response_at, after.status) == (None, "new")
    assert note.direction == ""
    assert audit_actions(ticket)[-1] == "note.added"


def test_a_customer_message_is_no_response(agent, customer_user):
    ticket = own_ticket("new", agent=agent, customer_user=customer_user)
    message = add_interaction(ticket=ticket, actor=customer_user, content="Any news?")
    after = stored(ticket)
    assert (after.first_response_at, after.status) == (None, "new")
    assert (message.direction, message.channel) == ("inbound", "web")


@pytest.mark.parametrize("status", ["waiting_customer", "resolved"])
def test_a_staff_reply_does_not_move_a_ticket_past_new(agent, status):
    ticket = ticket_in(status, agent=agent)
    add_interaction(ticket=ticket, actor=agent, content="Reminder")
    assert stored(ticket).status == status


@pytest.mark.parametrize(
    ("role", "internal", "counts"),
    [
        (Role.AGENT, False, True),
        (Role.SUPERVISOR, False, True),
        (Role.SPECIALIST, False, True),
        (Role.AGENT, True, False),
        (Role.CUSTOMER, False, False),
        (Role.PARTNER, False, False),
    ],
)
def test_what_counts_as_a_response_is_defined_once(team, role, internal, counts):
    user = make_user(role, teams=[team])
    assert (
        counts_as_response(author=user, is_internal=internal, direction="outbound", channel="email")
        is counts
    )


def test_no_author_is_no_response():
    assert (
        counts_as_response(author=None, is_internal=False, direction="outbound", channel="phone")
        is False
    )


# --- replies that move the status ----------------------------------------------------------


def test_a_customer_reply_to_a_waiting_ticket_puts_it_back_in_progress(agent, customer_user):
    ticket = own_ticket("waiting_customer", agent=agent, customer_user=customer_user)
    add_interaction(ticket=ticket, actor=customer_user, content="Here is the photo")
    after = stored(ticket)
    assert (after.status, after.reopen_count) == ("in_progress", 0)
    event = AuditEvent.objects.filter(ticket_id=ticket.pk).latest("id")
    assert event.action == "ticket.transitioned"
    assert event.actor == customer_user


def test_a_partner_reply_to_a_waiting_ticket_puts_it_back_in_progress(agent, partner):
    ticket = ticket_in("waiting_customer", agent=agent)
    message = add_interaction(ticket=ticket, actor=partner, content="Driver confirms")
    assert stored(ticket).status == "in_progress"
    assert (message.direction, message.channel) == ("inbound", "api")


def test_a_customer_reply_to_a_resolved_ticket_reopens_it(agent, customer_user):
    ticket = own_ticket("resolved", agent=agent, customer_user=customer_user)
    add_interaction(ticket=ticket, actor=customer_user, content="It is still broken")
    after = stored(ticket)
    assert (after.status, after.reopen_count, after.resolved_at) == ("in_progress", 1, None)
    event = AuditEvent.objects.filter(ticket_id=ticket.pk).latest("id")
    assert event.action == "ticket.reopened"
    assert event.note == "It is still broken"
    assert (event.before["reopen_count"], event.after["reopen_count"]) == (0, 1)


@pytest.mark.parametrize("status", ["new", "in_progress"])
def test_a_customer_reply_leaves_other_statuses_alone(agent, customer_user, status):
    ticket = own_ticket(status, agent=agent, customer_user=customer_user)
    version = ticket.version
    add_interaction(ticket=ticket, actor=customer_user, content="Any news?")
    after = stored(ticket)
    assert (after.status, after.version) == (status, version)


def test_a_customer_reply_to_a_closed_ticket_goes_to_a_new_ticket(agent, customer_user):
    ticket = own_ticket("closed", agent=agent, customer_user=customer_user)
    interaction = add_interaction(ticket=ticket, actor=customer_user, content="Hello again")
    assert stored(ticket).status == "closed"
    assert stored(interaction.ticket).follows_id == ticket.pk  # more in test_follow_up.py


def test_a_public_staff_reply_to_a_closed_ticket_is_refused(agent):
    ticket = ticket_in("closed", agent=agent)
    before = rows()
    with pytest.raises(Conflict):
        add_interaction(ticket=ticket, actor=agent, content="One more thing")
    assert rows() == before


def test_staff_may_still_note_on_a_closed_ticket(agent):
    ticket = ticket_in("closed", agent=agent)
    note = add_interaction(ticket=ticket, actor=agent, content="Refund booked", is_internal=True)
    assert note.is_internal
    assert stored(ticket).status == "closed"


# --- what customers and partners may record ------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"is_internal": True}, "is_internal"),
        ({"emotion": "angry"}, "emotion"),
        ({"direction": "outbound"}, "direction"),
    ],
)
def test_customers_may_not_record_staff_things(agent, customer_user, values, field):
    ticket = own_ticket("in_progress", agent=agent, customer_user=customer_user)
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        add_interaction(ticket=ticket, actor=customer_user, content="Hi", **values)
    assert field in refused.value.errors
    assert rows() == before


def test_partners_may_not_add_internal_notes(agent, partner):
    ticket = ticket_in("in_progress", agent=agent)
    with pytest.raises(ValidationFailed) as refused:
        add_interaction(ticket=ticket, actor=partner, content="Hi", is_internal=True)
    assert "is_internal" in refused.value.errors


def test_staff_record_the_customers_emotion(agent):
    ticket = ticket_in("in_progress", agent=agent)
    call = add_interaction(
        ticket=ticket, actor=agent, content="Customer shouted", channel="phone",
        direction="inbound", emotion="angry",
    )  # fmt: skip
    assert Interaction.objects.get(pk=call.pk).emotion == "angry"
    event = AuditEvent.objects.get(action="interaction.added", target_id=str(call.pk))
    assert event.after["emotion"] == "angry"
    assert event.after["author"] == agent.pk


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.ANALYST])
def test_read_only_staff_may_not_add_to_the_conversation(agent, team, role):
    ticket = ticket_in("in_progress", agent=agent)
    user = make_user(role, teams=[team])
    before = rows()
    with pytest.raises(NotPermitted):
        add_interaction(ticket=ticket, actor=user, content="Hi")
    assert rows() == before


# --- bad input -----------------------------------------------------------------------------


def test_it_reports_every_bad_field_at_once_and_stores_nothing(agent):
    ticket = ticket_in("new", agent=agent)
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        add_interaction(
            ticket=ticket, actor=agent, content="  ", channel="pigeon", direction="sideways",
            emotion="meh",
        )  # fmt: skip
    assert set(refused.value.errors) == {"content", "channel", "direction", "emotion"}
    assert stored(ticket).status == "new"
    assert rows() == before


def test_content_may_be_20000_characters_and_no_more(agent):
    ticket = ticket_in("in_progress", agent=agent)
    with pytest.raises(ValidationFailed) as refused:
        add_interaction(ticket=ticket, actor=agent, content="c" * 20_001)
    assert "content" in refused.value.errors
    assert len(add_interaction(ticket=ticket, actor=agent, content="c" * 20_000).content) == 20_000


@pytest.mark.parametrize(
    ("ahead", "accepted"),
    [
        (timedelta(0), True),
        (timedelta(minutes=4), True),  # a minute before the tolerance for clock skew
        (timedelta(minutes=5), True),  # at it
        (timedelta(minutes=5, microseconds=1), False),  # just after it
        (timedelta(minutes=6), False),  # a minute after it
        (timedelta(days=1), False),
    ],
)
def test_a_contact_in_the_future_is_refused(agent, ahead, accepted):
    with time_machine.travel(START, tick=False):
        ticket = ticket_in("in_progress", agent=agent)
        before = rows()
        if accepted:
            call = add_interaction(
                ticket=ticket, actor=agent, content="Call", occurred_at=START + ahead
            )
            assert call.occurred_at == START + ahead
        else:
            with pytest.raises(ValidationFailed) as refused:
                add_interaction(
                    ticket=ticket, actor=agent, content="Call", occurred_at=START + ahead
                )
            assert list(refused.value.errors) == ["occurred_at"]
            assert rows() == before


def test_a_contact_long_before_the_ticket_is_refused(agent):
    with time_machine.travel(START, tick=False):
        ticket = ticket_in("new", agent=agent)
        add_interaction(
            ticket=ticket, actor=agent, content="Earlier call", is_internal=True,
            occurred_at=START - timedelta(days=1),
        )  # fmt: skip
        before = rows()
        with pytest.raises(DomainError) as refused:
            add_interaction(
                ticket=ticket, actor=agent, content="Much earlier call",
                occurred_at=START - timedelta(days=1, microseconds=1),
            )  # fmt: skip
    assert refused.value.field == "occurred_at"
    assert rows() == before


# --- who sees what -------------------------------------------------------------------------


def test_the_conversation_hides_internal_notes_from_customers_and_partners(
    agent, customer_user, partner, team
):
    ticket = own_ticket("new", agent=agent, customer_user=customer_user)
    with time_machine.travel(START, tick=False) as travel:
        said = add_interaction(ticket=ticket, actor=customer_user, content="Where is it?")
        travel.shift(timedelta(minutes=1))
        note = add_interaction(ticket=ticket, actor=agent, content="Lost", is_internal=True)
        travel.shift(timedelta(minutes=1))
        answer = add_interaction(ticket=ticket, actor=agent, content="We are checking")
    for outside in (customer_user, partner):
        assert list(queries.conversation(ticket, user=outside)) == [said, answer]
    for role in (Role.AGENT, Role.SPECIALIST, Role.ANALYST, Role.ADMIN):
        assert list(queries.conversation(ticket, user=make_user(role, teams=[team]))) == [
            said, note, answer,
        ]  # fmt: skip


def test_the_conversation_is_in_the_order_things_happened(agent):
    with time_machine.travel(START, tick=False) as travel:
        ticket = ticket_in("in_progress", agent=agent)
        travel.shift(timedelta(hours=1))
        late = add_interaction(ticket=ticket, actor=agent, content="Second")
        early = add_interaction(
            ticket=ticket, actor=agent, content="First", occurred_at=START + timedelta(minutes=30)
        )
    assert list(queries.conversation(ticket, user=agent)) == [early, late]
