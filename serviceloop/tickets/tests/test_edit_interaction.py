"""edit_interaction: correcting a recorded contact — by its author or a supervisor, manager
or admin — with the old and new text in the audit trail."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import DomainError, NotPermitted
from serviceloop.tickets.models import Interaction
from serviceloop.tickets.services import add_interaction, edit_interaction
from tests.builders import make_user

from .given import rows, ticket_in

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def interaction(agent):
    ticket = ticket_in("in_progress", agent=agent)
    return add_interaction(
        ticket=ticket, actor=agent, content="Customer called", channel="phone",
        direction="inbound", emotion="neutral",
    )  # fmt: skip


def stored(interaction):
    return Interaction.objects.get(pk=interaction.pk)


def test_the_author_corrects_the_content(interaction, agent):
    moment = datetime(2026, 11, 23, 18, 0, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        edit_interaction(interaction=interaction, actor=agent, content="  Customer called twice ")
    after = stored(interaction)
    assert after.content == "Customer called twice"
    assert after.edited_at == moment
    event = AuditEvent.objects.filter(action="interaction.edited").get()
    assert event.target_id == str(interaction.pk)
    assert event.ticket_id == interaction.ticket_id
    assert (event.before, event.after) == (
        {"content": "Customer called"},
        {"content": "Customer called twice"},
    )


def test_a_teammate_who_is_not_the_author_may_not_edit(interaction, teammate):
    before = rows()
    with pytest.raises(NotPermitted):
        edit_interaction(interaction=interaction, actor=teammate, content="Rewritten")
    assert stored(interaction).content == "Customer called"
    assert rows() == before


def test_an_outsider_may_not_edit(interaction, outsider):
    with pytest.raises(NotPermitted):
        edit_interaction(interaction=interaction, actor=outsider, content="Rewritten")
    assert stored(interaction).content == "Customer called"


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGER, Role.ADMIN])
def test_supervisors_managers_and_admins_may_edit_anyones_entry(interaction, team, role):
    edit_interaction(
        interaction=interaction, actor=make_user(role, teams=[team]), content="Corrected"
    )
    assert stored(interaction).content == "Corrected"


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.ANALYST, Role.CUSTOMER, Role.PARTNER])
def test_roles_that_do_not_work_tickets_may_not_edit(interaction, team, role):
    user = make_user(role, teams=[team])
    before = rows()
    with pytest.raises(NotPermitted):
        edit_interaction(interaction=interaction, actor=user, content="Rewritten")
    assert rows() == before


def test_a_customer_may_not_edit_even_their_own_message(agent, team):
    customer_user = make_user(Role.CUSTOMER)
    ticket = ticket_in("in_progress", agent=agent, customer_id=customer_user.customer.pk)
    message = add_interaction(ticket=ticket, actor=customer_user, content="Where is it?")
    with pytest.raises(NotPermitted):
        edit_interaction(interaction=message, actor=customer_user, content="Where?")
    assert stored(message).content == "Where is it?"


def test_the_emotion_can_be_corrected_and_cleared(interaction, agent):
    edit_interaction(interaction=interaction, actor=agent, emotion="angry")
    assert stored(interaction).emotion == "angry"
    edit_interaction(interaction=interaction, actor=agent, emotion="")
    assert stored(interaction).emotion == ""
    events = AuditEvent.objects.filter(action="interaction.edited").order_by("id")
    assert [(e.before, e.after) for e in events] == [
        ({"emotion": "neutral"}, {"emotion": "angry"}),
        ({"emotion": "angry"}, {"emotion": ""}),
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"content": ""}, "content"),
        ({"content": " \n "}, "content"),
        ({"content": "c" * 20_001}, "content"),
        ({"emotion": "furious"}, "emotion"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_stored(interaction, agent, changes, field):
    before = rows()
    with pytest.raises(DomainError) as refused:
        edit_interaction(interaction=interaction, actor=agent, **changes)
    assert refused.value.field == field
    after = stored(interaction)
    assert (after.content, after.emotion, after.edited_at) == ("Customer called", "neutral", None)
    assert rows() == before


def test_nothing_is_written_when_nothing_changed(interaction, agent):
    before = rows()
    edit_interaction(interaction=interaction, actor=agent, content=" Customer called ")
    edit_interaction(interaction=interaction, actor=agent, emotion="neutral")
    edit_interaction(interaction=interaction, actor=agent)
    assert stored(interaction).edited_at is None
    assert rows() == before


def test_only_the_changed_field_is_audited(interaction, agent):
    edit_interaction(
        interaction=interaction, actor=agent, content="Customer called", emotion="angry"
    )
    event = AuditEvent.objects.get(action="interaction.edited")
    assert (event.before, event.after) == ({"emotion": "neutral"}, {"emotion": "angry"})
