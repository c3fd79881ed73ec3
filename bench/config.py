"""Settings of a benchmark run: environment variables and command-line options."""

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
TMP_DIR = RESULTS_DIR / "tmp"  # git-ignored: logs, wrk scripts
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/serviceloop_bench"
DEFAULT_TICKETS = 1_000_000
SMOKE_TICKETS = 5_000
PEER_DIR = Path(os.environ.get("BENCH_PEER_DIR", REPO_DIR.parent / "shared/peer/django-helpdesk"))


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip().replace("_", "")
    return int(raw) if raw else default


def database_url() -> str:
    return os.environ.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL


@dataclass(frozen=True)
class Database:
    """The benchmark database, and how to reach the server's maintenance database."""

    url: str

    @property
    def name(self) -> str:
        name = urlsplit(self.url).path.lstrip("/")
        if not name:
            raise ValueError(f"DATABASE_URL names no database: {self.url}")
        return name

    @property
    def maintenance_url(self) -> str:
        """The same server and user, database `postgres` (to drop and create ours)."""
        parts = urlsplit(self.url)
        return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))

    @property
    def conninfo(self) -> str:
        """The URL as libpq accepts it (it does not know the `postgresql+...` spellings)."""
        parts = urlsplit(self.url)
        return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))
