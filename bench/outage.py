"""PostgreSQL restarts under load: no acknowledged ticket is lost, and the worker is back soon.

    .venv/bin/python bench/outage.py [--smoke] [--json]

On a PostgreSQL server of its own (tests/pgcluster.py: initdb in a temporary folder, a free
port) it migrates a fresh database and starts gunicorn (2 sync workers) and a
`serviceloop worker` (database queue, SWEEP_SECONDS=2) on it. CLIENTS threads create tickets
with `POST /api/v1/tickets`, each with an Idempotency-Key of its own, and retry like a real
client: on a connection error or a 5xx, the same request with the same key after the
Retry-After the server sent (else 0.2 s, doubling up to 2 s), for up to a minute. During the
load the server is restarted twice: a fast shutdown, then an immediate one (the server
processes killed: recovery from the WAL, as after a crash), each down for DOWN seconds.

- create_during_pg_restart_lost (target 0): tickets a client was told exist (201, or a
  replay of its key) that are not in the database afterwards; with
  create_during_pg_restart_duplicates, tickets created twice for one key (0).
- worker_recovery_s (target <= 10): from the moment the server accepts connections again to
  the end of the next sweep the worker runs; the worse of the two restarts.

`measure(smoke=...)` runs it in a child process (Django set up afresh) and returns the dict.
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/outage.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

from .config import REPO_DIR, TMP_DIR
from .server import Gunicorn

CLIENTS = 4
GIVE_UP_S = 60.0
TARGET_LOST = 0
TARGET_RECOVERY_S = 10.0


def measure(*, smoke: bool = False) -> dict[str, Any]:
    """Run the measurement in a child process; {"create_during_pg_restart_lost": ..., ...}."""
    command = [sys.executable, "-m", "bench.outage", "--json", *(["--smoke"] if smoke else [])]
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        command, cwd=REPO_DIR, env=env, capture_output=True, text=True, check=False, timeout=900
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench/outage.py failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@dataclass
class Tally:
    """What the clients saw; one lock for all of them."""

    acknowledged: dict[str, str] = field(default_factory=dict)  # key -> ticket number
    requests: int = 0
    retries: int = 0
    unavailable: int = 0  # 503 answers
    refused: int = 0  # connection errors
    other: dict[int, int] = field(default_factory=dict)  # other statuses
    abandoned: int = 0  # gave up after GIVE_UP_S
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client(threading.Thread):
    """Creates tickets one after the other until stopped; retries each until answered."""

    def __init__(self, port: int, token: str, tally: Tally, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.tally, self.stop = port, token, tally, stop

    def run(self) -> None:
        while not self.stop.is_set():
            self.create_one()

    def create_one(self) -> None:
        key = str(uuid.uuid4())
        body = json.dumps(
            {
                "description": f"Parcel late, restart bench (key {key})",
                "customer": {"email": f"restart-{key[:8]}@example.com"},
            }
        )
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.token}",
            "Idempotency-Key": key,
        }
        started, pause = time.monotonic(), 0.2
        while True:
            status, retry_after, number = self.post(body, headers)
            with self.tally.lock:
                self.tally.requests += 1
                if status in (200, 201) and number:
                    self.tally.acknowledged[key] = number
                    return
                if status == 503:
                    self.tally.unavailable += 1
                elif status == 0:
                    self.tally.refused += 1
                elif status < 500:  # a client error: not worth retrying
                    self.tally.other[status] = self.tally.other.get(status, 0) + 1
                    return
                else:
                    self.tally.other[status] = self.tally.other.get(status, 0) + 1
                if time.monotonic() - started > GIVE_UP_S:
                    self.tally.abandoned += 1
                    return
                self.tally.retries += 1
            time.sleep(min(retry_after, 5.0) if retry_after else pause)
            pause = min(2.0, pause * 2)

    def post(self, body: str, headers: dict[str, str]) -> tuple[int, float, str]:
        """(status, Retry-After seconds, ticket number); status 0: no answer."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("POST", "/api/v1/tickets", body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            retry_after = float(response.getheader("Retry-After") or 0)
            number = ""
            if response.status in (200, 201):
                number = str(json.loads(data).get("number", ""))
            return response.status, retry_after, number
        except (OSError, http.client.HTTPException):
            return 0, 0.0, ""
        finally:
            connection.close()


def _setup(url: str, data_dir: Path) -> str:
    """Migrate the database, make an agent of a default team; an API token of theirs."""
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DATA_DIR": str(data_dir),
            "DEBUG": "0",
            "TASKS_BACKEND": "database",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "serviceloop.settings",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from serviceloop.accounts.choices import Role
    from serviceloop.accounts.models import Team, TeamMembership, User
    from serviceloop.accounts.services import issue_token

    call_command("migrate", interactive=False, verbosity=0)
    team = Team.objects.create(code="restart", name_en="Restart", name_zh="重启", is_default=True)
    agent = User.objects.create(username="restart-agent", role=Role.AGENT, full_name="Bench")
    TeamMembership.objects.create(user=agent, team=team)
    _token, secret = issue_token(user=agent, name="restart bench", actor=None)
    connections.close_all()
    return secret


