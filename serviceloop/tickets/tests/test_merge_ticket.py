"""merge_ticket: closing a duplicate into another ticket of the same customer. Open
commitments follow; the conversation stays readable from both, through chains of merges."""

from datetime import timedelta

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock
from serviceloop.core.errors import Conflict, DomainError, NotPermitted
from serviceloop.tickets import queries
from serviceloop.tickets.models import Commitment, Ticket
from serviceloop.tickets.services import (
    add_interaction,
    create_commitment,
    keep_commitment,
    merge_ticket,
)
from tests.builders import make_customer, make_user

from .given import rows, ticket_in


@pytest.fixture
def customer(db):
    return make_customer(email="li.wei@example.com")


@pytest.fixture
def duplicate(agent, customer):
    return ticket_in("new", agent=agent, customer_id=customer.pk, description="Parcel late (1)")


@pytest.fixture
def original(agent, customer):
    return ticket_in(
        "in_progress", agent=agent, customer_id=customer.pk, description="Parcel late (2)"
    )


def stored(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def promise(ticket, agent, text="Call back"):
    return create_commitment(
        ticket=ticket, actor=agent, text=text, due_at=clock.now() + timedelta(days=1)
    )


def test_it_closes_the_duplicate_into_the_other_ticket(duplicate, original, agent):
    into_version = stored(original).version
    merged = merge_ticket(ticket=duplicate, into=original, actor=agent, note=" Same parcel ")
    after = stored(duplicate)
    assert merged.pk == duplicate.pk
    assert (after.status, after.merged_into) == ("closed", stored(original))
    assert after.closed_at is not None
    assert after.version == duplicate.version + 1
    assert stored(original).status == "in_progress"
    assert stored(original).version == into_version + 1
    event = AuditEvent.objects.filter(ticket_id=duplicate.pk).latest("id")
    assert event.action == "ticket.merged"
    assert event.note == "Same parcel"
    assert event.before == {"status": "new", "closed_at": None, "merged_into": None}
    assert event.after["status"] == "closed"
    assert event.after["merged_into"] == original.pk
    received = AuditEvent.objects.filter(ticket_id=original.pk).latest("id")
    assert received.action == "ticket.merge_received"
    assert received.after == {"merged_ticket": duplicate.number, "commitments_moved": 0}


@pytest.mark.parametrize("status", ["new", "in_progress", "waiting_customer"])
def test_any_open_ticket_may_be_merged(agent, customer, original, status):
    ticket = ticket_in(status, agent=agent, customer_id=customer.pk)
    merge_ticket(ticket=ticket, into=original, actor=agent)
    assert stored(ticket).status == "closed"


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_only_an_open_ticket_may_be_merged(agent, customer, original, status):
    ticket = ticket_in(status, agent=agent, customer_id=customer.pk)
    before = rows()
    with pytest.raises(Conflict):
        merge_ticket(ticket=ticket, into=original, actor=agent)
    assert stored(ticket).merged_into is None
    assert rows() == before


def test_it_may_merge_into_a_resolved_ticket(agent, customer, duplicate):
    resolved = ticket_in("resolved", agent=agent, customer_id=customer.pk)
    merge_ticket(ticket=duplicate, into=resolved, actor=agent)
    assert stored(duplicate).merged_into == stored(resolved)


def test_it_refuses_to_merge_into_a_closed_ticket(agent, customer, duplicate):
    closed = ticket_in("closed", agent=agent, customer_id=customer.pk)
    before = rows()
    with pytest.raises(DomainError) as refused:
        merge_ticket(ticket=duplicate, into=closed, actor=agent)
    assert refused.value.field == "into"
    assert stored(duplicate).status == "new"
    assert rows() == before


def test_it_refuses_to_merge_tickets_of_different_customers(agent, duplicate):
    strangers = ticket_in("new", agent=agent, customer_id=make_customer().pk)
    promise(duplicate, agent)
    before = rows()
    with pytest.raises(DomainError) as refused:
        merge_ticket(ticket=duplicate, into=strangers, actor=agent)
    assert refused.value.field == "into"
    assert stored(duplicate).status == "new"
    assert Commitment.objects.get().ticket_id == duplicate.pk
    assert rows() == before


def test_it_refuses_to_merge_a_ticket_into_itself(agent, duplicate):
    before = rows()
    with pytest.raises(DomainError) as refused:
        merge_ticket(ticket=duplicate, into=stored(duplicate), actor=agent)
    assert refused.value.field == "into"
    assert stored(duplicate).status == "new"
    assert rows() == before


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.ANALYST, Role.CUSTOMER, Role.PARTNER])
def test_read_only_roles_may_not_merge(team, duplicate, original, role):
    user = make_user(role, teams=[team])
    before = rows()
    with pytest.raises(NotPermitted):
        merge_ticket(ticket=duplicate, into=original, actor=user)
    assert rows() == before


