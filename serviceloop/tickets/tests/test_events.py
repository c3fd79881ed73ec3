"""The events' names (tickets.events and every other app's events.py) and the predicates the
receivers share: a resolution, a reopen, a ticket leaving work, decided from the event."""

import ast
import importlib
import re
from collections import defaultdict
from pathlib import Path

import pytest

import serviceloop
from serviceloop.audit.models import AuditEvent
from serviceloop.tickets import events, timeline
from serviceloop.tickets.services import merge_ticket, transition_ticket
from tests.builders import make_customer

from .given import ticket_in

EVENT_NAME = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


def event(action, **after):
    return AuditEvent(action=action, after=after)


def last_event(ticket):
    return AuditEvent.objects.filter(ticket_id=ticket.pk).latest("id")


# --- the predicates, on the events the use cases record -------------------------------------


def test_resolving_a_ticket_is_a_resolution_that_takes_it_out_of_work(agent):
    resolved = last_event(ticket_in("resolved", agent=agent))

    assert events.is_resolution(resolved)
    assert events.ends_resolved(resolved)
    assert events.closes_ticket(resolved)
    assert not events.is_reopen(resolved)


@pytest.mark.parametrize("status", ["in_progress", "waiting_customer"])
def test_a_move_to_work_or_waiting_is_no_resolution(agent, status):
    moved = last_event(ticket_in(status, agent=agent))

    assert not events.is_resolution(moved)
    assert not events.ends_resolved(moved)
    assert not events.closes_ticket(moved)
    assert not events.is_reopen(moved)


def test_a_reopen_is_a_reopen_and_nothing_else(agent):
    ticket = ticket_in("resolved", agent=agent)
    transition_ticket(ticket=ticket, to="in_progress", actor=agent, reason="Still missing")
    reopened = last_event(ticket)

    assert reopened.action == "ticket.reopened"
    assert events.is_reopen(reopened)
    assert not events.is_resolution(reopened)
    assert not events.ends_resolved(reopened)
    assert not events.closes_ticket(reopened)


def test_closing_a_resolved_ticket_takes_it_out_of_work_but_resolves_nothing(agent):
    closed = last_event(ticket_in("closed", agent=agent))

    assert events.closes_ticket(closed)
    assert not events.is_resolution(closed)
    assert not events.ends_resolved(closed)


def test_a_merged_duplicate_is_out_of_work_the_ticket_it_joins_is_not(agent):
    customer = make_customer(email="li.wei@example.com")
    duplicate = ticket_in("new", agent=agent, customer_id=customer.pk)
    original = ticket_in("in_progress", agent=agent, customer_id=customer.pk)
    merge_ticket(ticket=duplicate, into=original, actor=agent)

    assert events.closes_ticket(last_event(duplicate))
    assert not events.closes_ticket(last_event(original))  # ticket.merge_received
    assert not events.is_resolution(last_event(duplicate))


# --- the predicates, on events no use case records today -------------------------------------


def test_a_reopen_that_ended_resolved_would_end_resolved_without_being_a_resolution():
    odd = event("ticket.reopened", status="resolved")

    assert events.ends_resolved(odd)
    assert not events.is_resolution(odd)


@pytest.mark.parametrize(
    "action", ["ticket.assigned", "ticket.updated", "interaction.added", "csat.answered"]
)
def test_other_events_never_resolve_nor_close_whatever_they_carry(action):
    other = event(action, status="resolved")

    assert not events.is_resolution(other)
    assert not events.ends_resolved(other)
    assert not events.closes_ticket(other)
    assert not events.is_reopen(other)


def test_an_event_without_values_is_no_resolution():
    bare = AuditEvent(action="ticket.transitioned", after=None)

    assert not events.is_resolution(bare)
    assert not events.closes_ticket(bare)


# --- the names -----------------------------------------------------------------------------


ROOT = Path(serviceloop.__file__).parent


def events_modules():
    return [
        importlib.import_module(f"serviceloop.{path.parent.name}.events")
        for path in sorted(ROOT.glob("*/events.py"))
    ]


def public(module, kind):
    return {
        name: value
        for name, value in vars(module).items()
        if name.isupper() and not name.startswith("_") and isinstance(value, kind)
    }


def defined_names():
    """(module, constant, value) for every name an events.py defines (`NAME: Final = "..."`);
    a name imported from another app's module (a re-export) is not defined again."""
    for path in sorted(ROOT.glob("*/events.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Constant):
                assert ast.unparse(node.annotation) == "Final", f"{path}: {node.target}"
                yield path.parent.name, ast.unparse(node.target), node.value.value


def test_every_app_that_names_events_has_an_events_module():
    names = {module.__name__.split(".")[1] for module in events_modules()}

    assert names >= {
        "accounts", "customers", "tickets", "routing", "feedback", "webhooks", "sla",
        "satisfaction", "followups", "notifications", "improvement",
    }  # fmt: skip


def test_every_event_name_is_a_noun_dot_verb_defined_once():
    where = defaultdict(list)
    for app, name, value in defined_names():
        assert isinstance(value, str)
        assert EVENT_NAME.fullmatch(value), f"{app}.events.{name} = {value!r}"
        where[value].append(f"{app}.events.{name}")

    assert {value: places for value, places in where.items() if len(places) > 1} == {}
    assert "ticket.created" in where  # the modules were found
    # what the modules hold is what they define, or an owner's constant under its own name
    for module in events_modules():
        for name, value in public(module, str).items():
            assert any(place.endswith(f".{name}") for place in where[value]), name


def test_the_groups_hold_only_named_events():
    named = {value for module in events_modules() for value in public(module, str).values()}
    for module in events_modules():
        for name, group in public(module, frozenset).items():
            assert group <= named, f"{module.__name__}.{name}"


def test_the_timeline_copies_of_the_names_above_tickets_are_their_owners_names():
    from serviceloop.followups import events as followups
    from serviceloop.satisfaction import events as satisfaction
    from serviceloop.sla import events as sla

    copies = {
        sla: ["TICKET_ESCALATED"],
        satisfaction: ["CSAT_SCHEDULED", "CSAT_REQUESTED", "CSAT_ANSWERED", "CSAT_UPDATED"],
        followups: [
            "FOLLOW_UP_OPENED", "FOLLOW_UP_RECORDED", "FOLLOW_UP_CANCELLED", "FOLLOW_UP_OVERDUE",
        ],
    }  # fmt: skip
    for owner, names in copies.items():
        for name in names:
            assert getattr(timeline, name) == getattr(owner, name), name
    copied = {name for names in copies.values() for name in names}
    assert copied == set(public(timeline, str)) - set(public(events, str))  # no other copies
