"""`make bench`: load the data set if needed, then measure serviceloop through HTTP.

    .venv/bin/python bench/run.py [--smoke] [--regenerate] [--compare-workers] [--only-create]

Environment: BENCH_TICKETS (default 1,000,000; 5,000 with --smoke), DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/serviceloop_bench; with --smoke and no
DATABASE_URL, serviceloop_bench_smoke). The database is the benchmark's own: it is dropped
and loaded again when it holds another data set (see bench/README.md).

Prints the table and writes bench/results/latest.json (merged into what is there) and
bench/results/latest-detail.json; --smoke writes bench/results/smoke.json instead and
checks only that everything ran and the counts verify. --only-create measures (a) alone (a
quick before/after comparison of the creation path) and writes bench/results/tmp/create.json.
Exit status: 0 ok, 1 a check failed (counts, errors), 2 a target was missed (full runs only).
"""

import argparse
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType

if __package__ in (None, ""):  # run as `python bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

from .analytics import measure as measure_analytics
from .config import (
    DEFAULT_DATABASE_URL,
    DEFAULT_TICKETS,
    RESULTS_DIR,
    SMOKE_TICKETS,
    TMP_DIR,
    Database,
    env_int,
)
from .database import Dataset, read_marker, server_version
from .django_env import close_django_connections, setup_django
from .http_load import CreateResult, bench_create
from .latency import (
    Client,
    Latency,
    check_detail,
    check_queue_page,
    cursor_of_page,
    measure,
    queue_path,
)
from .machine import OtherWork
from .notify import measure as measure_notify
from .outage import measure as measure_outage
from .pages import close_sessions, measure_pages, open_sessions
from .peer import load_peer
from .report import Results, ServerResult, render, write_json
from .server import PORT, Gunicorn
from .sla_sweep import OPEN_TICKETS
from .sla_sweep import measure as measure_sweep
from .workload import PAGE_SIZE, Counts, Tokens, category_codes, issue_tokens, revoke_tokens

DEFAULT_WORKER_CLASS = "sync"
DRIFT = 0.10  # tickets created by earlier runs beyond this share: load the data set again
DEEP_PAGE = 50


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--smoke", action="store_true", help="small data set, one short run, no targets"
    )
    parser.add_argument("--regenerate", action="store_true", help="load the data set again")
    parser.add_argument("--runs", type=int, help="runs per measurement (default 3, smoke 1)")
    parser.add_argument("--duration", type=int, help="seconds per wrk run (default 15, smoke 3)")
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default=DEFAULT_WORKER_CLASS)
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: as serve)")
    parser.add_argument("--port", type=int, default=PORT, help=f"gunicorn's port (default {PORT})")
    parser.add_argument(
        "--compare-workers",
        action="store_true",
        help="measure with the other worker class too and print both",
    )
    parser.add_argument(
        "--only-create",
        action="store_true",
        help="measure only (a), ticket creation; writes bench/results/tmp/create.json",
    )
    return parser.parse_args()


def log(message: str) -> None:
    print(message, flush=True)


SMOKE_OPEN = 500  # open tickets of the smoke data set's sweep


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(f"stopped by signal {signum}")  # unwinds the finally blocks


def ensure_dataset(database: Database, tickets: int, *, regenerate: bool) -> Dataset:
    """The loaded data set, generating it when missing, different, stale or asked for."""
    from .generate import GENERATOR_VERSION, generate

    dataset = read_marker(database)
    reason = ""
    if regenerate:
        reason = "--regenerate"
    elif dataset is None:
        reason = "no complete data set in the database"
    elif dataset.tickets != tickets or dataset.generator_version != GENERATOR_VERSION:
        reason = (
            f"the database holds {dataset.tickets:,} tickets of generator version "
            f"{dataset.generator_version}; wanted {tickets:,} of version {GENERATOR_VERSION}"
        )
    else:
        created = Counts(database).last_ticket_id() - tickets
        if created > DRIFT * tickets:
            reason = f"earlier runs created {created:,} tickets (> {DRIFT:.0%} of the data set)"
    if reason or dataset is None:
        log(f"loading the data set: {reason}")
        generate(database, tickets, log)
        dataset = read_marker(database)
        if dataset is None:
            raise SystemExit("the generator finished without writing its marker")
    else:
        from django.core.management import call_command

        log(
            f"data set: {dataset.tickets:,} tickets, loaded {dataset.loaded_at:%Y-%m-%d %H:%M} "
            f"UTC in {dataset.load_seconds:.1f} s"
        )
        call_command("migrate", interactive=False, verbosity=0)  # later migrations, if any
    close_django_connections()
    return dataset


