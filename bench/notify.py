"""Notification latency: from the commit of a new ticket to its acknowledgement arriving at
an SMTP server, through the real queue and a real, otherwise idle `serviceloop worker`.

    .venv/bin/python bench/notify.py [--tickets 200] [--spacing 0.2] [--database-url URL]

Without --database-url (or NOTIFY_DATABASE_URL) a fresh SQLite database in a temporary
folder is used; a PostgreSQL URL must name an existing database (it is migrated). The
driver creates the tickets one by one through `create_ticket`, `--spacing` seconds apart on
average (jittered, so that commits fall anywhere in the worker's poll cycle), stamps each
commit, and an aiosmtpd server in the driver's process stamps each mail's arrival (the same
clock). Reports notify_p99_s (target: at most 2 s) with p50, max and counts.

`measure(...)` runs the same in a child process (Django set up afresh) and returns the dict.
"""

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/notify.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

REPO_DIR = Path(__file__).resolve().parent.parent
TARGET_P99_S = 2.0
HEADER = "X-Serviceloop-Ticket"  # the ticket number each customer mail carries


def measure(
    *, tickets: int = 200, spacing: float = 0.2, database_url: str | None = None
) -> dict[str, Any]:
    """Run the measurement in a child process; {"notify_p99_s": ..., ...}."""
    command = [sys.executable, "-m", "bench.notify", "--json", "--tickets", str(tickets)]
    command += ["--spacing", str(spacing)]
    if database_url:
        command += ["--database-url", database_url]
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        command, cwd=REPO_DIR, env=env, capture_output=True, text=True, check=False, timeout=900
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench/notify.py failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share 0.99: the value 99 % of the values are at or below)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _configure(database_url: str | None, data_dir: Path, smtp_port: int) -> dict[str, str]:
    """Environment of this process and of the worker; returns the worker's."""
    if not database_url:
        database_url = f"sqlite:///{data_dir / 'notify.sqlite3'}"
    values = {
        "DATABASE_URL": database_url,
        "DATA_DIR": str(data_dir),
        "DEBUG": "0",
        "TASKS_BACKEND": "database",
        "SWEEP_SECONDS": "3600",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "serviceloop.settings",
    }
    os.environ.update(values)
    os.environ.pop("REDIS_URL", None)
    return {key: value for key, value in os.environ.items() if key != "REDIS_URL"}


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "serviceloop", "worker", "--no-sweeps"],
            cwd=REPO_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip


def run(*, tickets: int, spacing: float, database_url: str | None) -> dict[str, Any]:
    """The measurement in this process (Django must not be set up yet)."""
    from serviceloop.notifications.tests.smtp import smtp_sink

    with tempfile.TemporaryDirectory(prefix="serviceloop-notify-") as folder, smtp_sink() as sink:
        env = _configure(database_url, Path(folder), sink.port)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        _drop_waiting_tasks()
        agent = _bench_agent()
        started_at = datetime.now(UTC)
        worker = _start_worker(env, Path(folder) / "worker.log")
        try:
            # warm-up: the worker has started polling and sent one mail (DNS name lookup)
            warm_up = _create_ticket(agent, "warm-up")
            sink.wait_for_header(HEADER, {warm_up}, timeout=60)
            committed = _create_tickets(agent, tickets, spacing)
            sink.wait_for_header(HEADER, set(committed), timeout=60 + tickets * 0.5)
        except AssertionError:
            raise RuntimeError(
                "mails missing; worker log:\n" + (Path(folder) / "worker.log").read_text()
            ) from None
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        arrived = {str(mail.message[HEADER]): mail.at for mail in sink.received}
        queue_times = _queue_times(started_at)
        from django.db import connections

        engine = connections["default"].vendor
        connections.close_all()
    latencies = [arrived[number] - at for number, at in committed.items()]
    return {
        "notify_p99_s": round(percentile(latencies, 0.99), 3),
        "notify_p50_s": round(percentile(latencies, 0.50), 3),
        "notify_max_s": round(max(latencies), 3),
        **queue_times,
        "notify_count": len(latencies),
        "notify_database": engine,
    }