def test_open_commitments_move_and_settled_ones_stay(agent, duplicate, original):
    open_one = promise(duplicate, agent, "Call back at ten")
    kept = keep_commitment(commitment=promise(duplicate, agent, "Send photos"), actor=agent)
    merge_ticket(ticket=duplicate, into=original, actor=agent)
    assert Commitment.objects.get(pk=open_one.pk).ticket_id == original.pk
    assert Commitment.objects.get(pk=kept.pk).ticket_id == duplicate.pk
    moved = AuditEvent.objects.get(action="commitment.moved")
    assert moved.target_id == str(open_one.pk)
    assert (moved.before, moved.after) == (
        {"ticket": duplicate.number},
        {"ticket": original.number},
    )
    received = AuditEvent.objects.filter(action="ticket.merge_received").get()
    assert received.after["commitments_moved"] == 1


def test_the_conversation_is_readable_from_both_tickets(agent, duplicate, original):
    customer_user = make_user(Role.CUSTOMER)
    first = add_interaction(ticket=duplicate, actor=agent, content="We are checking")
    note = add_interaction(
        ticket=duplicate, actor=agent, content="Courier blamed", is_internal=True
    )
    second = add_interaction(ticket=original, actor=agent, content="Found it")
    merge_ticket(ticket=duplicate, into=original, actor=agent)
    assert set(queries.conversation(stored(original), user=agent)) == {first, note, second}
    assert set(queries.conversation(stored(duplicate), user=agent)) == {first, note}
    # customers still never see internal notes, merged or not
    assert set(queries.conversation(stored(original), user=customer_user)) == {first, second}


def test_a_chain_of_merges_is_readable_from_its_end(agent, customer):
    a, b, c = (
        ticket_in("new", agent=agent, customer_id=customer.pk, description=f"Parcel {n}")
        for n in "abc"
    )
    said = [
        add_interaction(ticket=ticket, actor=agent, content=f"About {ticket.number}")
        for ticket in (a, b, c)
    ]
    merge_ticket(ticket=a, into=b, actor=agent)
    merge_ticket(ticket=b, into=c, actor=agent)
    assert list(queries.conversation(stored(c), user=agent)) == said
    assert set(queries.merged_ticket_ids(stored(c))) == {a.pk, b.pk}
    assert stored(a).merged_into == stored(b)


def test_files_of_a_chain_of_merges_can_be_fetched_from_its_end(
    agent, customer, outsider, other_team, tmp_path, settings
):
    """attachments_of lists the files of every ticket merged into this one; whoever is shown
    a file in that list can open it (get_attachment_for), however long the chain."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from serviceloop.tickets.services import add_attachment, transfer_ticket

    settings.MEDIA_ROOT = tmp_path
    # given A -> B in the support team, and B -> C where C now belongs to billing
    a, b, c = (
        ticket_in("new", agent=agent, customer_id=customer.pk, description=f"Parcel {n}")
        for n in "abc"
    )
    photo = add_attachment(
        ticket=a, actor=agent, upload=SimpleUploadedFile("photo.txt", b"a dented box")
    )
    merge_ticket(ticket=a, into=b, actor=agent)
    merge_ticket(ticket=b, into=c, actor=agent)
    transfer_ticket(ticket=c, team=other_team, actor=agent)
    # when billing's agent reads C's files
    listed = list(queries.attachments_of(stored(c), user=outsider))
    # then A's photo is listed, and it opens
    assert listed == [photo]
    assert queries.get_attachment_for(outsider, photo.pk) == photo
