"""The figures of a run: the printed tables (with targets and the peer) and the JSON files."""

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .http_load import CreateResult
from .latency import Latency
from .peer import PeerFigures
from .server import WorkerMemory

MILLION = 1_000_000


@dataclass(frozen=True)
class Target:
    label: str
    ok: bool


@dataclass
class ServerResult:
    """Everything measured on one gunicorn configuration."""

    server: str
    create: CreateResult
    queue_page1: Latency
    queue_deep: Latency  # page 50 (a shallower page in --smoke)
    detail: Latency
    memory: list[WorkerMemory]
    queue_page: Latency  # (e) the agent's queue page, HTML
    ticket_page: Latency  # (f) the agent's ticket page, HTML
    portal_page: Latency  # (g) the customer's portal ticket page, HTML

    @property
    def worker_rss_mb(self) -> float:
        return max(worker.peak_rss_mb for worker in self.memory)

    def as_dict(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "create": self.create.as_dict(),
            "queue_page1": self.queue_page1.as_dict(),
            "queue_page50": self.queue_deep.as_dict(),
            "detail": self.detail.as_dict(),
            "queue_page": self.queue_page.as_dict(),
            "ticket_page": self.ticket_page.as_dict(),
            "portal_page": self.portal_page.as_dict(),
            "workers": [vars(worker) for worker in self.memory],
        }


@dataclass
class Results:
    tickets: int  # the generated data set
    tickets_at_start: int  # in the database when the measurements began
    postgres: str
    load_seconds: float
    load_tickets: int
    main: ServerResult  # the default server: the reported figures
    others: list[ServerResult] = field(default_factory=list)  # --compare-workers
    other_cpu: tuple[float, float] = (0.0, 0.0)  # other processes: CPU seconds, core share
    # the worker's side (bench/sla_sweep.py, bench/notify.py): their keys as they return them
    worker: dict[str, Any] = field(default_factory=dict)
    # the analytics (bench/analytics.py): their keys as they return them
    analytics: dict[str, Any] = field(default_factory=dict)

    @property
    def load_1m_s(self) -> float | None:
        return self.load_seconds if self.load_tickets == MILLION else None

    @property
    def verified(self) -> bool:
        """The 201s match the new rows, and no acknowledged ticket was lost in a restart."""
        lost = self.worker.get("create_during_pg_restart_lost", 0)
        return lost == 0 and all(result.create.verified for result in [self.main, *self.others])

    def targets(self) -> dict[str, Target]:
        m = self.main
        targets = {
            "a_tps": Target("≥ 800 tickets/s", m.create.tickets_per_s >= 800),
            "a_p99": Target("p99 ≤ 60 ms", m.create.p99_ms <= 60),
            "a_verified": Target("all 201; 201s = new rows", m.create.verified),
            "b1": Target("p99 ≤ 20 ms", m.queue_page1.p99_ms <= 20),
            "b50": Target("p99 ≤ 20 ms", m.queue_deep.p99_ms <= 20),
            "c": Target("p99 ≤ 15 ms", m.detail.p99_ms <= 15),
            "d": Target("≤ 150 MB", m.worker_rss_mb <= 150),
            "e": Target("p99 ≤ 60 ms", m.queue_page.p99_ms <= 60),
            "f": Target("p99 ≤ 60 ms", m.ticket_page.p99_ms <= 60),
            "g": Target("p99 ≤ 40 ms", m.portal_page.p99_ms <= 40),
            "load": Target("< 300 s", self.load_seconds < 300),
        }
        if self.load_tickets != MILLION:  # the load target is for 1M tickets
            del targets["load"]
        if "sla_sweep_100k_s" in self.worker:
            targets["sweep"] = Target("≤ 1 s", self.worker["sla_sweep_100k_s"] <= 1)
        if "notify_p99_s" in self.worker:
            targets["notify"] = Target("p99 ≤ 2 s", self.worker["notify_p99_s"] <= 2)
        if "create_during_pg_restart_lost" in self.worker:
            lost = self.worker["create_during_pg_restart_lost"]
            targets["restart_lost"] = Target("= 0", lost == 0)
            targets["recovery"] = Target("≤ 10 s", self.worker["worker_recovery_s"] <= 10)
        a = self.analytics
        for key, label, limit in ANALYTICS_TARGETS:
            if a.get(key) is not None:
                targets[key] = Target(
                    label, a[key] <= limit if key != "export_peak_mb" else a[key] < limit
                )
        return targets

    def latest(self) -> dict[str, Any]:
        """The keys of bench/results/latest.json."""
        m = self.main
        return {
            "api_create_tps": round(m.create.tickets_per_s, 1),
            "api_create_p99_ms": round(m.create.p99_ms, 2),
            "api_create_p50_ms": round(m.create.p50_ms, 2),
            "queue_p50_ms": round(m.queue_page1.p50_ms, 2),
            "queue_p99_ms": round(max(m.queue_page1.p99_ms, m.queue_deep.p99_ms), 2),
            "queue_page50_p50_ms": round(m.queue_deep.p50_ms, 2),
            "queue_page50_p99_ms": round(m.queue_deep.p99_ms, 2),
            "detail_p50_ms": round(m.detail.p50_ms, 2),
            "detail_p99_ms": round(m.detail.p99_ms, 2),
            "worker_rss_mb": m.worker_rss_mb,
            "queue_page_p50_ms": round(m.queue_page.p50_ms, 2),
            "queue_page_p99_ms": round(m.queue_page.p99_ms, 2),
            "ticket_page_p50_ms": round(m.ticket_page.p50_ms, 2),
            "ticket_page_p99_ms": round(m.ticket_page.p99_ms, 2),
            "portal_page_p50_ms": round(m.portal_page.p50_ms, 2),
            "portal_page_p99_ms": round(m.portal_page.p99_ms, 2),
            "load_1m_s": self.load_1m_s,
            **self.worker,
            **{k: v for k, v in self.analytics.items() if not k.endswith("_variants_ms")},
            "tickets": self.tickets,
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cores": os.cpu_count(),
                "postgres": self.postgres,
                "server": m.server,
                "other_cpu_seconds": self.other_cpu[0],
                "other_cpu_share": self.other_cpu[1],
            },
        }

    def detail_dict(self) -> dict[str, Any]:
        return {
            **self.latest(),
            **self.analytics,
            "tickets_at_start": self.tickets_at_start,
            "load_seconds": self.load_seconds,
            "load_tickets": self.load_tickets,
            "servers": [result.as_dict() for result in [self.main, *self.others]],
        }


