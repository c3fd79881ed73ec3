"""timeline_of: one list of what happened to a ticket — interactions, notes, promises, files
and audit events as readable sentences — oldest first, in a fixed number of queries."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from serviceloop.accounts.choices import Role
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.tickets import services
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.timeline import (
    last_changed_by,
    open_commitments_of_customer,
    timeline_of,
)
from tests.builders import PNG, make_category, make_customer, make_user

from .given import ticket_in

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def customer(db):
    return make_customer("李伟", email="li.wei@example.com")


def at(minutes):
    """Travel to START + minutes (the clock stands still there)."""
    return time_machine.travel(START + timedelta(minutes=minutes), tick=False)


def stored(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def sentences(entries):
    return [entry.sentence for entry in entries if entry.sentence]


def test_it_merges_every_source_oldest_first(agent, teammate, customer):
    with at(0):
        ticket = ticket_in("new", agent=agent, customer_id=customer.pk)
    with at(5):
        promise = services.create_commitment(
            ticket=ticket, actor=agent, text="Call back", due_at=START + timedelta(days=1)
        )
    with at(10):
        services.add_interaction(ticket=ticket, actor=teammate, content="Slow", is_internal=True)
    with at(1):  # a call logged late, that happened at minute 1
        call = services.add_interaction(
            ticket=ticket, actor=agent, content="Called", channel="phone", direction="outbound",
            occurred_at=START + timedelta(minutes=1),
        )  # fmt: skip
    with at(20):
        services.assign_ticket(ticket=ticket, assignee=teammate, actor=agent)

    entries = timeline_of(stored(ticket), user=agent)

    assert [e.kind for e in entries] == [
        "request", "interaction", "status", "commitment", "note", "event",
    ]  # fmt: skip
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert entries[0].actor == "王芳"  # who recorded the request
    assert entries[1].interaction == call
    assert entries[1].actor == "王芳"
    assert entries[3].commitment == promise
    assert entries[4].interaction.content == "Slow"
    assert entries[4].actor == "teammate"


@pytest.mark.parametrize(
    ("act", "expected", "note"),
    [
        (
            lambda t, a, m: services.transition_ticket(ticket=t, to="waiting_customer", actor=a),
            "王芳 changed the status: In progress → Waiting on customer",
            "",
        ),
        (
            lambda t, a, m: services.transition_ticket(
                ticket=t, to="resolved", actor=a, resolution="Sent a new parcel"
            ),
            "王芳 changed the status: In progress → Resolved",
            "Sent a new parcel",
        ),
        (
            lambda t, a, m: services.assign_ticket(ticket=t, assignee=m, actor=a),
            "王芳 assigned the ticket to 李明",
            "",
        ),
        (
            lambda t, a, m: services.assign_ticket(ticket=t, assignee=a, actor=a),
            "王芳 took the ticket",
            "",
        ),
        (
            lambda t, a, m: services.change_urgency(
                ticket=t, urgency="high", actor=a, reason="VIP customer"
            ),
            "王芳 changed the urgency: Medium → High",
            "VIP customer",
        ),
        (
            lambda t, a, m: services.update_ticket_details(
                ticket=t, actor=a, changes={"category": "damage"}
            ),
            "王芳 changed the category: Delivery → Damage",
            "",
        ),
        (
            lambda t, a, m: services.update_ticket_details(
                ticket=t, actor=a, changes={"subject": "Parcel lost", "order_ref": "A-1"}
            ),
            "王芳 edited the ticket: subject, order or reference number",
            "",
        ),
        (
            lambda t, a, m: audit.record(actor=a, action="ticket.exported", target=t),
            "王芳: ticket.exported",
            "",
        ),
        (
            lambda t, a, m: audit.record(actor=None, action="ticket.exported", target=t),
            "The system: ticket.exported",
            "",
        ),
    ],
)
def test_events_read_as_sentences(act, expected, note, agent, team, category, customer):
    make_category("damage", team=team)
    mate = make_user(Role.AGENT, username="li.ming", teams=[team], full_name="李明")
    ticket = ticket_in("in_progress", agent=agent, customer_id=customer.pk, category="delivery")
    act(stored(ticket), agent, mate)
    last = timeline_of(stored(ticket), user=agent)[-1]
    assert last.sentence == expected
    assert last.note == note


def test_returning_to_the_queue_and_transferring(agent, teammate, team, other_team, customer):
    ticket = ticket_in("new", agent=agent, customer_id=customer.pk)
    services.assign_ticket(ticket=ticket, assignee=teammate, actor=agent)
    services.assign_ticket(ticket=stored(ticket), assignee=None, actor=agent)
    services.transfer_ticket(ticket=stored(ticket), team=other_team, actor=agent, reason="Refund")
    said = sentences(timeline_of(stored(ticket), user=agent))
    assert said[-2:] == [
        "王芳 returned the ticket to the team queue",
        "王芳 transferred the ticket from Support to Billing",
    ]
    assert timeline_of(stored(ticket), user=agent)[-1].note == "Refund"


def test_a_reopened_ticket_says_why(agent, customer):
    ticket = ticket_in("resolved", agent=agent, customer_id=customer.pk)
    services.transition_ticket(ticket=ticket, to="in_progress", actor=agent, reason="Still late")
    last = timeline_of(stored(ticket), user=agent)[-1]
    assert (last.kind, last.sentence, last.note) == (
        "status",
        "王芳 reopened the ticket",
        "Still late",
    )


def test_promises_kept_missed_and_renegotiated(agent, customer):
    with at(-1):
        ticket = ticket_in("in_progress", agent=agent, customer_id=customer.pk)
    due = START + timedelta(days=1)
    with at(0):
        kept = services.create_commitment(ticket=ticket, actor=agent, text="Call", due_at=due)
        missed = services.create_commitment(ticket=ticket, actor=agent, text="Mail", due_at=due)
        moved = services.create_commitment(ticket=ticket, actor=agent, text="Visit", due_at=due)
    with at(1):
        services.keep_commitment(commitment=kept, actor=agent)
    with at(2):
        services.miss_commitment(commitment=missed, actor=None)
    with at(3):
        services.renegotiate_commitment(
            commitment=moved, actor=agent, due_at=due + timedelta(days=1), reason="Van broke down"
        )
    entries = timeline_of(stored(ticket), user=agent)
    assert sentences(entries)[-3:] == [
        "王芳 kept the promise “Call”",
        "The promise “Mail” was missed",
        "王芳 renegotiated the promise “Visit”",
    ]
    assert entries[-1].note == "Van broke down"
    assert [e.commitment.text for e in entries if e.kind == "commitment"] == [
        "Call", "Mail", "Visit", "Visit",
    ]  # fmt: skip


def test_a_merge_reads_from_both_sides(agent, customer):
    duplicate = ticket_in("new", agent=agent, customer_id=customer.pk, description="Late (1)")
    original = ticket_in("in_progress", agent=agent, customer_id=customer.pk, description="Late 2")
    services.add_interaction(ticket=duplicate, actor=agent, content="From the duplicate")
    services.merge_ticket(ticket=stored(duplicate), into=stored(original), actor=agent)

    merged = Ticket.objects.select_related("merged_into", "customer").get(pk=duplicate.pk)
    assert sentences(timeline_of(merged, user=agent))[-1] == (
        f"王芳 merged this ticket into {original.number}"
    )
    entries = timeline_of(stored(original), user=agent)
    assert entries[-1].sentence == f"王芳 merged {duplicate.number} into this ticket"
    carried = next(e for e in entries if e.kind == "interaction")
    assert (carried.interaction.content, carried.from_ticket) == (
        "From the duplicate",
        duplicate.number,
    )


def test_files_go_with_their_interaction_and_loose_files_stand_alone(agent, customer):
    ticket = ticket_in("in_progress", agent=agent, customer_id=customer.pk)
    note = services.add_interaction(ticket=ticket, actor=agent, content="Photo", is_internal=True)
    with_note = services.add_attachment(
        ticket=ticket, actor=agent, upload=SimpleUploadedFile("a.png", PNG), interaction=note
    )
    loose = services.add_attachment(
        ticket=ticket, actor=agent, upload=SimpleUploadedFile("b.png", PNG)
    )
    entries = timeline_of(stored(ticket), user=agent)
    assert next(e for e in entries if e.kind == "note").attachments == [with_note]
    standing = [e for e in entries if e.kind == "attachment"]
    assert [(e.attachments, e.actor) for e in standing] == [([loose], "王芳")]
    assert not any(e.sentence.endswith("attachment.added") for e in entries)


def test_customers_get_neither_notes_nor_internal_files_nor_the_audit_trail(agent, team):
    customer_user = make_user(Role.CUSTOMER, username="li-wei")
    ticket = ticket_in("new", agent=agent, customer_id=customer_user.customer.pk)
    services.add_interaction(ticket=ticket, actor=agent, content="Hello")
    note = services.add_interaction(ticket=ticket, actor=agent, content="Hush", is_internal=True)
    services.add_attachment(
        ticket=ticket, actor=agent, upload=SimpleUploadedFile("a.png", PNG), interaction=note
    )
    services.change_urgency(ticket=stored(ticket), urgency="high", actor=agent)
    entries = timeline_of(stored(ticket), user=customer_user)
    assert [e.kind for e in entries] == ["request", "interaction"]
    assert entries[0].actor == ""


def test_event_sentences_speak_the_active_language(agent, customer):
    ticket = ticket_in("in_progress", agent=agent, customer_id=customer.pk)
    with translation.override("zh-hans"):
        said = sentences(timeline_of(stored(ticket), user=agent))
    assert "待处理" in said[-1]
    assert "处理中" in said[-1]


def test_the_number_of_queries_does_not_grow_with_the_history(
    agent, teammate, customer, django_assert_max_num_queries
):
    def grow(ticket, rounds):
        for n in range(rounds):
            note = services.add_interaction(ticket=ticket, actor=teammate, content=f"n{n}")
            services.add_attachment(
                ticket=ticket,
                actor=agent,
                upload=SimpleUploadedFile("a.png", PNG),
                interaction=note,
            )
            services.create_commitment(
                ticket=ticket, actor=agent, text=f"p{n}", due_at=clock.now() + timedelta(days=1)
            )
            services.assign_ticket(
                ticket=ticket, assignee=teammate if n % 2 else agent, actor=agent
            )

    small = ticket_in("in_progress", agent=agent, customer_id=customer.pk, description="Small")
    large = ticket_in("in_progress", agent=agent, customer_id=customer.pk, description="Large")
    grow(small, 1)
    grow(large, 10)
    tail = ticket_in("new", agent=agent, customer_id=customer.pk, description="Merged away")
    services.merge_ticket(ticket=tail, into=stored(large), actor=agent)
    timeline_of(stored(small), user=agent)  # the catalogue of teams loads once
    used = []
    for ticket in (stored(small), stored(large)):
        with django_assert_max_num_queries(7) as captured:
            entries = timeline_of(ticket, user=agent)
        used.append(len(captured))
    assert len(entries) > 30
    assert used[1] <= used[0] + 1  # + the numbers of the merged tickets


def test_last_changed_by_names_the_latest_person(agent, teammate, customer):
    ticket = ticket_in("new", agent=agent, customer_id=customer.pk)
    assert last_changed_by(ticket) == "王芳"
    services.change_urgency(ticket=ticket, urgency="high", actor=teammate)
    audit.record(actor=None, action="ticket.escalated", target=ticket)  # the system is nobody
    assert last_changed_by(ticket) == "teammate"


def test_open_promises_of_the_customer_on_visible_tickets(agent, outsider, other_team, customer):
    mine = ticket_in("in_progress", agent=agent, customer_id=customer.pk, description="Mine")
    elsewhere = ticket_in("in_progress", agent=outsider, customer_id=customer.pk, team="billing")
    later = services.create_commitment(
        ticket=mine, actor=agent, text="Later", due_at=clock.now() + timedelta(days=3)
    )
    sooner = services.create_commitment(
        ticket=mine, actor=agent, text="Sooner", due_at=clock.now() + timedelta(days=1)
    )
    kept = services.create_commitment(
        ticket=mine, actor=agent, text="Kept", due_at=clock.now() + timedelta(days=1)
    )
    services.keep_commitment(commitment=kept, actor=agent)
    services.create_commitment(
        ticket=elsewhere, actor=outsider, text="Hidden", due_at=clock.now() + timedelta(days=1)
    )
    found = open_commitments_of_customer(customer, user=agent)
    assert found == [sooner, later]
    assert found[0].ticket.number == mine.number
