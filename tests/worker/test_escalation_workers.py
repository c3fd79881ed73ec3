"""Two workers escalating at once on PostgreSQL (where SKIP LOCKED lets them share the work):
10,000 due tickets, each escalated exactly once. Marked `postgres`: it runs in the
test-postgres`) only; SQLite lets one writer in at a time, which the sla tests cover."""

import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import connection
from django.db.models import Count

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock
from serviceloop.sla.models import Escalation, SlaPolicy, TicketClock
from serviceloop.tickets.models import Ticket
from tests.builders import make_customer, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
TICKETS = 10_000

WORKER = textwrap.dedent(
    """
    import os, sys, time
    import django
    django.setup()
    from serviceloop.sla.escalation import escalate_due_tickets
    start = sys.argv[1]
    while not os.path.exists(start):
        time.sleep(0.01)
    print(escalate_due_tickets(batch=100))
    """
)


def _database_url() -> str:
    db = connection.settings_dict
    user = f"{db['USER']}:{db['PASSWORD']}@" if db["PASSWORD"] else f"{db['USER']}@"
    return f"postgres://{user}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _due_tickets(team, agent) -> list[int]:
    """TICKETS open tickets 50 minutes into a 60-minute first-response target: the 75 %
    warning is due for each, nothing else."""
    import importlib

    rules = importlib.import_module("serviceloop.sla.migrations.0007_default_escalation_rules")
    rules.create_rules(apps, None)
    policy = SlaPolicy.objects.create(
        code="workers", name_en="Workers", name_zh="并发", first_response_minutes=60,
        next_response_minutes=60, resolution_minutes=24 * 60, business_time=False,
    )  # fmt: skip
    customer = make_customer("Li Wei")
    created = clock.now() - timedelta(minutes=50)
    tickets = Ticket.objects.bulk_create(
        Ticket(
            number=f"CS-W-{n:06d}", subject="Parcel late", description=f"Parcel {n} late",
            kind="inquiry", urgency="medium", channel="web", status="new", team=team,
            assignee=agent, customer=customer, content_hash=f"{n:064d}",
            created_at=created, updated_at=created,
        )
        for n in range(TICKETS)
    )  # fmt: skip
    TicketClock.objects.bulk_create(
        TicketClock(
            ticket=ticket, policy=policy,
            first_response_due=created + timedelta(minutes=60),
            first_response_warn_at=created + timedelta(minutes=45),
            resolution_due=created + timedelta(hours=24),
            resolution_warn_at=created + timedelta(hours=18),
        )
        for ticket in tickets
    )  # fmt: skip
    return [ticket.pk for ticket in tickets]


def test_two_workers_escalate_every_due_ticket_exactly_once(team, tmp_path):
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL: run it with make test-postgres")
    agent = make_user(Role.AGENT, username="agent", teams=[team])
    ids = _due_tickets(team, agent)
    start = tmp_path / "start"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DATA_DIR": str(django_settings.DATA_DIR),
        "DJANGO_SETTINGS_MODULE": "serviceloop.settings",
        "TASKS_BACKEND": "immediate",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(start)],
            cwd=ROOT,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    start.touch()  # both start together
    counts = []
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err
        counts.append(int(out.strip().splitlines()[-1]))

    assert sum(counts) == TICKETS
    assert all(count > 0 for count in counts), f"one worker took all the work: {counts}"
    logs = Escalation.objects.filter(ticket_id__in=ids)
    assert logs.count() == TICKETS
    assert set(logs.values_list("rule__code", "target").distinct()) == {
        ("warn-75", "first_response")
    }
    assert not logs.values("ticket_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    events = AuditEvent.objects.filter(action="ticket.escalated", ticket_id__in=ids)
    assert events.count() == TICKETS
    assert events.values("ticket_id").distinct().count() == TICKETS
