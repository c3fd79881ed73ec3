"""How much CPU other work took while we measured: the machine is shared, and a test suite
running beside the benchmark takes cores from gunicorn and PostgreSQL."""

import os
import time

import psutil

from .config import Database
from .database import connect


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


class OtherWork:
    """CPU seconds of processes outside the benchmark during a window: everything but this
    process and its descendants (gunicorn, wrk) and the PostgreSQL processes, except the
    PostgreSQL backends serving other databases, which count as other work. Processes that
    start and end inside the window are missed, so the figure is a lower bound."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.started = 0.0
        self.before: dict[int, float] = {}

    def start(self) -> None:
        self.started = time.monotonic()
        self.before = self._sample()

    def stop(self) -> tuple[float, float]:
        """(other CPU seconds, their share of all cores over the window)."""
        after = self._sample()
        seconds = sum(cpu - self.before.get(pid, 0.0) for pid, cpu in after.items())
        seconds = max(0.0, seconds)
        window = time.monotonic() - self.started
        return round(seconds, 1), round(seconds / (window * (os.cpu_count() or 1)), 3)

    def _sample(self) -> dict[int, float]:
        me = psutil.Process()
        ours = {me.pid} | {child.pid for child in me.children(recursive=True)}
        foreign_backends = self._foreign_backends()
        sample = {}
        for process in psutil.process_iter(["username", "name"]):
            if process.pid in ours:
                continue
            is_postgres = process.info["username"] == "postgres"
            if is_postgres and process.pid not in foreign_backends:
                continue
            try:
                sample[process.pid] = _cpu_seconds(process)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return sample

    def _foreign_backends(self) -> set[int]:
        with connect(self.database, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname IS NOT NULL AND datname <> %s",
                [self.database.name],
            ).fetchall()
        return {row[0] for row in rows}
