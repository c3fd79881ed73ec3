"""The composer's use cases: which canned replies are offered and how they are filled in;
post_interaction (reply, note or logged contact with a promise and files, all or nothing);
merge_ticket with the version the page showed (refused when the ticket changed since)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from serviceloop.accounts.choices import Role
from serviceloop.core import clock
from serviceloop.core.errors import (
    Conflict,
    DomainError,
    NotPermitted,
    StaleVersion,
    ValidationFailed,
)
from serviceloop.tickets import services
from serviceloop.tickets.models import Attachment, CannedReply, Commitment, Interaction, Ticket
from serviceloop.tickets.services import merge_ticket, post_interaction
from serviceloop.tickets.services.canned import canned_replies_for, render_canned_reply
from tests.builders import ELF, PNG, make_customer, make_user

from .given import audit_actions, rows, ticket_in


@pytest.fixture
def customer(db):
    return make_customer("李伟", email="li.wei@example.com")


@pytest.fixture
def ticket(agent, customer):
    return ticket_in("new", agent=agent, customer_id=customer.pk, channel="phone")


def stored(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def reply(title, *, language="en", team=None, active=True, body="Hello"):
    return CannedReply.objects.create(
        title=title, body=body, language=language, team=team, is_active=active
    )


def upload(name, content):
    return SimpleUploadedFile(name, content)


def files_in(media):
    return [path for path in Path(media).rglob("*") if path.is_file()]


# --- canned replies ------------------------------------------------------------------------


def test_it_offers_active_replies_of_no_team_or_of_the_tickets_team(
    agent, ticket, team, other_team
):
    everyone = reply("Everyone")
    ours = reply("Ours", team=team)
    reply("Billing only", team=other_team)
    reply("Retired", active=False)
    assert canned_replies_for(user=agent, ticket=ticket) == [everyone, ours]


def test_the_users_language_comes_first_then_the_title(agent, ticket):
    apology_en = reply("Apology", language="en")
    zh = reply("道歉", language="zh-hans")
    thanks_en = reply("Thanks", language="en")
    agent.language = "zh-hans"
    assert canned_replies_for(user=agent, ticket=ticket) == [zh, apology_en, thanks_en]
    agent.language = ""  # no saved language: the page's language decides
    with translation.override("en"):
        assert canned_replies_for(user=agent, ticket=ticket) == [apology_en, thanks_en, zh]


def test_a_ticket_without_team_gets_the_team_less_replies(agent, ticket, team):
    everyone = reply("Everyone")
    reply("Ours", team=team)
    Ticket.objects.filter(pk=ticket.pk).update(team=None)
    assert canned_replies_for(user=agent, ticket=stored(ticket)) == [everyone]


def test_the_placeholders_are_filled_in(agent, ticket):
    text = render_canned_reply(
        reply("x", body="Dear {customer_name}, {ticket_number} is with {agent_name}."),
        stored(ticket),
        agent,
    )
    assert text == f"Dear 李伟, {ticket.number} is with 王芳."


def test_other_braces_stay_and_values_are_not_expanded_again(agent, ticket, customer):
    customer.name = "{agent_name} <b>"
    customer.save(update_fields=["name"])
    text = render_canned_reply(
        reply("x", body="{customer_name} {0} {unknown} {{agent_name}} {customer_name.__class__}"),
        stored(ticket),
        agent,
    )
    assert text == "{agent_name} <b> {0} {unknown} {王芳} {customer_name.__class__}"


# --- post_interaction ----------------------------------------------------------------------


def test_a_reply_to_a_phone_ticket_goes_out_on_the_web(agent, ticket):
    interaction = post_interaction(ticket=ticket, actor=agent, content=" We found it ")
    assert (interaction.channel, interaction.direction, interaction.is_internal) == (
        "web",
        "outbound",
        False,
    )
    assert interaction.content == "We found it"
    assert stored(ticket).status == "in_progress"  # the first response


@pytest.mark.parametrize("channel", ["email", "chat", "sms", "web"])
def test_a_reply_to_a_written_ticket_goes_out_on_its_channel(agent, customer, channel):
    ticket = ticket_in("new", agent=agent, customer_id=customer.pk, channel=channel)
    assert post_interaction(ticket=ticket, actor=agent, content="Hi").channel == channel


def test_a_note_is_internal_whatever_else_is_given(agent, ticket):
    note = post_interaction(
        ticket=ticket, actor=agent, content="Ask", is_internal=True, channel="phone",
        direction="inbound", emotion="angry",
    )  # fmt: skip
    assert (note.is_internal, note.channel, note.direction, note.emotion) == (
        True,
        "web",
        "",
        "angry",
    )
    assert audit_actions(ticket)[-1] == "note.added"


def test_a_logged_visit_keeps_its_channel_and_direction(agent, ticket):
    visit = post_interaction(
        ticket=ticket, actor=agent, content="Came by", channel="onsite", direction="inbound"
    )
    assert (visit.channel, visit.direction) == ("onsite", "inbound")


def test_a_promise_and_files_come_with_the_interaction(agent, ticket, media):
    due = clock.now() + timedelta(hours=3)
    interaction = post_interaction(
        ticket=ticket,
        actor=agent,
        content="We will call",
        commitment_text=" Call back ",
        commitment_due=due,
        attachments=[upload("a.png", PNG), upload("b.png", PNG)],
    )
    promise = Commitment.objects.get(ticket=ticket)
    assert (promise.text, promise.due_at, promise.owner) == ("Call back", due, agent)
    assert list(
        Attachment.objects.filter(ticket=ticket).values_list("filename", "interaction")
    ) == [("a.png", interaction.pk), ("b.png", interaction.pk)]
    assert len(files_in(media)) == 2
    assert audit_actions(ticket)[-4:] == [
        "ticket.transitioned",
        "commitment.created",
        "attachment.added",
        "attachment.added",
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"content": " "}, "content"),
        ({"commitment_text": "Call back"}, "commitment_due"),
        ({"commitment_due": clock.now() + timedelta(days=1)}, "commitment_text"),
        (
            {"commitment_text": "Call back", "commitment_due": clock.now() - timedelta(days=1)},
            "commitment_due",
        ),
        (
            {"commitment_text": "x" * 501, "commitment_due": clock.now() + timedelta(days=1)},
            "commitment_text",
        ),
        ({"emotion": "furious"}, "emotion"),
        ({"attachments": [upload(f"{n}.png", PNG) for n in range(11)]}, "attachments"),
    ],
)
def test_a_refusal_names_the_composer_field_and_stores_nothing(agent, ticket, fields, field):
    before = rows()
    with pytest.raises(DomainError) as refused:
        post_interaction(ticket=ticket, actor=agent, **{"content": "Hello", **fields})
    problems = getattr(refused.value, "errors", {refused.value.field: refused.value.message})
    assert field in problems
    assert rows() == before
    assert stored(ticket).version == ticket.version


def test_a_refused_file_stores_nothing_and_leaves_no_file_behind(agent, ticket, media):
    before = rows()
    with pytest.raises(DomainError) as refused:
        post_interaction(
            ticket=ticket,
            actor=agent,
            content="Papers",
            commitment_text="Call back",
            commitment_due=clock.now() + timedelta(days=1),
            attachments=[upload("good.png", PNG), upload("tool.exe", ELF)],
        )
    assert refused.value.field == "attachments"
    assert str(refused.value.message) == "tool.exe: This type of file is not accepted."
    assert rows() == before
    assert files_in(media) == []


def test_a_closed_ticket_takes_notes_but_no_reply(agent, ticket):
    closed = ticket_in("closed", agent=agent, customer_id=ticket.customer_id, description="Old")
    with pytest.raises(Conflict):
        post_interaction(ticket=closed, actor=agent, content="Hello")
    assert post_interaction(ticket=closed, actor=agent, content="FYI", is_internal=True).pk


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.ANALYST])
def test_roles_that_neither_work_tickets_nor_ask_cannot_write(role, ticket):
    actor = make_user(role)
    before = rows()
    with pytest.raises(NotPermitted):
        post_interaction(ticket=ticket, actor=actor, content="Hello")
    assert rows() == before
    assert Interaction.objects.count() == 0


def _asking(role, agent):
    """A customer with a ticket of theirs on the phone, or a partner and that ticket."""
    user = make_user(role)
    customer_id = user.customer.pk if role == Role.CUSTOMER else make_customer("王芳").pk
    return user, ticket_in("in_progress", agent=agent, customer_id=customer_id, channel="phone")


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.PARTNER])
@pytest.mark.parametrize("door", ["web", "api"])
def test_a_customers_message_comes_in_through_the_door_it_used(role, door, agent):
    actor, ticket = _asking(role, agent)
    message = post_interaction(ticket=ticket, actor=actor, content="Any news?", door=door)
    assert (message.channel, message.direction, message.ticket) == (door, "inbound", ticket)


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.PARTNER])
def test_a_customer_or_partner_does_not_choose_the_channel(role, agent):
    actor, ticket = _asking(role, agent)
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        post_interaction(ticket=ticket, actor=actor, content="Hi", channel="phone", door="api")
    assert set(refused.value.errors) == {"channel"}
    assert rows() == before


def test_a_customer_cannot_make_a_promise(agent):
    actor, ticket = _asking(Role.CUSTOMER, agent)
    due = clock.now() + timedelta(days=1)
    before = rows()
    with pytest.raises(NotPermitted):
        post_interaction(
            ticket=ticket,
            actor=actor,
            content="I will send the photo",
            commitment_text="Photo",
            commitment_due=due,
        )
    assert rows() == before


# --- merge_ticket at a version ---------------------------------------------------------------


def test_a_merge_at_the_shown_version_goes_through(agent, ticket):
    into = ticket_in("in_progress", agent=agent, customer_id=ticket.customer_id, description="B")
    merged = merge_ticket(
        ticket=ticket, into=into, actor=agent, note="Same", expected_version=ticket.version
    )
    assert (merged.status, merged.merged_into_id) == ("closed", into.pk)


def test_a_merge_of_a_ticket_changed_meanwhile_is_refused(agent, teammate, ticket):
    into = ticket_in("in_progress", agent=agent, customer_id=ticket.customer_id, description="B")
    shown = ticket.version
    services.change_urgency(ticket=ticket, urgency="high", actor=teammate)
    before = rows()
    with pytest.raises(StaleVersion):
        merge_ticket(ticket=ticket, into=into, actor=agent, expected_version=shown)
    assert rows() == before
    assert stored(ticket).status == "new"


def test_a_change_to_the_target_does_not_block_the_merge(agent, teammate, ticket):
    into = ticket_in("in_progress", agent=agent, customer_id=ticket.customer_id, description="B")
    services.change_urgency(ticket=into, urgency="high", actor=teammate)
    merged = merge_ticket(ticket=ticket, into=into, actor=agent, expected_version=ticket.version)
    assert merged.merged_into_id == into.pk


def test_a_read_only_role_cannot_merge(ticket, agent):
    into = ticket_in("in_progress", agent=agent, customer_id=ticket.customer_id, description="B")
    with pytest.raises(NotPermitted):
        merge_ticket(ticket=ticket, into=into, actor=make_user(Role.ANALYST), expected_version=1)
