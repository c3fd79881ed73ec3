"""The peer baseline: django-helpdesk 2.6.1 on PostgreSQL at 100k tickets, read from the
results files of ../shared/peer/django-helpdesk (the same workload, measured the same way)."""

import json
from dataclasses import dataclass
from pathlib import Path

from .config import PEER_DIR

RESULT_FILES = ("http-postgresql.json", "http-postgres.json")


@dataclass(frozen=True)
class PeerFigures:
    source: Path
    tickets: int
    create_tps: float
    create_p50_ms: float
    create_p99_ms: float
    list_p50_ms: float
    list_p99_ms: float
    detail_p50_ms: float
    detail_p99_ms: float


def load_peer(directory: Path = PEER_DIR) -> PeerFigures | None:
    for name in RESULT_FILES:
        path = directory / "results" / name
        if path.is_file():
            data = json.loads(path.read_text())
            return PeerFigures(
                source=path,
                tickets=int(data.get("tickets_at_start", 0)),
                create_tps=float(data["create"]["rps"]),
                create_p50_ms=float(data["create"]["p50_ms"]),
                create_p99_ms=float(data["create"]["p99_ms"]),
                list_p50_ms=float(data["list_json"]["p50_ms"]),
                list_p99_ms=float(data["list_json"]["p99_ms"]),
                detail_p50_ms=float(data["detail"]["p50_ms"]),
                detail_p99_ms=float(data["detail"]["p99_ms"]),
            )
    return None
