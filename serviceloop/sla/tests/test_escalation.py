"""Escalation rules (升级): each default level fires at its moment and not before, once per
ticket, target and wait; what it does is audited, noted on the ticket and notified."""

import importlib
import itertools
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.calendars.models import BusinessCalendar, CalendarTeam, WorkingPeriod
from serviceloop.customers.services import CustomerIdentity
from serviceloop.inbox.models import Kind, Notification
from serviceloop.sla.escalation import escalate_due_tickets
from serviceloop.sla.models import Escalation, EscalationRule, SlaPolicy, TicketClock
from serviceloop.sla.queries import breaching_soon
from serviceloop.tickets import services
from serviceloop.tickets.models import Interaction, Ticket
from serviceloop.tickets.timeline import timeline_of
from tests.builders import make_user

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
SERIAL = itertools.count(1)


@pytest.fixture(autouse=True)
def rules(db):
    """The default rules of the data migration (made again after a transactional test)."""
    migration = importlib.import_module("serviceloop.sla.migrations.0007_default_escalation_rules")
    migration.create_rules(apps, None)
    return {rule.code: rule for rule in EscalationRule.objects.all()}


@pytest.fixture(autouse=True)
def policy(db):
    """One calendar-time policy for every ticket: first and next response within an hour,
    resolution within four."""
    SlaPolicy.objects.all().delete()
    return SlaPolicy.objects.create(
        code="all", name_en="All", name_zh="全部", first_response_minutes=60,
        next_response_minutes=60, resolution_minutes=240, business_time=False,
    )  # fmt: skip


@pytest.fixture
def manager(team):
    user = make_user(Role.MANAGER, username="manager", full_name="钱经理")
    team.manager = user
    team.save(update_fields=["manager"])
    return user


def create(agent, *, at=MONDAY_10, urgency="medium", assignee=None):
    with time_machine.travel(at, tick=False):
        draft = services.TicketDraft(
            description=f"Parcel lost {next(SERIAL)} {at.isoformat()}", urgency=urgency,
            channel="web", customer=CustomerIdentity(email="li.wei@example.com"),
            assignee=(assignee or agent).pk,
        )  # fmt: skip
        return services.create_ticket(actor=agent, draft=draft).ticket


def sweep(at):
    with time_machine.travel(at, tick=False):
        return escalate_due_tickets()


def at(moment, action):
    with time_machine.travel(moment, tick=False):
        return action()


def reply(ticket, actor, direction="outbound"):
    return services.add_interaction(
        ticket=ticket, actor=actor, content="We are on it.", channel="web", direction=direction
    )


def levels(ticket):
    return sorted(
        (row.rule.code, row.target)
        for row in Escalation.objects.filter(ticket=ticket).select_related("rule")
    )


def test_the_warning_comes_at_75_percent_of_the_time_and_not_before(agent):
    ticket = create(agent)
    assert sweep(MONDAY_10 + timedelta(minutes=44)) == 0
    assert sweep(MONDAY_10 + timedelta(minutes=45)) == 1
    assert levels(ticket) == [("warn-75", "first_response")]
    warning = Notification.objects.get(ticket=ticket)
    assert (warning.recipient, warning.kind, warning.urgent) == (agent, Kind.SLA_WARNING, False)
    assert warning.params["target"] == "first_response"


def test_business_time_counts_a_friday_evening_ticket_warns_on_monday(agent, team, policy):
    calendar = BusinessCalendar.objects.create(
        code="office", name_en="Office", name_zh="办公室", time_zone="Asia/Shanghai"
    )
    for weekday in range(5):
        WorkingPeriod.objects.create(
            calendar=calendar, weekday=weekday, starts=time(9), ends=time(18)
        )
    CalendarTeam.objects.create(calendar=calendar, team=team)
    policy.business_time, policy.first_response_minutes = True, 120
    policy.save()
    friday_17 = datetime(2026, 11, 20, 17, 0, tzinfo=SHANGHAI)
    ticket = create(agent, at=friday_17)
    # 60 minutes on Friday, 60 on Monday: due Monday 10:00; 75 % (90 minutes) on Monday 09:30
    assert TicketClock.objects.get(ticket=ticket).first_response_due == MONDAY_10
    assert sweep(datetime(2026, 11, 21, 12, 0, tzinfo=SHANGHAI)) == 0  # Saturday
    assert sweep(datetime(2026, 11, 23, 9, 29, tzinfo=SHANGHAI)) == 0
    assert sweep(datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)) == 1
    assert levels(ticket) == [("warn-75", "first_response")]


