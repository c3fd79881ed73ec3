"""Benchmarks (b) and (c): one sequential client on loopback, timing each request's round
trip (connect, request, whole body). Warmed up first; each run is `per_run` requests and
the figures are the medians over the runs of each run's p50 and p99 (as the peer does)."""

import http.client
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from statistics import median
from time import perf_counter
from typing import Any
from urllib.parse import urlencode

from .reference import BENCH_TEAM

OPEN = ("new", "in_progress", "waiting_customer")


@dataclass(frozen=True)
class Latency:
    label: str
    p50_ms: float
    p99_ms: float
    runs: list[dict[str, float]]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Client:
    """http.client with keep-alive where the server offers it (gthread); sync workers close
    the connection after each response and the client opens a new one (timed)."""

    def __init__(
        self, host: str, port: int, token: str = "", *, headers: dict[str, str] | None = None
    ) -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=60)
        self.headers = headers or {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
        }

    def get(self, path: str) -> tuple[float, bytes]:
        started = perf_counter()
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        elapsed = (perf_counter() - started) * 1000
        if response.status != 200:
            raise RuntimeError(f"GET {path} -> {response.status}: {body[:300]!r}")
        return elapsed, body

    def close(self) -> None:
        self.connection.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def measure(
    client: Client,
    label: str,
    paths: list[str],
    *,
    per_run: int,
    runs: int,
    warmup: int,
    check: Callable[[bytes], None],
    log: Callable[[str], None] = print,
) -> Latency:
    for i in range(warmup):
        check(client.get(paths[i % len(paths)])[1])
    stats = []
    for _ in range(runs):
        times = [client.get(paths[i % len(paths)])[0] for i in range(per_run)]
        stats.append(
            {"p50": percentile(times, 50), "p99": percentile(times, 99), "max": max(times)}
        )
    result = Latency(
        label,
        p50_ms=median(run["p50"] for run in stats),
        p99_ms=median(run["p99"] for run in stats),
        runs=stats,
    )
    log(
        f"  {label}: p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms "
        f"({runs} x {per_run} requests)"
    )
    return result


def queue_path(cursor: str | None = None, team: str = BENCH_TEAM) -> str:
    query = {"team": team, "status": "open"}
    if cursor:
        query["cursor"] = cursor
    return "/api/v1/tickets?" + urlencode(query)


def cursor_of_page(client: Client, page: int) -> str:
    """Follow next_cursor from page 1 to the cursor that fetches `page`."""
    cursor = None
    for _ in range(page - 1):
        body = json.loads(client.get(queue_path(cursor))[1])
        cursor = body["next_cursor"]
        if cursor is None:
            raise RuntimeError(f"the queue has fewer than {page} pages")
    assert cursor is not None
    return cursor


def check_queue_page(body: bytes) -> None:
    page = json.loads(body)
    if len(page["items"]) != 25 or not page["next_cursor"]:
        raise RuntimeError(f"expected a full queue page, got {len(page['items'])} items")
    if any(item["status"] not in OPEN for item in page["items"]):
        raise RuntimeError("the queue page holds tickets that are not open")


def check_detail(body: bytes) -> None:
    ticket = json.loads(body)
    if len(ticket["interactions"]) != 20:
        raise RuntimeError(f"{ticket['number']} has {len(ticket['interactions'])} interactions")