ANALYTICS_TARGETS = (
    ("dashboard_90d_ms", "≤ 300 ms", 300),
    ("dashboard_year_ms", "≤ 1,000 ms", 1000),
    ("plan_effect_ms", "≤ 1,000 ms", 1000),
    ("export_100k_s", "≤ 20 s", 20),
    ("export_peak_mb", "< 300 MB", 300),
)
ANALYTICS_LABELS = {
    "dashboard_90d_ms": "dashboard page, 90 days, slowest of no / each one filter (median)",
    "dashboard_year_ms": "dashboard page, 365 days (median)",
    "plan_effect_ms": "plan effect with a pilot, 2 x 30-day windows (median)",
    "export_100k_s": "XLSX export of >= 100,000 tickets, streamed",
    "export_peak_mb": "peak memory of the exporting process (VmHWM)",
}


def write_json(path: Path, figures: dict[str, Any], *, merge: bool) -> None:
    """Write `figures`; with `merge`, keep the keys other benchmarks put in the file."""
    existing: dict[str, Any] = {}
    if merge and path.is_file():
        try:
            existing = json.loads(path.read_text())
        except json.JSONDecodeError:
            existing = {}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**existing, **figures}, indent=2, ensure_ascii=False) + "\n")


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [_row(rows[0], widths), _row(["-" * w for w in widths], widths)]
    return "\n".join(lines + [_row(row, widths) for row in rows[1:]])


def _ok(target: Target) -> str:
    return "yes" if target.ok else "NO"


