"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives: for the tests and
for bench/notify.py."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    at: float  # time.time() when the server had the whole message
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"]).strip()  # a folded header starts with a space

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content()).replace("\r\n", "\n")


@dataclass
class Sink:
    """aiosmtpd handler: accepts every message and keeps it."""

    received: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    port: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        item = Received(time.time(), envelope.mail_from, list(envelope.rcpt_tos), message)
        with self.arrived:
            self.received.append(item)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for_header(self, name: str, values: set[str], timeout: float = 10) -> None:
        """Wait until a mail with each of `values` in its header `name` has arrived."""

        def all_there() -> bool:
            return values <= {str(mail.message[name]) for mail in self.received}

        with self.arrived:
            if not self.arrived.wait_for(all_there, timeout):
                raise AssertionError(f"not every mail arrived within {timeout} s")

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"{len(self.received)} of {count} mails within {timeout} s")
            return list(self.received)


class _LoopbackController(Controller):
    """Controller on port 0: the port the system chose is read before the readiness check
    connects to it."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextmanager
def smtp_sink() -> Iterator[Sink]:
    sink = Sink()
    controller = _LoopbackController(sink, hostname="127.0.0.1", port=0)
    controller.start()
    sink.port = controller.port
    try:
        yield sink
    finally:
        controller.stop()


def closed_port() -> int:
    """A loopback port nobody listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def mailers_for(port: int) -> dict[str, Any]:
    """MAILERS sending over SMTP to 127.0.0.1:`port`."""
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
