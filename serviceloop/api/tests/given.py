"""Starting points and readings shared by the endpoint tests."""

import struct
import zlib
from typing import Any
from urllib.parse import urlsplit

from serviceloop.accounts.models import User
from serviceloop.tickets import services
from serviceloop.tickets.models import Ticket
from tests.builders import Api, make_ticket

PROBLEM = "application/problem+json"

# How each status is reached from "new", through the real use case.
_PATHS: dict[str, tuple[str, ...]] = {
    "new": (),
    "in_progress": ("in_progress",),
    "waiting_customer": ("waiting_customer",),
    "resolved": ("resolved",),
    "closed": ("resolved", "closed"),
}


def ticket_in(status: str, *, actor: User, **fields: Any) -> Ticket:
    """A ticket created by `actor` (through create_ticket) and moved to `status` by them."""
    ticket = make_ticket(actor, **fields)
    for step in _PATHS[status]:
        ticket = services.transition_ticket(
            ticket=ticket, to=step, actor=actor, resolution="A new parcel was sent"
        )
    return Ticket.objects.get(pk=ticket.pk)


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny, grey) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    pixels = b"".join(b"\x00" + b"\x80" * width for _row in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def local(url: str) -> str:
    """The path and query of an absolute URL the API handed out."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def walk(api: Api, params: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """Follow `next` from the first page of GET /tickets; the numbers seen and the pages."""
    response = api.get("tickets", params)
    assert response.status_code == 200, response.content
    pages = [response.json()]
    while pages[-1]["next"]:
        response = api.get(local(pages[-1]["next"]))
        assert response.status_code == 200, response.content
        pages.append(response.json())
    return [item["number"] for page in pages for item in page["items"]], pages


def numbers(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]