def test_at_the_breach_supervisors_are_told_urgently_and_the_urgency_rises(agent, supervisor):
    ticket = create(agent)
    sweep(MONDAY_10 + timedelta(minutes=59))
    assert ("breach", "first_response") not in levels(ticket)
    assert TicketClock.objects.get(ticket=ticket).first_response_breached is None

    assert sweep(MONDAY_10 + timedelta(minutes=61)) == 1
    ticket.refresh_from_db()
    assert levels(ticket) == [("breach", "first_response"), ("warn-75", "first_response")]
    assert ticket.urgency == "high"
    clock = TicketClock.objects.get(ticket=ticket)
    assert clock.first_response_breached is True  # recorded before any response
    breached = Notification.objects.get(ticket=ticket, kind=Kind.SLA_BREACHED)
    assert (breached.recipient, breached.urgent) == (supervisor, True)
    raised = AuditEvent.objects.get(ticket_id=ticket.pk, action="ticket.urgency_changed")
    assert (raised.actor_id, raised.before, raised.after) == (
        None, {"urgency": "medium"}, {"urgency": "high"}
    )  # fmt: skip
    # the breach stays in the "breaching soon" queue until the customer is answered
    assert list(breaching_soon(Ticket.objects.all(), now=MONDAY_10 + timedelta(hours=1))) == [
        ticket
    ]
    at(MONDAY_10 + timedelta(minutes=70), lambda: reply(ticket, agent))
    assert TicketClock.objects.get(ticket=ticket).first_response_breached is True
    assert sweep(MONDAY_10 + timedelta(minutes=90)) == 0  # the response ended the target


def test_two_hours_after_a_resolution_breach_the_manager_takes_the_ticket(agent, manager):
    ticket = create(agent)
    at(MONDAY_10 + timedelta(minutes=5), lambda: reply(ticket, agent))
    breach = MONDAY_10 + timedelta(hours=4)
    sweep(breach + timedelta(minutes=1))
    assert ("breach", "resolution") in levels(ticket)
    assert ("breach-2h", "resolution") not in levels(ticket)
    sweep(breach + timedelta(minutes=119))
    assert ("breach-2h", "resolution") not in levels(ticket)

    assert sweep(breach + timedelta(minutes=120)) == 1
    ticket.refresh_from_db()
    assert ticket.assignee == manager
    assigned = AuditEvent.objects.get(ticket_id=ticket.pk, action="ticket.assigned")
    assert (assigned.actor_id, assigned.after) == (None, {"assignee": manager.pk})
    told = Notification.objects.get(ticket=ticket, kind=Kind.ESCALATED)
    assert (told.recipient, told.urgent) == (manager, True)
    assert TicketClock.objects.get(ticket=ticket).resolution_breached is True