def render(results: Results, peer: PeerFigures | None) -> str:
    r, t, m = results, results.targets(), results.main
    runs = m.create.runs
    new = sum(run.new_tickets for run in runs)
    created = sum(run.created for run in runs)
    rows = [
        ["measurement", "result", "target", "met"],
        [
            f"(a) API create, c=16, median of {len(runs)} x {runs[0].seconds:.0f} s",
            f"{m.create.tickets_per_s:,.0f} tickets/s",
            t["a_tps"].label,
            _ok(t["a_tps"]),
        ],
        [
            "(a) create latency p50 / p99",
            f"{m.create.p50_ms:.1f} / {m.create.p99_ms:.1f} ms",
            t["a_p99"].label,
            _ok(t["a_p99"]),
        ],
        [
            "(a) verified in the database",
            f"{new:,} new rows, {created:,} x 201, "
            f"{sum(run.requests for run in runs) - created} other statuses",
            f"{t['a_verified'].label} (+≤16 in flight)",
            _ok(t["a_verified"]),
        ],
        _latency_row(m.queue_page1, t["b1"]),
        _latency_row(m.queue_deep, t["b50"]),
        _latency_row(m.detail, t["c"]),
        _latency_row(m.queue_page, t["e"]),
        _latency_row(m.ticket_page, t["f"]),
        _latency_row(m.portal_page, t["g"]),
        [
            "(d) peak RSS per worker (max VmHWM)",
            f"{m.worker_rss_mb:.1f} MB",
            t["d"].label,
            _ok(t["d"]),
        ],
    ]
    w = r.worker
    if "sweep" in t:
        rows.append(
            [
                f"escalation sweep, {w['sla_sweep_open_running']:,} open of "
                f"{w['sla_sweep_tickets']:,} ({w['sla_sweep_escalated']} escalated; "
                f"nothing due: {w['sla_sweep_idle_100k_s']:.3f} s)",
                f"{w['sla_sweep_100k_s']:.3f} s",
                t["sweep"].label,
                _ok(t["sweep"]),
            ]
        )
    if "notify" in t:
        rows.append(
            [
                "notification, commit to SMTP, worker idle, p50 / p99",
                f"{w['notify_p50_s']:.2f} / {w['notify_p99_s']:.2f} s",
                t["notify"].label,
                _ok(t["notify"]),
            ]
        )
    if "restart_lost" in t:
        rows.append(
            [
                f"tickets acknowledged but lost in 2 PostgreSQL restarts under load "
                f"({w['create_during_pg_restart_acknowledged']:,} acknowledged, "
                f"{w['create_during_pg_restart_retries']:,} retries, "
                f"{w['create_during_pg_restart_duplicates']} duplicates)",
                str(w["create_during_pg_restart_lost"]),
                t["restart_lost"].label,
                _ok(t["restart_lost"]),
            ]
        )
        rows.append(
            [
                "worker recovery: database back to the next sweep (fast / immediate restart)",
                f"{w['worker_recovery_fast_s']:.2f} / {w['worker_recovery_immediate_s']:.2f} s",
                t["recovery"].label,
                _ok(t["recovery"]),
            ]
        )
    a = r.analytics
    for key, _label, _limit in ANALYTICS_TARGETS:
        if key in t:
            unit = " ms" if key.endswith("_ms") else (" s" if key.endswith("_s") else " MB")
            rows.append([ANALYTICS_LABELS[key], f"{a[key]}{unit}", t[key].label, _ok(t[key])])
    load = [f"load {r.load_tickets:,} tickets (generate.py)", f"{r.load_seconds:.1f} s"]
    if "load" in t:
        rows.append([*load, t["load"].label, _ok(t["load"])])
    else:
        rows.append([*load, "(< 300 s at 1M)", "-"])
    seconds, share = r.other_cpu
    header = (
        f"serviceloop benchmarks: {r.tickets:,}-ticket data set ({r.tickets_at_start:,} tickets "
        f"at start), PostgreSQL {r.postgres}, {os.cpu_count()} cores, {m.server}\n"
        f"other processes used {seconds:.0f} CPU-seconds during the measurements "
        f"({share:.0%} of the cores)"
    )
    if share > 0.05:
        header += ": the figures are pessimistic, run again on a quiet machine"
    parts = [header, _table(rows)]
    if r.others:
        parts.append(_compare(r))
    if peer is not None:
        parts.append(render_peer(r, peer))
    return "\n\n".join(parts)