def reads_plan(counts: Counts, *, smoke: bool) -> tuple[int, list[str]]:
    """The deep queue page to time (50; fewer in --smoke, where the queue is short) and the
    tickets with 20 interactions to open."""
    pages = counts.open_in_team() // PAGE_SIZE
    deep = DEEP_PAGE if not smoke else max(2, min(DEEP_PAGE, pages - 1))
    if pages <= deep:
        raise SystemExit(f"the queue has {pages} full pages; page {deep} needs more tickets")
    numbers = counts.detail_numbers()
    if len(numbers) < (10 if smoke else 60):
        raise SystemExit(f"only {len(numbers)} tickets with 20 interactions in the bench team")
    return deep, numbers


def measure_reads(
    server: Gunicorn, tokens: Tokens, deep: int, numbers: list[str], *, runs: int, per_run: int
) -> tuple[Latency, Latency, Latency]:
    """(b) the agent's queue, page 1 and page `deep`; (c) ticket detail."""
    client = Client(server.host, server.port, tokens.agent)
    try:
        page1 = measure(
            client, "(b) queue page 1", [queue_path()],
            runs=runs, per_run=per_run, warmup=40, check=check_queue_page, log=log,
        )  # fmt: skip
        cursor = cursor_of_page(client, deep)
        page_deep = measure(
            client, f"(b) queue page {deep}", [queue_path(cursor)],
            runs=runs, per_run=per_run, warmup=20, check=check_queue_page, log=log,
        )  # fmt: skip
        detail = measure(
            client, "(c) ticket detail, 20 interactions",
            [f"/api/v1/tickets/{number}" for number in numbers],
            runs=runs, per_run=per_run, warmup=len(numbers) + 20, check=check_detail, log=log,
        )  # fmt: skip
    finally:
        client.close()
    return page1, page_deep, detail


def run_create(
    server: Gunicorn, tokens: Tokens, counts: Counts, categories: list[str], runs: int, seconds: int
) -> CreateResult:
    return bench_create(
        base_url=server.base_url,
        server=server.label,
        tag=server.worker_class,
        token=tokens.partner,
        categories=categories,
        runs=runs,
        duration=seconds,
        count_since=counts.tickets_after,
        last_id=counts.last_ticket_id,
        log=log,
    )


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, _terminate)
    smoke: bool = args.smoke
    tickets = env_int("BENCH_TICKETS", SMOKE_TICKETS if smoke else DEFAULT_TICKETS)
    url = os.environ.get("DATABASE_URL", "").strip() or (
        DEFAULT_DATABASE_URL + "_smoke" if smoke else DEFAULT_DATABASE_URL
    )
    runs = args.runs or (1 if smoke else 3)
    seconds = args.duration or (3 if smoke else 15)
    per_run = 50 if smoke else 200
    database = Database(url)
    setup_django(url)

    dataset = ensure_dataset(database, tickets, regenerate=args.regenerate)
    counts = Counts(database)
    tickets_at_start = counts.tickets()
    categories = category_codes()
    if args.only_create:
        return only_create(args, url, database, counts, categories, runs, seconds)
    deep, numbers = reads_plan(counts, smoke=smoke)
    tokens = issue_tokens()
    sessions = open_sessions(numbers)
    close_django_connections()
    make = _server_factory(url, args.threads, args.workers, args.port)
    classes = [args.worker_class]
    if args.compare_workers:
        classes.append("gthread" if args.worker_class == "sync" else "sync")
    measured: list[ServerResult] = []
    other_work = OtherWork(database)
    other_work.start()
    try:
        for worker_class in classes:
            with make(worker_class) as server:
                log(f"measuring {server.label} on {tickets_at_start:,} tickets ({database.name})")
                page1, page_deep, detail = measure_reads(
                    server, tokens, deep, numbers, runs=runs, per_run=per_run
                )
                pages = measure_pages(
                    server.host, server.port, sessions, numbers,
                    runs=runs, per_run=per_run, log=log,
                )  # fmt: skip
                create = run_create(server, tokens, counts, categories, runs, seconds)
                measured.append(
                    ServerResult(
                        server.label, create, page1, page_deep, detail, server.memory(), *pages
                    )
                )
    finally:
        revoke_tokens(tokens)
        close_sessions(sessions)
        close_django_connections()

    other_cpu = other_work.stop()
    log("measuring the worker: one escalation sweep, then notification latency")
    if smoke:  # a few escalations, so that every part of the sweep runs
        worker = measure_sweep(url, open_tickets=SMOKE_OPEN, due_every=50)
    else:
        worker = measure_sweep(url, open_tickets=OPEN_TICKETS)
    worker.update(measure_notify(tickets=20 if smoke else 200, database_url=url))
    log("measuring PostgreSQL restarts under load: tickets lost, the worker's recovery")
    worker.update(measure_outage(smoke=smoke))
    log("measuring the analytics: dashboards, a plan's effect, a 100k-ticket export")
    analytics = measure_analytics(url, log=log)
    results = Results(
        tickets=dataset.tickets,
        tickets_at_start=tickets_at_start,
        postgres=server_version(database),
        load_seconds=dataset.load_seconds,
        load_tickets=dataset.tickets,
        main=measured[0],
        others=measured[1:],
        other_cpu=other_cpu,
        worker=worker,
        analytics=analytics,
    )
    log("")
    log(render(results, load_peer()))
    return _finish(results, smoke=smoke, write=write_json)


