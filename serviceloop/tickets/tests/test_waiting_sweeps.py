"""Waiting on the customer: the wait counts from entering waiting_customer; after
WAITING_REMINDER_DAYS the customer is reminded once, after WAITING_RESOLVE_DAYS the ticket is
resolved by the system in the customer's language; a reply ends the wait."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.customers.models import Customer
from serviceloop.tickets.choices import Status
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.services import add_interaction, transition_ticket
from serviceloop.tickets.services.sweeps import (
    auto_resolve_text,
    remind_waiting_customers,
    resolve_unanswered_tickets,
)
from serviceloop.tickets.tasks import remind_waiting, resolve_unanswered
from tests.builders import make_user

from .given import ticket_in

ASKED = datetime(2031, 5, 5, 9, 0, tzinfo=UTC)  # the agent asked the customer a question
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _three_then_seven(settings):
    settings.WAITING_REMINDER_DAYS = 3
    settings.WAITING_RESOLVE_DAYS = 7
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def customer_user(team):
    return make_user(Role.CUSTOMER, username="li-wei")


@pytest.fixture
def waiting(agent, customer_user):
    with time_machine.travel(ASKED, tick=False):
        return ticket_in("waiting_customer", agent=agent, customer_id=customer_user.customer.pk)


def stored(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_entering_waiting_customer_starts_the_wait(waiting):
    assert stored(waiting).waiting_since == ASKED
    assert stored(waiting).waiting_reminded_at is None


def test_the_customer_is_reminded_once_after_the_reminder_days(waiting):
    assert remind_waiting_customers(now=ASKED + 3 * DAY) == 0, "exactly 3 days is not past"
    at = ASKED + 3 * DAY + timedelta(seconds=1)
    assert remind_waiting_customers(now=at) == 1
    assert remind_waiting_customers(now=at + DAY) == 0, "never twice in one wait"

    after = stored(waiting)
    assert (after.status, after.waiting_reminded_at) == (Status.WAITING_CUSTOMER, at)
    assert after.version == waiting.version, "a reminder does not change the ticket"
    event = AuditEvent.objects.filter(action="ticket.customer_reminded").get()
    assert (event.actor_id, event.ticket_id, event.occurred_at) == (None, waiting.pk, at)
    assert event.after["days"] == 3


def test_after_the_resolve_days_the_system_resolves_it_then_nothing_more(waiting):
    remind_waiting_customers(now=ASKED + 4 * DAY)
    assert resolve_unanswered_tickets(now=ASKED + 7 * DAY) == 0
    at = ASKED + 7 * DAY + timedelta(seconds=1)

    assert resolve_unanswered_tickets(now=at) == 1
    events = AuditEvent.objects.count()
    assert resolve_unanswered_tickets(now=at + DAY) == 0
    assert remind_waiting_customers(now=at + DAY) == 0
    assert AuditEvent.objects.count() == events

    after = stored(waiting)
    assert (after.status, after.resolved_at) == (Status.RESOLVED, at)
    assert after.resolution == "Resolved automatically: no answer within 7 days."
    assert (after.waiting_since, after.waiting_reminded_at) == (None, None)
    event = AuditEvent.objects.filter(ticket_id=waiting.pk, action="ticket.transitioned").latest(
        "id"
    )
    assert event.actor_id is None
    assert (event.before["status"], event.after["status"]) == ("waiting_customer", "resolved")


def test_the_resolution_is_in_the_customers_language(waiting, customer_user, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    Customer.objects.filter(pk=customer_user.customer.pk).update(language="en")
    resolve_unanswered_tickets(now=ASKED + 8 * DAY)
    assert stored(waiting).resolution == "Resolved automatically: no answer within 7 days."


def test_without_a_language_of_the_customer_the_site_language_is_used(waiting, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    resolve_unanswered_tickets(now=ASKED + 8 * DAY)
    assert stored(waiting).resolution == auto_resolve_text(7, "zh-hans")


def test_the_sentence_has_a_chinese_translation():
    assert auto_resolve_text(7, "zh-hans") == "已自动解决：7 天内未收到您的答复。"
    assert auto_resolve_text(1, "en") == "Resolved automatically: no answer within 1 day."


def test_a_reply_while_waiting_ends_the_wait(waiting, customer_user):
    with time_machine.travel(ASKED + 2 * DAY, tick=False):
        add_interaction(ticket=waiting, actor=customer_user, content="Here is the photo")
    after = stored(waiting)
    assert (after.status, after.waiting_since) == (Status.IN_PROGRESS, None)

    assert remind_waiting_customers(now=ASKED + 30 * DAY) == 0
    assert resolve_unanswered_tickets(now=ASKED + 30 * DAY) == 0
    assert stored(waiting).status == Status.IN_PROGRESS


def test_a_new_wait_counts_afresh_and_may_be_reminded_again(waiting, agent):
    remind_waiting_customers(now=ASKED + 4 * DAY)
    with time_machine.travel(ASKED + 5 * DAY, tick=False):
        transition_ticket(ticket=waiting, to=Status.IN_PROGRESS, actor=agent)
        transition_ticket(ticket=waiting, to=Status.WAITING_CUSTOMER, actor=agent)
    after = stored(waiting)
    assert (after.waiting_since, after.waiting_reminded_at) == (ASKED + 5 * DAY, None)

    assert resolve_unanswered_tickets(now=ASKED + 9 * DAY) == 0, "only 4 days this time"
    assert remind_waiting_customers(now=ASKED + 9 * DAY) == 1


def test_other_statuses_are_left_alone(agent):
    with time_machine.travel(ASKED, tick=False):
        others = [ticket_in(status, agent=agent) for status in ("new", "in_progress", "resolved")]
    assert remind_waiting_customers(now=ASKED + 30 * DAY) == 0
    assert resolve_unanswered_tickets(now=ASKED + 30 * DAY) == 0
    assert [stored(t).status for t in others] == ["new", "in_progress", "resolved"]


def test_it_handles_all_due_tickets_in_batches(agent):
    with time_machine.travel(ASKED, tick=False):
        tickets = [ticket_in("waiting_customer", agent=agent) for _ in range(5)]
    assert remind_waiting_customers(now=ASKED + 4 * DAY, batch=2) == 5
    assert resolve_unanswered_tickets(now=ASKED + 8 * DAY, batch=2) == 5
    assert {stored(t).status for t in tickets} == {Status.RESOLVED}


def test_the_tasks_run_the_sweeps(waiting, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with time_machine.travel(ASKED + 4 * DAY, tick=False):
        assert remind_waiting.enqueue().return_value == 1
    with time_machine.travel(ASKED + 8 * DAY, tick=False):
        assert resolve_unanswered.enqueue().return_value == 1
    assert stored(waiting).status == Status.RESOLVED
