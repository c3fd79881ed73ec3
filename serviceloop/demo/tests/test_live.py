"""`serviceloop demo --live-ticket` (what `make run` calls on every start): a fresh critical
ticket whose 10-minute first response runs out while one watches — it counts down, turns
amber, then red, escalates to the supervisor, and the customer has the acknowledgement."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock
from serviceloop.inbox.models import Kind, Notification
from serviceloop.routing.models import Rule, TeamRouting
from serviceloop.sla import queries
from serviceloop.sla.escalation import escalate_due_tickets
from serviceloop.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--tickets", "0", "--customers", "5", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def live(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    demo()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the mail goes after the commit
        output = demo("--if-empty", "--live-ticket")
    ticket = Ticket.objects.select_related("assignee", "customer").latest("id")
    return output, ticket


def test_it_opens_a_critical_ticket_due_in_ten_minutes_and_says_where(live):
    output, ticket = live
    assert ticket.urgency == "critical"
    assert ticket.kind == "complaint"
    assert ticket.assignee.username == "agent1"
    assert ticket.sla_clock.first_response_due == ticket.created_at + timedelta(minutes=10)
    assert f"http://127.0.0.1:8000/desk/tickets/{ticket.number}/" in output
    assert "first response due in 10 minutes" in output


def test_the_customer_gets_the_acknowledgement(live):
    _output, ticket = live
    acknowledgements = [m for m in mail.outbox if ticket.number in m.subject]
    assert len(acknowledgements) == 1
    assert acknowledgements[0].to == [ticket.customer.contacts.get(kind="email").value]


def test_it_turns_amber_then_red_and_escalates_to_the_supervisor(live):
    _output, ticket = live
    start = ticket.created_at

    def first_response_state(at):
        ticket.refresh_from_db()
        states = {t.code: t.state for t in queries.targets_of(ticket, now=at)}
        return states["first_response"]

    assert first_response_state(start + timedelta(minutes=5)) == "ok"
    with time_machine.travel(start + timedelta(minutes=8), tick=False):
        escalate_due_tickets()
        assert first_response_state(clock.now()) == "warning"
    warned = Notification.objects.get(kind=Kind.SLA_WARNING, ticket=ticket)
    assert warned.recipient.username == "agent1"
    with time_machine.travel(start + timedelta(minutes=11), tick=False):
        escalate_due_tickets()
        assert first_response_state(clock.now()) == "breached"
    breached = Notification.objects.filter(kind=Kind.SLA_BREACHED, ticket=ticket)
    assert {n.recipient.username for n in breached} == {"supervisor"}
    assert all(n.urgent for n in breached)
    levels = AuditEvent.objects.filter(action="ticket.escalated", ticket_id=ticket.pk)
    assert sorted(e.after["level"] for e in levels) == ["75%", "breach"]


def test_the_demo_routes_new_tickets_in_two_teams(live):
    rules = dict(TeamRouting.objects.values_list("team__code", "rule"))
    assert rules == {"logistics": Rule.ROUND_ROBIN, "after-sales": Rule.LEAST_LOADED}


def test_replaying_the_history_mails_nobody_and_rings_no_bell(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        demo("--tickets", "40")
    assert Ticket.objects.count() >= 40
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()
