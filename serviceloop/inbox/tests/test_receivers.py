"""What the audit trail's `committed` signal leads to: the assignee hears of an assignment
and of a customer's message, through a task run after the change committed."""

import pytest
from django.db import transaction

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.inbox import queries
from serviceloop.inbox.models import Kind, Notification
from serviceloop.inbox.tasks import notify_about_event
from serviceloop.tickets import services
from tests.builders import make_ticket, make_user


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run what is enqueued on commit (the tasks run in process: see the root conftest)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def customer_user(team):
    return make_user(Role.CUSTOMER, username="li.wei", full_name="李伟")


def test_the_new_assignee_is_told(agent, supervisor, after_commit):
    ticket = make_ticket(supervisor)

    with after_commit():
        services.assign_ticket(ticket=ticket, assignee=agent, actor=supervisor)

    (notification,) = Notification.objects.filter(recipient=agent)
    assert (notification.kind, notification.ticket_id) == (Kind.ASSIGNED, ticket.pk)
    assert notification.urgent is False
    assert queries.unread_count(agent) == 1
    assert not Notification.objects.exclude(recipient=agent).exists()


def test_taking_a_ticket_oneself_tells_nobody(agent, after_commit):
    ticket = make_ticket(agent)

    with after_commit():
        services.assign_ticket(ticket=ticket, assignee=agent, actor=agent)

    assert AuditEvent.objects.filter(action="ticket.assigned").exists()
    assert not Notification.objects.exists()


def test_unassigning_tells_nobody(agent, supervisor, after_commit):
    ticket = make_ticket(supervisor, assignee=agent.pk)

    with after_commit():  # (the creation above never commits: it tells nobody)
        services.assign_ticket(ticket=ticket, assignee=None, actor=supervisor)

    assert AuditEvent.objects.filter(action="ticket.assigned").exists()
    assert not Notification.objects.exists()


def test_a_ticket_created_for_somebody_else_tells_them(agent, supervisor, after_commit):
    with after_commit():
        ticket = make_ticket(supervisor, assignee=agent.pk)

    (notification,) = Notification.objects.all()
    assert (notification.recipient_id, notification.kind) == (agent.pk, Kind.ASSIGNED)
    assert notification.ticket_id == ticket.pk


def test_a_customers_message_tells_the_assignee(agent, customer_user, after_commit):
    ticket = make_ticket(customer_user)
    services.assign_ticket(ticket=ticket, assignee=agent, actor=agent)

    with after_commit():
        services.add_interaction(
            ticket=ticket, actor=customer_user, content="Any news about my parcel?"
        )

    (notification,) = Notification.objects.all()
    assert (notification.recipient_id, notification.kind) == (agent.pk, Kind.CUSTOMER_REPLIED)
    assert notification.ticket_id == ticket.pk


def test_a_message_on_an_unassigned_ticket_tells_nobody(customer_user, team, after_commit):
    ticket = make_ticket(customer_user)

    with after_commit():
        services.add_interaction(ticket=ticket, actor=customer_user, content="Hello?")

    assert not Notification.objects.exists()


def test_staff_recording_the_customers_call_tells_nobody(agent, teammate, after_commit):
    ticket = make_ticket(agent, assignee=teammate.pk)  # never committed: tells nobody

    with after_commit():
        services.add_interaction(
            ticket=ticket,
            actor=agent,
            content="The customer called about the parcel",
            channel="phone",
            direction="inbound",
        )
        services.add_interaction(
            ticket=ticket, actor=agent, content="Courier blames the weather", is_internal=True
        )
        services.add_interaction(ticket=ticket, actor=agent, content="We sent a new parcel")

    assert not Notification.objects.exists()


def test_running_the_task_twice_tells_once(agent, supervisor, after_commit):
    ticket = make_ticket(supervisor)
    with after_commit():
        services.assign_ticket(ticket=ticket, assignee=agent, actor=supervisor)
    event = AuditEvent.objects.filter(action="ticket.assigned").latest("id")

    notify_about_event.call(event.pk)

    assert Notification.objects.filter(recipient=agent).count() == 1


def test_a_stale_assignment_tells_nobody(agent, teammate, supervisor):
    ticket = make_ticket(supervisor)
    services.assign_ticket(ticket=ticket, assignee=agent, actor=supervisor)
    event = AuditEvent.objects.filter(action="ticket.assigned").latest("id")
    services.assign_ticket(ticket=ticket, assignee=teammate, actor=supervisor)

    assert notify_about_event.call(event.pk) == 0  # the worker got to it late

    assert not Notification.objects.filter(recipient=agent).exists()


def test_nothing_is_told_when_the_change_rolls_back(agent, supervisor, after_commit):
    ticket = make_ticket(supervisor)

    with after_commit(), pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012
        services.assign_ticket(ticket=ticket, assignee=agent, actor=supervisor)
        raise RuntimeError("rolled back")

    assert not Notification.objects.exists()
