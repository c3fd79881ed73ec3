"""The analytics of issue 5 on the benchmark database, each in a fresh process:

- the facts and rollups of every ticket are computed when they are missing
  (`serviceloop analytics rebuild`, timed once: `analytics_rebuild_s`);
- the dashboard page (`GET /desk/analytics/`, as an analyst, Chinese, through Django's whole
  request handling in-process: server time without the network) over the last 90 days with
  no filter and with each single filter (a team, a category area, a channel, a kind, a
  customer tier), and over the last 365 days; 2 warm-up requests then 7 timed, the median
  of each; `dashboard_90d_ms` is the slowest 90-day variant, `dashboard_year_ms` the year;
- a plan's effect (`improvement.effect.plan_effect`) for a plan on handling time with a
  pilot team, baseline and after windows of 30 days each: `plan_effect_ms` (median of 7);
- the XLSX export of the tickets behind a figure with at least 100,000 rows, downloaded
  completely: `export_100k_s`, and the peak memory of the process that served it
  (`export_peak_mb`, VmHWM of a process doing nothing else).

`measure(database_url)` returns those keys; `python bench/analytics.py` prints them.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.config import REPO_DIR
from bench.config import database_url as default_database_url
from bench.django_env import setup_django

RUNS, WARMUP = 7, 2
ANALYST = "bench-analyst"
EXPORT_ROWS = 100_000


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _analyst() -> Any:
    from serviceloop.accounts.choices import Role
    from serviceloop.accounts.models import User

    user, _created = User.objects.get_or_create(
        username=ANALYST, defaults={"role": Role.ANALYST, "full_name": "Bench analyst"}
    )
    return user


def _ensure_facts() -> float | None:
    """Compute every fact when the facts do not cover the tickets; returns the seconds."""
    from serviceloop.analytics import services
    from serviceloop.analytics.models import TicketFact
    from serviceloop.tickets.models import Ticket

    tickets = Ticket.objects.count()
    if TicketFact.objects.count() >= tickets:
        services.refresh_stale(limit=10**6)  # the tickets earlier runs created
        return None
    started = time.perf_counter()
    services.rebuild()
    return round(time.perf_counter() - started, 1)


def _client() -> Any:
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_HOST="127.0.0.1")
    client.force_login(_analyst())
    return client


def _timed(get: Any, path: str, runs: int = RUNS) -> float:
    for _ in range(WARMUP):
        response = get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code}")
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        get(path)
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1)


def _variants() -> dict[str, str]:
    from serviceloop.accounts.models import Team
    from serviceloop.customers.models import CustomerTier
    from serviceloop.tickets.models import Category

    team = Team.objects.order_by("code").first()
    area = Category.objects.filter(parent__isnull=True).order_by("code").first()
    tier = CustomerTier.objects.order_by("rank").first()
    variants = {"none": ""}
    if team:
        variants["team"] = f"&teams={team.pk}"
    if area:
        variants["category"] = f"&categories={area.pk}"
    variants["channel"] = "&channels=phone"
    variants["kind"] = "&kinds=complaint"
    if tier:
        variants["tier"] = f"&tiers={tier.pk}"
    return variants


def dashboards() -> dict[str, Any]:
    from django.utils import timezone

    from serviceloop.core import clock

    today = timezone.localdate(clock.now())
    client = _client()
    result: dict[str, Any] = {}
    for days, label in ((90, "90d"), (365, "year")):
        start = today.toordinal() - days + 1
        window = f"start={type(today).fromordinal(start)}&end={today}"
        variants = _variants() if days == 90 else {"none": ""}
        timings = {
            name: _timed(client.get, f"/desk/analytics/?{window}{extra}")
            for name, extra in variants.items()
        }
        result[f"dashboard_{label}_ms"] = max(timings.values())
        result[f"dashboard_{label}_variants_ms"] = timings
    return result


def export() -> dict[str, Any]:
    """The XLSX of the newest days that hold at least EXPORT_ROWS tickets."""
    from datetime import timedelta

    from django.db.models import Count

    from serviceloop.analytics.models import TicketFact

    per_day = TicketFact.objects.values("day").annotate(n=Count("pk")).order_by("-day")
    total, start = 0, None
    for row in per_day:
        total += row["n"]
        start = row["day"]
        if total >= EXPORT_ROWS:
            break
    if start is None:
        return {}
    end = start + timedelta(days=400)
    client = _client()
    started = time.perf_counter()
    response = client.get(f"/desk/analytics/export/tickets.xlsx?start={start}&end={end}")
    size = sum(len(chunk) for chunk in response.streaming_content)
    seconds = time.perf_counter() - started
    return {
        "export_100k_s": round(seconds, 2),
        "export_rows": total,
        "export_bytes": size,
        "export_peak_mb": round(_peak_mb(), 1),
    }


class _Rollback(Exception):
    pass


def plan_effect() -> dict[str, Any]:
    """A plan on the median handling time of every ticket, baseline the 30 days from 89 to
    60 days ago, after window the last 30 days, piloted by one team (made and rolled back)."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from serviceloop.accounts.models import Team
    from serviceloop.core import clock
    from serviceloop.improvement.effect import plan_effect as effect_of
    from serviceloop.improvement.models import ImprovementPlan

    today = timezone.localdate(clock.now())
    team = Team.objects.order_by("code").first()
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            plan = ImprovementPlan.objects.create(
                code="BENCH-1", title="Bench plan", problem="Bench", metric="handling_median",
                scope={}, baseline_start=today - timedelta(days=89),
                baseline_end=today - timedelta(days=60), after_start=today - timedelta(days=29),
                after_end=today, target=60, deadline=today,
                pilot_scope={"teams": [team.pk]} if team else {},
                pilot_start=today - timedelta(days=29),
            )  # fmt: skip
            effect_of(plan)  # warm-up
            samples = []
            for _ in range(RUNS):
                started = time.perf_counter()
                effect = effect_of(plan)
                samples.append((time.perf_counter() - started) * 1000)
            result = {
                "plan_effect_ms": round(statistics.median(samples), 1),
                "plan_effect_n": [effect.overall.n_before, effect.overall.n_after],
            }
            raise _Rollback
    except _Rollback:
        pass
    return result


def _in_child(part: str, database_url: str) -> dict[str, Any]:
    """Run one part in a fresh Python process (so that its peak memory is its own)."""
    command = [sys.executable, str(Path(__file__).resolve()), part]
    env = {**os.environ, "DATABASE_URL": database_url}
    out = subprocess.run(
        command, cwd=REPO_DIR, env=env, capture_output=True, text=True, check=True
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def measure(database_url: str, *, log: Any = print) -> dict[str, Any]:
    result = _in_child("facts", database_url)
    if result.get("analytics_rebuild_s"):
        log(f"analytics: facts and rollups computed in {result['analytics_rebuild_s']} s")
    for part in ("dashboards", "export", "plan_effect"):
        result.update(_in_child(part, database_url))
    return result


def main() -> None:
    part = sys.argv[1] if len(sys.argv) > 1 else ""
    url = os.environ.get("DATABASE_URL") or default_database_url()
    setup_django(url)
    if part == "facts":
        print(json.dumps({"analytics_rebuild_s": _ensure_facts()}))
    elif part == "dashboards":
        print(json.dumps(dashboards()))
    elif part == "export":
        print(json.dumps(export()))
    elif part == "plan_effect":
        print(json.dumps(plan_effect()))
    else:
        print(json.dumps(measure(url)))


if __name__ == "__main__":
    main()