def _drop_waiting_tasks() -> None:
    """The benchmark's database holds the mail tasks of the tickets the HTTP benchmark
    created with no worker running: drop those not run yet, so that the worker is idle."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status=TaskResultStatus.READY).delete()


def _queue_times(since: datetime) -> dict[str, float]:
    """Of the notification tasks: the wait in the queue (enqueue -> a worker starts it) and the
    run time (rendering, database, SMTP), p99 each."""
    from django_tasks_db.models import DBTaskResult

    waits, runs = [], []
    for enqueued, started, finished in DBTaskResult.objects.filter(
        task_path="serviceloop.notifications.tasks.send_customer_messages",
        enqueued_at__gte=since, started_at__isnull=False, finished_at__isnull=False,
    ).values_list("enqueued_at", "started_at", "finished_at"):  # fmt: skip
        waits.append((started - enqueued).total_seconds())
        runs.append((finished - started).total_seconds())
    return {
        "notify_queue_wait_p99_s": round(percentile(waits, 0.99), 3),
        "notify_task_run_p99_s": round(percentile(runs, 0.99), 3),
    }


def _bench_agent() -> Any:
    from serviceloop.accounts.choices import Role
    from serviceloop.accounts.models import Team, TeamMembership, User

    team, _created = Team.objects.get_or_create(
        code="notify-bench", defaults={"name_en": "Notify bench", "name_zh": "通知基准"}
    )
    user, created = User.objects.get_or_create(
        username="notify-bench-agent",
        defaults={"role": Role.AGENT, "full_name": "Bench", "email": "agent@example.com"},
    )
    if created:
        TeamMembership.objects.create(user=user, team=team)
    return user


def _create_ticket(agent: Any, text: str, stamps: dict[str, float] | None = None) -> str:
    from django.db import transaction

    from serviceloop.customers.services import CustomerIdentity, create_customer
    from serviceloop.tickets.services import TicketDraft, create_ticket

    number = random.randrange(10**12)  # a customer of its own: no duplicate guard
    email = f"notify-{number}@example.com"
    # a known customer whose address staff confirmed: mail goes to verified addresses only
    create_customer(
        actor=agent, name=f"Notify {number}", email=email, language="en",
        confirmation="bench: a registered customer",
    )  # fmt: skip
    draft = TicketDraft(
        description=f"Parcel {text} has not arrived ({number})",
        customer=CustomerIdentity(email=email, language="en"),
        team="notify-bench",
    )
    holder: dict[str, float] = {}
    with transaction.atomic():
        # first in the on-commit queue: stamped right after COMMIT, before the enqueue
        transaction.on_commit(lambda: holder.setdefault("at", time.time()))
        ticket = create_ticket(actor=agent, draft=draft).ticket
    if stamps is not None:
        stamps[ticket.number] = holder["at"]
    return ticket.number


def _create_tickets(agent: Any, count: int, spacing: float) -> dict[str, float]:
    stamps: dict[str, float] = {}
    for index in range(count):
        _create_ticket(agent, str(index), stamps)
        time.sleep(random.uniform(0, 2 * spacing))
    return stamps


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--spacing", type=float, default=0.2, help="mean seconds between")
    parser.add_argument(
        "--database-url", default=os.environ.get("NOTIFY_DATABASE_URL", ""),
        help="PostgreSQL database to use (default: SQLite in a temporary folder)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print only the result as JSON")
    args = parser.parse_args()
    result = run(tickets=args.tickets, spacing=args.spacing, database_url=args.database_url)
    if args.json:
        print(json.dumps(result))
        return 0
    for key, value in result.items():
        print(f"{key:24} {value}")
    ok = result["notify_p99_s"] <= TARGET_P99_S
    print(f"target notify_p99_s <= {TARGET_P99_S}: {'met' if ok else 'MISSED'}")
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
