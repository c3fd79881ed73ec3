"""The web server under test: gunicorn with serviceloop's WSGI application, as
`serviceloop serve` runs it (2 x cores workers), started and stopped by PID."""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import psutil

from .config import REPO_DIR, TMP_DIR

HOST = "127.0.0.1"
PORT = 8765


@dataclass(frozen=True)
class WorkerMemory:
    pid: int
    rss_mb: float
    peak_rss_mb: float  # VmHWM


@dataclass
class Gunicorn:
    database_url: str
    worker_class: str = "sync"
    threads: int = 1
    workers: int = 2 * (os.cpu_count() or 1)
    host: str = HOST
    port: int = PORT
    process: subprocess.Popen[bytes] | None = None
    worker_pids: set[int] = field(default_factory=set)

    @property
    def label(self) -> str:
        threads = f" x {self.threads} threads" if self.worker_class == "gthread" else ""
        return f"gunicorn {self.workers} {self.worker_class} workers{threads}"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def log_path(self) -> Path:
        return TMP_DIR / f"gunicorn-{self.worker_class}.log"

    def command(self) -> list[str]:
        command = [
            sys.executable, "-m", "gunicorn", "serviceloop.wsgi:application",
            "--bind", f"{self.host}:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", self.worker_class,
            "--graceful-timeout", "10",
            "--no-control-socket",  # leave the default socket to a developer's own server
            "--chdir", str(REPO_DIR),
        ]  # fmt: skip
        if self.worker_class == "gthread":
            command += ["--threads", str(self.threads)]
        return command

    def start(self) -> None:
        if _listening(self.host, self.port):
            raise RuntimeError(f"{self.host}:{self.port} is already in use: stop that server first")
        TMP_DIR.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "DATABASE_URL": self.database_url, "DEBUG": "0"}
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(), env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_DIR
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start; see {self.log_path}")
            self.worker_pids |= {child.pid for child in self._children()}
            if (
                len(self._children()) >= self.workers
                and _listening(self.host, self.port)
                and _answers(self.host, self.port)
            ):
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not come up in 60 s; see {self.log_path}")

    def _children(self) -> list[psutil.Process]:
        if self.process is None:
            return []
        try:
            return psutil.Process(self.process.pid).children()
        except psutil.NoSuchProcess:
            return []

    def memory(self) -> list[WorkerMemory]:
        """RSS and peak RSS (VmHWM) of every live worker."""
        found = []
        for child in self._children():
            self.worker_pids.add(child.pid)
            try:
                status = Path(f"/proc/{child.pid}/status").read_text()
            except FileNotFoundError:
                continue
            found.append(
                WorkerMemory(child.pid, _status_mb(status, "VmRSS"), _status_mb(status, "VmHWM"))
            )
        return found

    def stop(self) -> None:
        """SIGTERM to the master (it stops its workers); SIGKILL whatever is left after 20 s."""
        if self.process is None:
            return
        self.worker_pids |= {child.pid for child in self._children()}
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in self.worker_pids:
            try:
                worker = psutil.Process(pid)
                orphan = worker.ppid() in (self.process.pid, 1)
                if orphan and "gunicorn" in " ".join(worker.cmdline()):
                    worker.kill()
            except psutil.NoSuchProcess:
                pass
        self.process = None

    def __enter__(self) -> "Gunicorn":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _status_mb(status: str, key: str) -> float:
    match = re.search(rf"^{key}:\s+(\d+) kB", status, re.MULTILINE)
    return round(int(match.group(1)) / 1024, 1) if match else 0.0


def _answers(host: str, port: int) -> bool:
    """Whether a worker has loaded the application and answers (the master listens at once;
    each worker imports Django and the URLconf first, seconds on a busy machine)."""
    connection = http.client.HTTPConnection(host, port, timeout=5)
    try:
        connection.request("GET", "/api/v1/tickets")
        connection.getresponse().read()
    except OSError:
        return False
    finally:
        connection.close()
    return True


def _listening(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0
