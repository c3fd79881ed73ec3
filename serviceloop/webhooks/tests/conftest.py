"""A real HTTP receiver on loopback that records each request and answers as told."""

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from serviceloop.webhooks import services
from serviceloop.webhooks.models import Endpoint, EndpointKind


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next (status, delay in seconds) of `script`, then with
    `default`; `requests` holds what arrived, in order."""

    url: str = ""
    script: deque[tuple[int, float]] = field(default_factory=deque)
    default: tuple[int, float] = (200, 0.0)
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, *responses: int | tuple[int, float]) -> None:
        for response in responses:
            self.script.append(response if isinstance(response, tuple) else (response, 0.0))

    def next_answer(self) -> tuple[int, float]:
        with self.lock:
            return self.script.popleft() if self.script else self.default


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with state.lock:
                state.requests.append(Received(self.path, dict(self.headers.items()), body))
            status, delay = state.next_answer()
            if delay:
                time.sleep(delay)
            reply = b'{"ok": true}' if status < 400 else b"receiver says no"
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _tasks_in_process(settings) -> None:
    """Deliveries are sent where they are enqueued, whatever queue TASKS_BACKEND names (the
    worker tests cover the queues themselves)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fresh_endpoints() -> Iterator[None]:
    """No endpoint list cached from an earlier test (its rows were rolled back)."""
    services.forget()
    yield
    services.forget()


@pytest.fixture
def endpoint(db, receiver: Receiver) -> Endpoint:
    return Endpoint.objects.create(name="CRM", url=receiver.url)


@pytest.fixture
def sms_gateway(db, receiver: Receiver) -> Endpoint:
    return Endpoint.objects.create(name="SMS", url=receiver.url + "/sms", kind=EndpointKind.SMS)