def test_each_escalation_is_an_audit_event_and_an_internal_note(agent, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    ticket = create(agent)
    sweep(MONDAY_10 + timedelta(minutes=45))
    event = AuditEvent.objects.get(ticket_id=ticket.pk, action="ticket.escalated")
    assert event.actor_id is None
    assert event.after["rule"] == "warn-75"
    assert event.after["target"] == "first_response"
    assert event.after["level"] == "75%"
    note = Interaction.objects.get(ticket=ticket)
    assert note.is_internal
    assert note.author is None
    assert note.direction == ""
    assert "75%" in note.content
    assert "2026-11-23 11:00" in note.content


def test_a_level_is_never_reached_twice(agent, supervisor):
    ticket = create(agent)
    late = MONDAY_10 + timedelta(hours=8)
    first = sweep(late)
    assert first == 5  # warn-75 and breach of first response and resolution, breach-2h
    assert sweep(late) == 0
    assert sweep(late + timedelta(days=2)) == 0
    assert AuditEvent.objects.filter(ticket_id=ticket.pk, action="ticket.escalated").count() == 5
    assert len(levels(ticket)) == len(set(levels(ticket))) == 5


def test_a_new_wait_for_a_next_response_escalates_again(agent):
    ticket = create(agent)
    at(MONDAY_10 + timedelta(minutes=5), lambda: reply(ticket, agent))
    asked = MONDAY_10 + timedelta(minutes=10)
    at(asked, lambda: reply(ticket, agent, direction="inbound"))
    sweep(asked + timedelta(minutes=61))
    assert levels(ticket).count(("breach", "next_response")) == 1
    at(asked + timedelta(minutes=65), lambda: reply(ticket, agent))
    sweep(asked + timedelta(minutes=66))
    assert levels(ticket).count(("breach", "next_response")) == 1
    asked_again = asked + timedelta(minutes=70)
    at(asked_again, lambda: reply(ticket, agent, direction="inbound"))
    sweep(asked_again + timedelta(minutes=44))
    assert levels(ticket).count(("warn-75", "next_response")) == 1
    sweep(asked_again + timedelta(minutes=61))
    assert levels(ticket).count(("warn-75", "next_response")) == 2
    assert levels(ticket).count(("breach", "next_response")) == 2


def test_resolved_closed_and_waiting_tickets_are_not_escalated(agent):
    resolved, closed, waiting = create(agent), create(agent), create(agent)
    for ticket in (resolved, closed, waiting):
        at(MONDAY_10 + timedelta(minutes=5), lambda t=ticket: reply(t, agent))
    moment = MONDAY_10 + timedelta(minutes=10)
    at(moment, lambda: services.transition_ticket(
        ticket=resolved, to="resolved", actor=agent, resolution="Found it."))  # fmt: skip
    at(moment, lambda: services.transition_ticket(
        ticket=closed, to="resolved", actor=agent, resolution="Found it."))  # fmt: skip
    at(moment, lambda: services.transition_ticket(ticket=closed, to="closed", actor=agent))
    at(
        moment,
        lambda: services.transition_ticket(ticket=waiting, to="waiting_customer", actor=agent),
    )
    assert sweep(MONDAY_10 + timedelta(days=3)) == 0
    assert not Escalation.objects.exists()
    clocks = TicketClock.objects.filter(ticket__in=[resolved, closed, waiting])
    assert all(c.resolution_warn_at is None and c.first_response_warn_at is None for c in clocks)


def test_an_inactive_rule_is_ignored(agent, rules):
    EscalationRule.objects.filter(code="warn-75").update(is_active=False)
    ticket = create(agent)
    sweep(MONDAY_10 + timedelta(minutes=50))
    assert levels(ticket) == []
    sweep(MONDAY_10 + timedelta(minutes=61))
    assert levels(ticket) == [("breach", "first_response")]


def test_a_rule_for_one_target_and_another_percent(agent, rules):
    EscalationRule.objects.create(
        code="half-resolution", name_en="Half", name_zh="过半", position=5,
        target="resolution", at_percent=50, notify_assignee=True,
    )  # fmt: skip
    ticket = create(agent)
    at(MONDAY_10 + timedelta(minutes=5), lambda: reply(ticket, agent))
    sweep(MONDAY_10 + timedelta(minutes=119))
    assert levels(ticket) == []
    sweep(MONDAY_10 + timedelta(minutes=120))
    assert levels(ticket) == [("half-resolution", "resolution")]
    sweep(MONDAY_10 + timedelta(minutes=180))
    assert levels(ticket) == [("half-resolution", "resolution"), ("warn-75", "resolution")]


def test_the_sweep_is_a_task_of_the_schedule():
    from serviceloop.core.schedule import sweep_tasks

    assert "escalate_due_tickets" in sweep_tasks()


def test_the_timeline_shows_the_systems_note_once(agent, supervisor):
    ticket = create(agent)
    sweep(MONDAY_10 + timedelta(minutes=61))  # 75 % and the breach
    entries = timeline_of(ticket, user=agent)
    notes = [entry for entry in entries if entry.kind == "note"]
    assert [entry.actor for entry in notes] == ["The system", "The system"]
    assert "75% of the first response time is used" in notes[0].interaction.content
    assert not [entry for entry in entries if "ticket.escalated" in entry.sentence]
