"""scripts/keep-running, which `make run` wraps `serviceloop worker` in: a child that is
killed or fails is started again; one that exits 0 is not; SIGTERM stops the child (with
SIGTERM, so that it finishes its task) and the script."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "keep-running"

# notes "<pid> started" and, on SIGTERM, "<pid> stopped" in the file; exits with argv[2]
# after argv[3] seconds (never when "-")
CHILD = """
import os, signal, sys, time
log, code, after = sys.argv[1], sys.argv[2], sys.argv[3]
def note(what):
    with open(log, "a") as f:
        f.write(f"{os.getpid()} {what}\\n")
def stopped(signum, frame):
    note("stopped")
    sys.exit(0)
signal.signal(signal.SIGTERM, stopped)
note("started")
if after != "-":
    time.sleep(float(after))
    sys.exit(int(code))
while True:
    time.sleep(0.05)
"""


def _keep_running(log: Path, code: int = 0, after: str = "-") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(SCRIPT), sys.executable, "-c", CHILD, str(log), str(code), after],
        env={**os.environ, "KEEP_RUNNING_DELAY": "0.2"}, text=True, stderr=subprocess.PIPE,
    )  # fmt: skip


def _notes(log: Path) -> list[tuple[int, str]]:
    lines = log.read_text().splitlines() if log.exists() else []
    return [(int(pid), what) for pid, what in (line.split() for line in lines)]


def _wait_for(condition, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.05)


def _started(log: Path) -> list[int]:
    return [pid for pid, what in _notes(log) if what == "started"]


def test_a_killed_child_is_started_again_and_sigterm_stops_both(tmp_path):
    log = tmp_path / "child.log"
    keeper = _keep_running(log)
    try:
        _wait_for(lambda: len(_started(log)) == 1, "the child starts")
        first = _started(log)[0]
        os.kill(first, signal.SIGKILL)
        _wait_for(lambda: len(_started(log)) == 2, "the child starts again")
        second = _started(log)[1]
        assert second != first

        keeper.send_signal(signal.SIGTERM)
        assert keeper.wait(timeout=10) == 0
    finally:
        if keeper.poll() is None:
            keeper.kill()
    assert _notes(log)[-1] == (second, "stopped"), "the child was stopped with SIGTERM"
    assert "exited with status 137; starting it again in 0.2 s" in keeper.stderr.read()


def test_a_failing_child_is_started_again(tmp_path):
    log = tmp_path / "child.log"
    keeper = _keep_running(log, code=3, after="0.1")
    try:
        _wait_for(lambda: len(_started(log)) >= 3, "three starts")
    finally:
        keeper.send_signal(signal.SIGTERM)
        keeper.wait(timeout=10)
    assert "exited with status 3" in keeper.stderr.read()


def test_a_child_that_exits_0_ends_it(tmp_path):
    log = tmp_path / "child.log"
    keeper = _keep_running(log, code=0, after="0.1")

    assert keeper.wait(timeout=10) == 0
    assert len(_started(log)) == 1