CREATE_TARGET_TPS = 800
CREATE_TARGET_P99_MS = 60


def only_create(
    args: argparse.Namespace,
    url: str,
    database: Database,
    counts: Counts,
    categories: list[str],
    runs: int,
    seconds: int,
) -> int:
    """(a) alone, on the default server (and the other worker class with --compare-workers):
    the figures are printed and written to bench/results/tmp/create.json, not to latest.json."""
    tokens = issue_tokens()
    close_django_connections()
    make = _server_factory(url, args.threads, args.workers, args.port)
    classes = [args.worker_class]
    if args.compare_workers:
        classes.append("gthread" if args.worker_class == "sync" else "sync")
    measured: list[CreateResult] = []
    cpu_ms: dict[str, tuple[float, float]] = {}
    other_work = OtherWork(database)
    other_work.start()
    try:
        for worker_class in classes:
            with make(worker_class) as server:
                log(f"measuring {server.label} ({database.name}): ticket creation only")
                # every worker past its first requests first, as the reads warm them in a
                # whole run
                bench_create(
                    base_url=server.base_url, server=server.label, tag="warmup",
                    token=tokens.partner, categories=categories, runs=1, duration=5,
                    count_since=counts.tickets_after, last_id=counts.last_ticket_id,
                    log=lambda line: None,
                )  # fmt: skip
                before = _cpu_seconds(server, database)
                result = run_create(server, tokens, counts, categories, runs, seconds)
                after = _cpu_seconds(server, database)
                measured.append(result)
                created = sum(run.created for run in result.runs) or 1
                cpu_ms[server.label] = (
                    round((after[0] - before[0]) * 1000 / created, 2),
                    round((after[1] - before[1]) * 1000 / created, 2),
                )
    finally:
        revoke_tokens(tokens)
        close_django_connections()
    other_cpu = other_work.stop()
    for result in measured:
        web, postgres = cpu_ms[result.server]
        log(
            f"{result.server}: {result.tickets_per_s:,.0f} tickets/s "
            f"(target >= {CREATE_TARGET_TPS}), p50 {result.p50_ms:.1f} ms, p99 "
            f"{result.p99_ms:.1f} ms (target <= {CREATE_TARGET_P99_MS}), medians of "
            f"{len(result.runs)} runs; counts {'verified' if result.verified else 'DO NOT verify'}"
            f"; CPU per ticket: web workers {web} ms, PostgreSQL {postgres} ms"
        )
    log(f"other processes used {other_cpu[0]} CPU s ({other_cpu[1]:.1%} of the cores)")
    figures = {
        "servers": [
            {
                **result.as_dict(),
                "cpu_ms_per_ticket": dict(
                    zip(("web", "postgres"), cpu_ms[result.server], strict=True)
                ),
            }
            for result in measured
        ],
        "other_cpu_seconds": other_cpu[0],
        "other_cpu_share": other_cpu[1],
    }
    write_json(TMP_DIR / "create.json", figures, merge=False)
    return 0 if all(result.verified for result in measured) else 1


def _cpu_seconds(server: Gunicorn, database: Database) -> tuple[float, float]:
    """CPU seconds used so far by the server's workers and by the PostgreSQL backends of the
    benchmark database (the ones serving the workers)."""
    import psutil

    from .database import connect

    with connect(database, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database.name],
        ).fetchall()

    def used(pids: list[int]) -> float:
        total = 0.0
        for pid in pids:
            try:
                times = psutil.Process(pid).cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    workers = [memory.pid for memory in server.memory()]
    return used(workers), used([row[0] for row in rows])


def _server_factory(
    url: str, threads: int, workers: int | None, port: int = PORT
) -> Callable[[str], Gunicorn]:
    def make(worker_class: str) -> Gunicorn:
        if workers is None:
            return Gunicorn(url, worker_class=worker_class, threads=threads, port=port)
        return Gunicorn(url, worker_class=worker_class, threads=threads, workers=workers, port=port)

    return make


def _finish(results: Results, *, smoke: bool, write: Callable[..., None]) -> int:
    verified = results.verified
    if smoke:
        write(RESULTS_DIR / "smoke.json", results.detail_dict(), merge=False)
        log(f"\nsmoke: everything ran; counts {'verified' if verified else 'DO NOT verify'}")
        return 0 if verified else 1
    write(RESULTS_DIR / "latest.json", results.latest(), merge=True)
    write(RESULTS_DIR / "latest-detail.json", results.detail_dict(), merge=False)
    log(f"\nwritten: {RESULTS_DIR / 'latest.json'}, {RESULTS_DIR / 'latest-detail.json'}")
    if not verified:
        log("the database counts do not match the 201 responses, or a restart lost tickets")
        return 1
    missed = [name for name, target in results.targets().items() if not target.ok]
    if missed:
        log(f"targets missed: {', '.join(missed)}")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
