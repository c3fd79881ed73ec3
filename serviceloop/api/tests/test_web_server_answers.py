"""What the web server itself answers, before the API runs, is in the document too: gunicorn
(`serviceloop serve`) refuses a path and query string longer than it reads with its own 414
HTML page (found by schemathesis), and the document promises exactly that."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import contract

REPO = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """`serviceloop serve` with one worker on a free port (nothing here reaches the database)."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "serviceloop", "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", "1"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/v1/no-such-thing", timeout=10)  # noqa: S310
            except urllib.error.HTTPError:
                break  # it answers (a 404 problem)
            except OSError:
                assert process.poll() is None, "serviceloop serve stopped"
                assert time.monotonic() < deadline, "serviceloop serve did not answer"
                time.sleep(0.3)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_a_too_long_address_is_refused_as_the_document_says(served):
    # given an address of the ticket list longer than the web server reads
    path = "/api/v1/tickets"
    query = "?q=" + "x" * 5000

    # when it is asked for
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(served + path + query, timeout=30)  # noqa: S310

    # then the server answers 414 with an HTML page, which the document promises
    assert refused.value.code == 414
    content_type = refused.value.headers["Content-Type"].split(";")[0]
    assert content_type == "text/html"
    documented = contract.document()["paths"][path]["get"]["responses"]["414"]
    assert list(documented["content"]) == [content_type]