def _start_worker(url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "SWEEP_SECONDS": "2", "LOG_LEVEL": "WARNING"}
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "serviceloop", "worker"],
            cwd=REPO_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip


def _sweep_finished_since(url: str, since: datetime) -> bool:
    import psycopg

    from serviceloop.core.schedule import SWEEPS

    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            row = conn.execute(
                "SELECT 1 FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"
                " AND finished_at > %s AND task_path = ANY(%s) LIMIT 1",
                [since, list(SWEEPS.values())],
            ).fetchone()
    except psycopg.OperationalError:
        return False
    return row is not None


def _wait_for_sweep(url: str, since: datetime, timeout: float = 120) -> float:
    started = time.monotonic()
    while not _sweep_finished_since(url, since):
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"no sweep ran within {timeout} s of the database's return")
        time.sleep(0.05)
    return time.monotonic() - started


def _in_database(url: str, numbers: list[str]) -> tuple[set[str], int]:
    """The numbers found, and tickets beyond one per key of this run."""
    import psycopg

    with psycopg.connect(url) as conn:
        found = {
            row[0]
            for row in conn.execute(
                "SELECT number FROM tickets_ticket WHERE number = ANY(%s)", [numbers]
            )
        }
        row = conn.execute(
            "SELECT count(*) - count(DISTINCT substring(description from 'key ([0-9a-f-]+)'))"
            " FROM tickets_ticket WHERE description LIKE 'Parcel late, restart bench%'"
        ).fetchone()
    return found, int(row[0]) if row else 0


def run(*, smoke: bool) -> dict[str, Any]:
    """The measurement in this process (Django must not be set up yet)."""
    down, between = (1.0, 2.0) if smoke else (2.0, 5.0)
    with tempfile.TemporaryDirectory(prefix="serviceloop-restart-") as data_dir:
        return _measure(Path(data_dir), down=down, between=between)


class RestartGunicorn(Gunicorn):
    """gunicorn as the other steps run it, with a log of its own."""

    @property
    def log_path(self) -> Path:
        return TMP_DIR / "gunicorn-restart.log"


def _measure(folder: Path, *, down: float, between: float) -> dict[str, Any]:
    from tests.pgcluster import PostgresCluster, free_port

    # fsync off: the server's processes are stopped and killed, not the machine, so what a
    # commit wrote to the WAL (synchronous_commit stays on) is in the system's cache either way
    with PostgresCluster.create() as cluster:
        url = cluster.create_database("serviceloop_restart")
        token = _setup(url, folder)
        tally, stop = Tally(), threading.Event()
        clients = [Client(0, token, tally, stop) for _ in range(CLIENTS)]
        server = RestartGunicorn(url, workers=2, port=free_port())
        worker = _start_worker(url, folder / "worker.log")
        recovery: dict[str, float] = {}
        try:
            with server:
                for client in clients:
                    client.port = server.port
                    client.start()
                _wait_for_sweep(url, datetime.now(UTC))  # the worker is up
                time.sleep(between)
                for mode in ("fast", "immediate"):
                    cluster.restart(mode=mode, down_seconds=down)
                    up = datetime.now(UTC)
                    recovery[mode] = _wait_for_sweep(url, up)
                    if worker.poll() is not None:
                        raise RuntimeError(f"the worker exited ({worker.returncode})")
                    time.sleep(between)
                stop.set()
                for client in clients:
                    client.join(timeout=GIVE_UP_S + 30)
        finally:
            stop.set()
            worker.terminate()
            worker.wait(timeout=30)
        numbers = sorted(tally.acknowledged.values())
        found, duplicates = _in_database(url, numbers)
    return {
        "create_during_pg_restart_lost": len(numbers) - len(found),
        "create_during_pg_restart_duplicates": duplicates,
        "create_during_pg_restart_acknowledged": len(numbers),
        "create_during_pg_restart_requests": tally.requests,
        "create_during_pg_restart_retries": tally.retries,
        "create_during_pg_restart_503": tally.unavailable,
        "create_during_pg_restart_refused": tally.refused,
        "create_during_pg_restart_abandoned": tally.abandoned,
        "create_during_pg_restart_other": {str(k): v for k, v in sorted(tally.other.items())},
        "worker_recovery_s": round(max(recovery.values()), 2),
        "worker_recovery_fast_s": round(recovery["fast"], 2),
        "worker_recovery_immediate_s": round(recovery["immediate"], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="shorter load and outages")
    parser.add_argument("--json", action="store_true", help="print only the result as JSON")
    args = parser.parse_args()
    result = run(smoke=args.smoke)
    if args.json:
        print(json.dumps(result))
        return 0
    for key, value in result.items():
        print(f"{key:40} {value}")
    ok = (
        result["create_during_pg_restart_lost"] <= TARGET_LOST
        and result["worker_recovery_s"] <= TARGET_RECOVERY_S
    )
    verdict = "met" if ok else "MISSED"
    print(f"targets lost = 0, worker_recovery_s <= {TARGET_RECOVERY_S:.0f}: {verdict}")
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