def _latency_row(latency: Latency, target: Target) -> list[str]:
    return [
        f"{latency.label}, p50 / p99",
        f"{latency.p50_ms:.2f} / {latency.p99_ms:.2f} ms",
        target.label,
        _ok(target),
    ]


def _compare(r: Results) -> str:
    rows = [
        [
            "server", "create/s", "create p50/p99 ms", "queue p1 p99", "queue deep p99",
            "detail p99", "RSS MB",
        ]
    ]  # fmt: skip
    for result in [r.main, *r.others]:
        rows.append(
            [
                result.server,
                f"{result.create.tickets_per_s:,.0f}",
                f"{result.create.p50_ms:.1f} / {result.create.p99_ms:.1f}",
                f"{result.queue_page1.p99_ms:.2f}",
                f"{result.queue_deep.p99_ms:.2f}",
                f"{result.detail.p99_ms:.2f}",
                f"{result.worker_rss_mb:.0f}",
            ]
        )
    return _table(rows)


def _times(ours_over_peer: float) -> str:
    if ours_over_peer >= 1:
        return f"{ours_over_peer:,.1f}x better"
    return f"{1 / ours_over_peer:,.1f}x worse"


def render_peer(r: Results, peer: PeerFigures) -> str:
    m = r.main
    rows = [["figure", "serviceloop", "django-helpdesk", "ratio", "≥ 5x better"]]

    def add(label: str, ours: float, theirs: float, *, unit: str, higher_is_better: bool) -> None:
        better = ours / theirs if higher_is_better else theirs / ours
        rows.append(
            [
                label,
                f"{ours:,.1f}{unit}",
                f"{theirs:,.1f}{unit}",
                f"ours/peer {ours / theirs:.3f} = {_times(better)}",
                "yes" if better >= 5 else "NO",
            ]
        )

    add("(a) create", m.create.tickets_per_s, peer.create_tps, unit="/s", higher_is_better=True)
    add("(a) create p50", m.create.p50_ms, peer.create_p50_ms, unit=" ms", higher_is_better=False)
    add("(a) create p99", m.create.p99_ms, peer.create_p99_ms, unit=" ms", higher_is_better=False)
    for label, ours, theirs in [
        ("(b) open-ticket list p50", m.queue_page1.p50_ms, peer.list_p50_ms),
        ("(b) open-ticket list p99", m.queue_page1.p99_ms, peer.list_p99_ms),
        ("(c) ticket detail p50", m.detail.p50_ms, peer.detail_p50_ms),
        ("(c) ticket detail p99", m.detail.p99_ms, peer.detail_p99_ms),
    ]:
        add(label, ours, theirs, unit=" ms", higher_is_better=False)
    verdicts = {
        "(a)": m.create.tickets_per_s / peer.create_tps >= 5,
        "(b)": peer.list_p50_ms / m.queue_page1.p50_ms >= 5
        and peer.list_p99_ms / m.queue_page1.p99_ms >= 5,
        "(c)": peer.detail_p50_ms / m.detail.p50_ms >= 5
        and peer.detail_p99_ms / m.detail.p99_ms >= 5,
    }
    summary = ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in verdicts.items())
    note = (
        f"At least 5x better than the peer: {summary} ((a) by tickets/s; (b), (c) by p50 and "
        f"p99).\nThe peer figures are django-helpdesk 2.6.1 at {peer.tickets:,} tickets (ours: "
        f"{r.tickets:,}), read from {peer.source}; this run did not measure them. Its list is "
        "the staff datatables JSON of open tickets (25 rows); its detail page shows a ticket "
        "with 3 follow-ups as HTML."
    )
    return _table(rows) + "\n" + note
