"""What a customer reads of a conversation is decided by one rule (tickets.queries
.visible_kinds): the replies written to them and their own side's messages. A call or a
visit an agent logged, in the agent's own words and with the emotion they noted, an inbound
contact staff recorded, and internal notes are never shown: not on the portal page, not in
the API, not as files, not in the progress check, not by mail. Each kind is tried here on
every one of those readers."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.customers.services import CustomerIdentity
from serviceloop.notifications.composing import context_for
from serviceloop.notifications.services import message_kind
from serviceloop.tickets import queries, tracking
from serviceloop.tickets.choices import Channel, Direction, InteractionKind
from serviceloop.tickets.services import post_interaction
from tests.builders import Api, make_ticket, make_user


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str
    customer_reads: bool
    partner_reads: bool


@pytest.fixture
def customer(team):
    return make_user(Role.CUSTOMER, username="li-wei", full_name="李伟")


@pytest.fixture
def partner(team):
    return make_user(Role.PARTNER, username="courier")


@pytest.fixture
def ticket(partner, customer, agent):
    """A partner's ticket for the customer with a login, both may read it; in progress
    (answered once), so that what follows moves no status."""
    ticket = make_ticket(partner, customer=CustomerIdentity(email="li-wei@example.com"))
    post_interaction(ticket=ticket, actor=agent, content="We are looking into it.")
    ticket.refresh_from_db()
    return ticket


def write(name, ticket, *, agent, customer, partner):
    """Post one entry of the kind `name` with a file; its text says what it is."""
    text = f"[{name}] words"
    upload = SimpleUploadedFile(f"{name}.txt", b"file of " + name.encode(), "text/plain")
    common = {"ticket": ticket, "content": text, "attachments": [upload]}
    an_hour_ago = timezone.now() - timedelta(hours=1)
    if name == "reply":
        return post_interaction(actor=agent, **common)
    if name == "customer message":
        return post_interaction(actor=customer, **common)
    if name == "partner message":
        return post_interaction(actor=partner, door=Channel.API, **common)
    if name == "logged inbound call":
        return post_interaction(
            actor=agent, channel=Channel.PHONE, direction=Direction.INBOUND, emotion="angry",
            occurred_at=an_hour_ago, **common,
        )  # fmt: skip
    if name == "logged visit":
        return post_interaction(
            actor=agent, channel=Channel.ONSITE, direction=Direction.OUTBOUND,
            emotion="dissatisfied", occurred_at=an_hour_ago, **common,
        )  # fmt: skip
    if name == "recorded e-mail":
        return post_interaction(
            actor=agent, channel=Channel.EMAIL, direction=Direction.INBOUND, **common
        )
    if name == "internal note":
        return post_interaction(actor=agent, is_internal=True, **common)
    raise AssertionError(name)


ENTRIES = [
    Entry("reply", InteractionKind.REPLY, customer_reads=True, partner_reads=True),
    Entry("customer message", InteractionKind.MESSAGE, customer_reads=True, partner_reads=True),
    Entry("partner message", InteractionKind.PARTNER, customer_reads=False, partner_reads=True),
    Entry("logged inbound call", InteractionKind.LOG, customer_reads=False, partner_reads=False),
    Entry("logged visit", InteractionKind.LOG, customer_reads=False, partner_reads=False),
    Entry("recorded e-mail", InteractionKind.LOG, customer_reads=False, partner_reads=False),
    Entry("internal note", InteractionKind.NOTE, customer_reads=False, partner_reads=False),
]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.name)
def test_each_kind_of_entry_is_read_by_whom_it_is_meant_for(
    entry, ticket, agent, customer, partner, client
):
    before = tracking.progress_stamp(customer, ticket.number)
    interaction = write(entry.name, ticket, agent=agent, customer=customer, partner=partner)
    assert interaction.kind == entry.kind
    text = f"[{entry.name}] words"

    # the portal page
    client.force_login(customer)
    page = client.get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert (text in page) is entry.customer_reads
    assert (f"{entry.name}.txt" in page) is entry.customer_reads
    # the API, for the customer and for the partner
    for reader, reads in ((customer, entry.customer_reads), (partner, entry.partner_reads)):
        api = Api(reader)
        listed = api.get(f"tickets/{ticket.number}/interactions").json()
        assert (text in [item["content"] for item in listed]) is reads, reader
        assert all(item["emotion"] is None for item in listed)
        files = api.get(f"tickets/{ticket.number}/attachments").json()
        assert (f"{entry.name}.txt" in [f["filename"] for f in files]) is reads, reader
    # the file itself
    attachment = interaction.attachments.get()
    download = client.get(f"/portal/files/{attachment.pk}/")
    assert download.status_code == (200 if entry.customer_reads else 404)
    # the progress stamp changes only for what the customer reads
    changed = tracking.progress_stamp(customer, ticket.number) != before
    assert changed is entry.customer_reads
    # staff read everything
    assert interaction in queries.conversation(ticket, user=agent)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.name)
def test_only_a_reply_is_mailed_to_the_customer(entry, ticket, agent, customer, partner):
    interaction = write(entry.name, ticket, agent=agent, customer=customer, partner=partner)
    event = AuditEvent.objects.filter(
        target_type="interaction", target_id=str(interaction.pk)
    ).get()
    kind = message_kind(event)
    mailed = kind is not None and context_for(kind, event, ticket, _recipient(ticket)) is not None
    assert mailed is (entry.kind == InteractionKind.REPLY)


def _recipient(ticket):
    from serviceloop.notifications.composing import recipient_of

    return recipient_of(ticket)


def test_a_logged_call_is_not_shown_under_the_customers_name(ticket, agent, customer, client):
    post_interaction(
        ticket=ticket, actor=agent, content="Customer shouted about the refund",
        channel=Channel.PHONE, direction=Direction.INBOUND, emotion="angry",
    )  # fmt: skip
    client.force_login(customer)
    page = client.get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert "shouted" not in page
    assert "angry" not in page.lower()


def test_the_progress_check_counts_only_replies(ticket, agent, customer):
    def replies():
        return tracking.track_ticket(number=ticket.number, contact="li-wei@example.com").replies

    before = len(replies())
    post_interaction(
        ticket=ticket, actor=agent, content="called", channel=Channel.PHONE,
        direction=Direction.OUTBOUND,
    )  # fmt: skip
    assert len(replies()) == before
    post_interaction(ticket=ticket, actor=agent, content="We have sent a new parcel.")
    assert len(replies()) == before + 1
