"""A PostgreSQL server of one's own, to stop, kill and restart without touching the shared one:
initdb into a temporary folder, a free port on loopback, the socket in the folder.

Used by the outage tests (tests/worker/test_outages.py) and the benchmark's restart steps
(bench/outage.py). PostgreSQL refuses to run as root: as root, the server runs as the
`postgres` user (Debian's packages make it), which owns the folder.

    with PostgresCluster.create() as cluster:
        url = cluster.create_database("serviceloop")
        cluster.restart()                 # pg_ctl stop -m fast, then start
        cluster.stop(mode="immediate")    # like a crash: recovery from the WAL on start
"""

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import psycopg
from psycopg import sql

SERVER_USER = "postgres"


def find_bindir() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin, or pg_config's bindir."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True)
        return Path(out.stdout.strip())
    raise RuntimeError("PostgreSQL's initdb and pg_ctl are missing: apt-get install postgresql")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresCluster:
    folder: Path
    port: int
    bindir: Path
    settings: dict[str, str]

    @classmethod
    def create(cls, *, fsync: bool = False, **settings: str) -> "PostgresCluster":
        """initdb a new cluster (trust authentication, user postgres) and start it."""
        folder = Path(tempfile.mkdtemp(prefix="serviceloop-pg-"))
        cluster = cls(folder, free_port(), find_bindir(), {"fsync": "on" if fsync else "off"})
        cluster.settings.update(settings)
        try:
            if os.geteuid() == 0:
                account = pwd.getpwnam(SERVER_USER)
                os.chown(folder, account.pw_uid, account.pw_gid)
            cluster._run(
                "initdb", "-D", str(cluster.data), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--locale=C", "--no-sync",
            )  # fmt: skip
            cluster.start()
        except BaseException:
            cluster.destroy()
            raise
        return cluster

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str, timeout: float = 120) -> str:
        kwargs: dict[str, Any] = {}
        if os.geteuid() == 0:
            kwargs["user"] = SERVER_USER
        done = subprocess.run(
            [str(self.bindir / program), *args],
            capture_output=True, text=True, timeout=timeout, cwd=self.folder, **kwargs,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        return done.stdout

    def start(self) -> None:
        options = [
            f"-p {self.port}",
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.folder}",
            *(f"-c {name}={value}" for name, value in self.settings.items()),
        ]
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
            "-o", " ".join(options), "start",
        )  # fmt: skip
        self.wait_until_ready()

    def stop(self, *, mode: str = "fast") -> None:
        """pg_ctl stop: `fast` (clients disconnected, a checkpoint) or `immediate` (the
        server processes quit at once; the next start recovers from the WAL, as after a
        crash)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self, *, mode: str = "fast", down_seconds: float = 0.0) -> None:
        self.stop(mode=mode)
        if down_seconds:
            time.sleep(down_seconds)
        self.start()

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def wait_until_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.url(), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def create_database(self, name: str) -> str:
        """CREATE DATABASE `name`; its URL."""
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def destroy(self) -> None:
        """Stop the server (at once) and delete its folder."""
        if self.is_running():
            with contextlib.suppress(RuntimeError):
                self.stop(mode="immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "PostgresCluster":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.destroy()
