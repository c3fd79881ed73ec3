"""The customer loop after resolution: a customer's reply to a resolved ticket reopens it; a
message to a closed ticket opens a new ticket that follows it (reopening closed work would
distort the metrics); staff cannot reply to a closed ticket."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from serviceloop.accounts.choices import Role
from serviceloop.core.errors import Conflict, ValidationFailed
from serviceloop.customers.services import CustomerIdentity
from serviceloop.tickets.choices import Status
from serviceloop.tickets.models import Interaction, Ticket
from serviceloop.tickets.services import add_interaction, merge_ticket, transition_ticket
from tests.builders import make_ticket, make_user

from .given import audit_actions, rows, ticket_in

NOW = datetime(2031, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False) as travel:
        yield travel


@pytest.fixture
def customer_user(team):
    return make_user(Role.CUSTOMER, username="li-wei")


@pytest.fixture
def partner(team):
    return make_user(Role.PARTNER, username="courier")


def own_ticket(status, *, agent, customer_user, **fields):
    return ticket_in(status, agent=agent, customer_id=customer_user.customer.pk, **fields)


def stored(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def test_a_customer_reply_to_a_resolved_ticket_reopens_it(agent, customer_user):
    ticket = own_ticket("resolved", agent=agent, customer_user=customer_user)

    interaction = add_interaction(ticket=ticket, actor=customer_user, content="Still broken")

    after = stored(ticket)
    assert interaction.ticket_id == ticket.pk
    assert (after.status, after.reopen_count, after.resolved_at) == ("in_progress", 1, None)
    assert audit_actions(ticket)[-2:] == ["interaction.added", "ticket.reopened"]
    assert Ticket.objects.count() == 1


def test_a_customer_reply_to_a_closed_ticket_opens_a_linked_ticket(
    agent, customer_user, category, frozen_clock
):
    old = own_ticket(
        "closed", agent=agent, customer_user=customer_user, subject="Parcel 42 late",
        kind="complaint", category="delivery", order_ref="SO-42",
    )  # fmt: skip
    old_version = old.version
    frozen_clock.shift(timedelta(days=10))

    interaction = add_interaction(
        ticket=old, actor=customer_user, content="It broke again after a week"
    )

    new = Ticket.objects.exclude(pk=old.pk).get()
    assert interaction.ticket_id == new.pk
    assert (interaction.direction, interaction.channel, interaction.author) == (
        "inbound", "web", customer_user,
    )  # fmt: skip
    assert new.follows_id == old.pk
    assert (new.subject, new.description) == ("Re: Parcel 42 late", "It broke again after a week")
    assert (new.kind, new.category_id, new.team_id) == ("complaint", old.category_id, old.team_id)
    assert (new.customer_id, new.submitter_id, new.channel) == (
        old.customer_id, customer_user.pk, "web",
    )  # fmt: skip
    assert (new.status, new.order_ref, new.created_at) == ("new", "SO-42", NOW + timedelta(days=10))
    closed = stored(old)
    assert (closed.status, closed.reopen_count, closed.version) == ("closed", 0, old_version)
    assert not Interaction.objects.filter(ticket=old, author=customer_user).exists()
    assert audit_actions(new) == ["ticket.created", "ticket.follows", "interaction.added"]
    assert audit_actions(old)[-1] == "ticket.followed_up"
    assert [t.number for t in closed.follow_up_tickets()] == [new.number]


def test_a_partner_message_to_a_closed_ticket_opens_one_over_the_api_channel(agent, partner):
    old = make_ticket(partner, customer=CustomerIdentity(email="buyer@example.com"))
    transition_ticket(ticket=old, to=Status.RESOLVED, actor=agent, resolution="Refunded")
    transition_ticket(ticket=old, to=Status.CLOSED, actor=agent)

    interaction = add_interaction(ticket=old, actor=partner, content="The buyer called again")

    new = interaction.ticket
    assert (new.follows_id, new.channel, new.customer_id) == (old.pk, "api", old.customer_id)
    assert stored(new).submitter_organisation_id == partner.organisation_id


def test_the_same_message_sent_twice_opens_one_ticket(agent, customer_user):
    old = own_ticket("closed", agent=agent, customer_user=customer_user)
    first = add_interaction(ticket=old, actor=customer_user, content="Hello again")
    second = add_interaction(ticket=old, actor=customer_user, content="Hello again")
    assert first.ticket_id == second.ticket_id
    assert Ticket.objects.filter(follows=old).count() == 1


def test_a_message_to_a_merged_duplicate_goes_to_the_ticket_that_stays(agent, customer_user):
    duplicate = own_ticket("in_progress", agent=agent, customer_user=customer_user)
    stays = own_ticket("in_progress", agent=agent, customer_user=customer_user)
    merge_ticket(ticket=duplicate, into=stays, actor=agent)

    interaction = add_interaction(ticket=duplicate, actor=customer_user, content="Any news?")

    assert interaction.ticket_id == stays.pk
    assert not Ticket.objects.filter(follows__isnull=False).exists()


def test_a_public_staff_reply_to_a_closed_ticket_is_refused(agent):
    ticket = ticket_in("closed", agent=agent)
    before = rows()
    with pytest.raises(Conflict):
        add_interaction(ticket=ticket, actor=agent, content="One more thing")
    assert rows() == before
    assert not Ticket.objects.filter(follows=ticket).exists()


def test_a_refused_message_to_a_closed_ticket_stores_nothing(agent, customer_user):
    old = own_ticket("closed", agent=agent, customer_user=customer_user)
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        add_interaction(ticket=old, actor=customer_user, content="   ")
    assert set(refused.value.errors) == {"content"}
    assert rows() == before
