"""What a change leaves for the worker goes with the change (decision 0016): on the database
queue the customer's acknowledgement task and the analytics' "recompute this ticket" mark are
written in the change's own transaction, so a process killed right after the commit loses
neither, and a change that rolls back leaves neither."""

import pytest
import redis
from django.db import transaction
from django.tasks import task
from django_tasks_db.models import DBTaskResult

from serviceloop.analytics.models import StaleTicket
from serviceloop.audit.models import AuditEvent
from serviceloop.customers.services import CustomerIdentity
from serviceloop.notifications import tasks as notification_tasks
from serviceloop.tickets import events
from serviceloop.tickets.models import Ticket
from tests.builders import make_ticket

from .conftest import TEST_REDIS_URL, database_url, run_django, use_queue

CUSTOMER = CustomerIdentity(email="li@example.com", language="en")


def _acknowledgements() -> list[list[int]]:
    rows = DBTaskResult.objects.filter(task_path__endswith=".send_customer_messages")
    return [row.args_kwargs["args"] for row in rows]


@pytest.fixture
def database_queue(settings, monkeypatch) -> None:
    use_queue(settings, "database")
    # the task bound to the queue this test configures (see test_leases)
    monkeypatch.setattr(
        notification_tasks,
        "send_customer_messages",
        task(notification_tasks.send_customer_messages.func),
    )


@pytest.mark.django_db
def test_the_task_and_the_mark_are_written_before_the_commit(
    database_queue, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # nothing runs "after the commit"
        ticket = make_ticket(agent, customer=CUSTOMER)
    created = AuditEvent.objects.get(action=events.TICKET_CREATED, ticket_id=ticket.pk)
    assert _acknowledgements() == [[created.pk]]
    assert StaleTicket.objects.filter(ticket_id=ticket.pk).exists()


@pytest.mark.django_db
def test_a_change_that_rolls_back_leaves_no_task_and_no_mark(database_queue, agent):
    with transaction.atomic():
        make_ticket(agent, customer=CUSTOMER)
        assert len(_acknowledgements()) == 1  # inside, the task is there
        transaction.set_rollback(True)
    assert not Ticket.objects.exists()
    assert _acknowledgements() == []
    assert not StaleTicket.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_process_killed_right_after_the_commit_leaves_the_acknowledgement_queued(agent):
    output = run_django(
        database_url(),
        """
        import os
        from django.db.backends.base.base import BaseDatabaseWrapper
        from serviceloop.accounts.models import User
        from serviceloop.customers.services import CustomerIdentity
        from tests.builders import make_ticket

        def killed(self):  # the process dies between its COMMIT and the after-commit work
            print(Ticket.objects.get().number, flush=True)
            os._exit(0)

        from serviceloop.tickets.models import Ticket
        BaseDatabaseWrapper.run_and_clear_commit_hooks = killed
        customer = CustomerIdentity(email="li@example.com")
        make_ticket(User.objects.get(username="agent"), customer=customer)
        print("not killed")
        """,
    )
    ticket = Ticket.objects.get()
    assert output == ticket.number
    created = AuditEvent.objects.get(action=events.TICKET_CREATED, ticket_id=ticket.pk)
    assert _acknowledgements() == [[created.pk]]
    assert StaleTicket.objects.filter(ticket_id=ticket.pk).exists()


@pytest.mark.django_db
def test_on_redis_the_task_is_enqueued_only_once_the_change_commits(
    settings, monkeypatch, agent, django_capture_on_commit_callbacks
):
    use_queue(settings, "redis")  # emptied
    monkeypatch.setattr(
        notification_tasks,
        "send_customer_messages",
        task(notification_tasks.send_customer_messages.func),
    )
    queued = redis.Redis.from_url(TEST_REDIS_URL)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_ticket(agent, customer=CUSTOMER)
    assert queued.llen("rq:queue:default") == 0  # a worker would not find the ticket yet
    for callback in callbacks:
        callback()
    assert queued.llen("rq:queue:default") == 1
