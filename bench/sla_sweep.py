"""One escalation sweep over 100,000 open tickets of the benchmark database, timed.

Inside one transaction that is rolled back at the end (the database stays as it was):

- every ticket gets an SLA clock (the generator writes none): the resolved and closed ones
  decided, with no running target (what `sla.services` leaves behind them), and OPEN_TICKETS
  open ones running under a calendar-time policy, of which every `DUE_EVERY`-th has just
  passed 75 % of its first-response time (the "warn-75" level is due: ~100 escalations,
  see DUE_EVERY) and the others are due later;
- the escalation rules of the data migration are made if none is active;
- one full sweep runs (`sla.escalation.escalate_due_tickets`): what it finds with its
  indexed queries, and everything it does for the due ones (claims, audit events, notes,
  notifications); then a second sweep that finds nothing new (the cost of looking alone).

`measure(database_url)` returns {"sla_sweep_100k_s": seconds of the first sweep, ...}.
"""

import json
import sys
import time
from datetime import timedelta
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))

from bench.config import database_url as default_database_url
from bench.django_env import close_django_connections, setup_django

OPEN_TICKETS = 100_000
# 1 in 1,000 open tickets reaches a level: ~100 escalations in the sweep, what a sweep every
# SWEEP_SECONDS (60) meets in steady state: 100,000 open tickets x ~4 levels each over a
# life of ~3 days (4,320 minutes) is ~90 levels a minute. `due_every=100` times 1,000.
DUE_EVERY = 1000


class _Rollback(Exception):
    pass


def _prepare(now: Any, open_tickets: int, due_every: int) -> dict[str, int]:
    import importlib

    from django.apps import apps
    from django.db import connection

    from serviceloop.sla.models import EscalationRule, SlaPolicy

    if not EscalationRule.objects.filter(is_active=True).exists():
        rules = importlib.import_module("serviceloop.sla.migrations.0007_default_escalation_rules")
        rules.create_rules(apps, None)
    policy = SlaPolicy.objects.create(
        code="bench-sweep", name_en="Bench sweep", name_zh="基准", position=0,
        first_response_minutes=60, next_response_minutes=60, resolution_minutes=3 * 24 * 60,
        business_time=False,
    )  # fmt: skip
    columns = (
        "ticket_id, policy_id, first_response_due, next_response_due, next_response_from,"
        " resolution_due, paused_at, paused_minutes, first_response_breached,"
        " next_response_breached, resolution_breached, first_response_warn_at,"
        " next_response_warn_at, resolution_warn_at"
    )
    upsert = (
        " ON CONFLICT (ticket_id) DO UPDATE SET policy_id = EXCLUDED.policy_id,"
        " first_response_due = EXCLUDED.first_response_due, next_response_due = NULL,"
        " resolution_due = EXCLUDED.resolution_due, paused_at = EXCLUDED.paused_at,"
        " first_response_breached = EXCLUDED.first_response_breached,"
        " resolution_breached = EXCLUDED.resolution_breached,"
        " first_response_warn_at = EXCLUDED.first_response_warn_at,"
        " next_response_warn_at = NULL, resolution_warn_at = EXCLUDED.resolution_warn_at"
    )
    with connection.cursor() as cursor:
        # open tickets: running targets, every due_every-th one at its 75 % warning
        cursor.execute(
            f"""WITH chosen AS (
                    SELECT id, row_number() OVER (ORDER BY id) AS n FROM tickets_ticket
                     WHERE status IN ('new', 'in_progress', 'waiting_customer')
                     ORDER BY id LIMIT %(open)s)
                INSERT INTO sla_ticketclock ({columns})
                SELECT id, %(policy)s,
                       CASE WHEN n %% %(every)s = 0 THEN %(now)s + interval '10 minutes'
                            ELSE %(now)s + interval '1 day' END,
                       NULL, NULL, %(now)s + interval '2 days', NULL, 0, NULL, false, NULL,
                       CASE WHEN n %% %(every)s = 0 THEN %(now)s - interval '5 minutes'
                            ELSE %(now)s + interval '18 hours' END,
                       NULL, %(now)s + interval '36 hours'
                  FROM chosen {upsert}""",
            {"open": open_tickets, "policy": policy.pk, "every": due_every, "now": now},
        )
        running = cursor.rowcount
        # resolved and closed tickets: decided, no running target
        cursor.execute(
            f"""INSERT INTO sla_ticketclock ({columns})
                SELECT t.id, %(policy)s, t.created_at + interval '1 hour', NULL, NULL,
                       t.created_at + interval '3 days', coalesce(t.resolved_at, t.closed_at),
                       0, false, false, false, NULL, NULL, NULL
                  FROM tickets_ticket t
                 WHERE NOT EXISTS (SELECT 1 FROM sla_ticketclock c WHERE c.ticket_id = t.id)
                   AND t.status IN ('resolved', 'closed')
                {upsert}""",
            {"policy": policy.pk},
        )
        decided = cursor.rowcount
        cursor.execute(
            """UPDATE sla_ticketclock SET first_response_warn_at = NULL,
                      next_response_warn_at = NULL, resolution_warn_at = NULL
                WHERE policy_id IS DISTINCT FROM %s""",
            [policy.pk],
        )
        cursor.execute("ANALYZE sla_ticketclock")
        cursor.execute("SELECT count(*) FROM tickets_ticket")
        total = int(cursor.fetchone()[0])
    return {"running": running, "decided": decided, "tickets": total}


def measure(
    database_url: str, *, open_tickets: int = OPEN_TICKETS, due_every: int = DUE_EVERY
) -> dict[str, Any]:
    """Time one escalation sweep over `open_tickets` open tickets with running SLA clocks
    (1 in `due_every` at a level) on the benchmark database; nothing stays changed."""
    setup_django(database_url)
    from django.db import transaction

    from serviceloop.core import clock
    from serviceloop.sla import services as sla
    from serviceloop.sla.escalation import escalate_due_tickets

    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            now = clock.now()
            counts = _prepare(now, open_tickets, due_every)
            sla.forget()
            started = time.perf_counter()
            escalated = escalate_due_tickets(now=now + timedelta(seconds=1))
            seconds = time.perf_counter() - started
            started = time.perf_counter()
            again = escalate_due_tickets(now=now + timedelta(seconds=2))
            idle = time.perf_counter() - started
            result = {
                "sla_sweep_100k_s": round(seconds, 3),
                "sla_sweep_idle_100k_s": round(idle, 4),
                "sla_sweep_escalated": escalated,
                "sla_sweep_per_escalation_ms": round(
                    1000 * (seconds - idle) / max(escalated, 1), 2
                ),
                "sla_sweep_escalated_again": again,
                "sla_sweep_open_running": counts["running"],
                "sla_sweep_tickets": counts["tickets"],
            }
            raise _Rollback
    except _Rollback:
        pass
    finally:
        # the ANALYZE above saw the rolled-back clocks: statistics of the table as it is
        # again, or the planner would read the queue's "breaching soon" view by a bad plan
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE sla_ticketclock")
        close_django_connections()
    return result


def main() -> None:
    print(json.dumps(measure(default_database_url()), indent=2))


if __name__ == "__main__":
    main()
