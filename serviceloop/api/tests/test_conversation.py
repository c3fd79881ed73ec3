"""Interactions, commitments and attachments: POST /tickets/{number}/interactions,
PATCH /interactions/{id}, /commitments/..., and files up and down."""

import io
import zipfile
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock
from serviceloop.tickets import services
from serviceloop.tickets.models import Attachment, Commitment, Interaction, Ticket
from tests.builders import field_errors, make_ticket

from .given import PROBLEM, png_bytes, ticket_in


@pytest.fixture
def own_ticket(customer_user, team):
    return make_ticket(customer_user, description="My parcel has not arrived")


def in_hours(hours: int) -> str:
    return (clock.now() + timedelta(hours=hours)).isoformat()


# --- interactions --------------------------------------------------------------------------


def test_it_takes_a_staff_reply_as_the_first_response(agent_api, agent, own_ticket):
    response = agent_api.post(
        f"tickets/{own_ticket.number}/interactions",
        {"content": "We are looking for your parcel", "channel": "phone", "emotion": "neutral"},
    )
    assert response.status_code == 201, response.content
    interaction = response.json()
    assert interaction["ticket"] == own_ticket.number
    assert interaction["direction"] == "outbound"
    assert interaction["channel"] == "phone"
    assert interaction["emotion"] == "neutral"
    assert interaction["author"]["id"] == agent.pk
    ticket = Ticket.objects.get(pk=own_ticket.pk)
    assert ticket.first_response_at is not None
    assert ticket.status == "in_progress"
    assert AuditEvent.objects.filter(action="interaction.added").count() == 1


def test_it_does_not_take_a_customer_message_staff_recorded_for_a_response(agent_api, own_ticket):
    # DESIGN.md: first response = the first *outbound* interaction by staff
    response = agent_api.post(
        f"tickets/{own_ticket.number}/interactions",
        {"content": "Customer e-mailed the tracking number SF1024", "direction": "inbound",
         "channel": "email"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["direction"] == "inbound"
    assert Ticket.objects.get(pk=own_ticket.pk).first_response_at is None
    # the answer that follows is the first response
    answer = agent_api.post(
        f"tickets/{own_ticket.number}/interactions", {"content": "Thanks, we are checking"}
    )
    ticket = Ticket.objects.get(pk=own_ticket.pk)
    assert ticket.first_response_at == datetime.fromisoformat(answer.json()["occurred_at"])


def test_it_keeps_an_internal_note_from_counting_as_a_response(agent_api, own_ticket):
    response = agent_api.post(
        f"tickets/{own_ticket.number}/interactions",
        {"content": "Courier blames the weather", "is_internal": True},
    )
    assert response.status_code == 201, response.content
    assert response.json()["is_internal"] is True
    ticket = Ticket.objects.get(pk=own_ticket.pk)
    assert (ticket.first_response_at, ticket.status) == (None, "new")


def test_it_moves_a_waiting_ticket_back_to_work_when_the_customer_replies(
    customer_api, customer_user, agent
):
    ticket = make_ticket(customer_user, description="My parcel has not arrived")
    services.transition_ticket(ticket=ticket, to="waiting_customer", actor=agent)
    response = customer_api.post(
        f"tickets/{ticket.number}/interactions", {"content": "The order number is SF1024"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["direction"] == "inbound"
    assert response.json()["emotion"] is None
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"


def test_it_reopens_a_resolved_ticket_when_the_customer_replies(customer_api, customer_user, agent):
    ticket = make_ticket(customer_user, description="My parcel has not arrived")
    services.transition_ticket(ticket=ticket, to="resolved", actor=agent, resolution="Sent")
    response = customer_api.post(
        f"tickets/{ticket.number}/interactions", {"content": "It still has not arrived"}
    )
    assert response.status_code == 201, response.content
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.status == "in_progress"
    assert stored.reopen_count == 1
    assert AuditEvent.objects.get(action="ticket.reopened").note == "It still has not arrived"


def test_it_lists_the_conversation(agent_api, agent, own_ticket):
    for text in ("First call", "Second call"):
        services.add_interaction(ticket=own_ticket, actor=agent, content=text)
    response = agent_api.get(f"tickets/{own_ticket.number}/interactions")
    assert response.status_code == 200, response.content
    assert [i["content"] for i in response.json()] == ["First call", "Second call"]


def test_it_corrects_an_interaction(agent_api, agent, own_ticket):
    interaction = services.add_interaction(
        ticket=own_ticket, actor=agent, content="Callled the customer", emotion="neutral"
    )
    response = agent_api.patch(
        f"interactions/{interaction.pk}", {"content": "Called the customer", "emotion": "angry"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["content"] == "Called the customer"
    assert response.json()["emotion"] == "angry"
    assert response.json()["edited_at"] is not None
    stored = Interaction.objects.get(pk=interaction.pk)
    assert (stored.content, stored.emotion) == ("Called the customer", "angry")
    event = AuditEvent.objects.get(action="interaction.edited")
    assert event.before == {"content": "Callled the customer", "emotion": "neutral"}
    assert event.after == {"content": "Called the customer", "emotion": "angry"}


def test_it_clears_the_emotion_of_an_interaction(agent_api, agent, own_ticket):
    interaction = services.add_interaction(
        ticket=own_ticket, actor=agent, content="Called", emotion="angry"
    )
    response = agent_api.patch(f"interactions/{interaction.pk}", {"emotion": None})
    assert response.status_code == 200, response.content
    assert response.json()["emotion"] is None
    assert Interaction.objects.get(pk=interaction.pk).emotion == ""


# --- commitments ---------------------------------------------------------------------------


def promise(api, ticket, **fields):
    body = {"text": "We call you before 10:00 tomorrow", "due_at": in_hours(20), **fields}
    return api.post(f"tickets/{ticket.number}/commitments", body)


def test_it_records_a_commitment(agent_api, agent, own_ticket):
    response = promise(agent_api, own_ticket)
    assert response.status_code == 201, response.content
    commitment = response.json()
    assert commitment["status"] == "open"
    assert commitment["owner"] == {"id": agent.pk, "name": "王芳"}
    assert commitment["renegotiated_from"] is None
    assert Commitment.objects.get().ticket_id == own_ticket.pk
    listed = agent_api.get(f"tickets/{own_ticket.number}/commitments").json()
    assert [c["id"] for c in listed] == [commitment["id"]]
    assert AuditEvent.objects.filter(action="commitment.created").count() == 1


def test_it_records_a_commitment_owned_by_a_teammate(agent_api, teammate, own_ticket):
    response = promise(agent_api, own_ticket, owner=teammate.pk)
    assert response.status_code == 201, response.content
    assert response.json()["owner"]["id"] == teammate.pk


@pytest.mark.parametrize(("action", "status"), [("keep", "kept"), ("miss", "missed")])
def test_it_settles_a_commitment(agent_api, own_ticket, action, status):
    created = promise(agent_api, own_ticket).json()
    response = agent_api.post(f"commitments/{created['id']}/{action}")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == status
    assert response.json()["settled_at"] is not None
    assert Commitment.objects.get().status == status
    assert AuditEvent.objects.filter(action=f"commitment.{status}").count() == 1
    # a settled promise cannot be settled again
    again = agent_api.post(f"commitments/{created['id']}/keep")
    assert again.status_code == 409, again.content
    assert again["Content-Type"] == PROBLEM


def test_it_renegotiates_a_commitment_into_a_new_one(agent_api, own_ticket):
    old = promise(agent_api, own_ticket).json()
    new_due = in_hours(48)
    response = agent_api.post(
        f"commitments/{old['id']}/renegotiate",
        {"due_at": new_due, "reason": "The depot is closed for the holiday"},
    )
    assert response.status_code == 201, response.content
    new = response.json()
    assert new["id"] != old["id"]
    assert new["status"] == "open"
    assert new["renegotiated_from"] == old["id"]
    assert new["text"] == old["text"]
    listed = {c["id"]: c for c in agent_api.get(f"tickets/{own_ticket.number}/commitments").json()}
    assert listed[old["id"]]["status"] == "renegotiated"
    assert listed[old["id"]]["reason"] == "The depot is closed for the holiday"
    assert listed[new["id"]]["status"] == "open"


def test_it_renegotiates_a_missed_commitment(agent_api, own_ticket):
    old = promise(agent_api, own_ticket).json()
    assert agent_api.post(f"commitments/{old['id']}/miss").status_code == 200
    response = agent_api.post(
        f"commitments/{old['id']}/renegotiate",
        {"due_at": in_hours(30), "reason": "We apologised and agreed on Friday"},
    )
    assert response.status_code == 201, response.content
    assert Commitment.objects.get(pk=old["id"]).status == "renegotiated"
    assert Commitment.objects.get(pk=response.json()["id"]).status == "open"


def test_it_renegotiates_with_new_wording(agent_api, own_ticket):
    old = promise(agent_api, own_ticket).json()
    response = agent_api.post(
        f"commitments/{old['id']}/renegotiate",
        {"due_at": in_hours(30), "reason": "Courier ill", "text": "We call you on Friday"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["text"] == "We call you on Friday"


# --- attachments ---------------------------------------------------------------------------


def upload(api, ticket, name, content, **form):
    return api.client.post(
        f"/api/v1/tickets/{ticket.number}/attachments",
        {"file": SimpleUploadedFile(name, content), **form},
        headers=api.headers,
    )


def download(api, url):
    response = api.get(url)
    assert response.status_code == 200, response
    return response, b"".join(response.streaming_content)


def test_it_stores_a_png_and_gives_back_the_same_bytes(agent_api, agent, own_ticket):
    image = png_bytes()
    response = upload(agent_api, own_ticket, "label.png", image)
    assert response.status_code == 201, response.content
    attachment = response.json()
    assert attachment["filename"] == "label.png"
    assert attachment["content_type"] == "image/png"
    assert attachment["size"] == len(image)
    assert attachment["is_internal"] is False
    stored = Attachment.objects.get()
    assert stored.uploaded_by == agent
    assert AuditEvent.objects.filter(action="attachment.added").count() == 1

    got, content = download(agent_api, attachment["url"])
    assert content == image
    assert got["Content-Type"] == "image/png"
    assert got["Content-Disposition"].startswith("attachment")
    assert "label.png" in got["Content-Disposition"]
    assert got["X-Content-Type-Options"] == "nosniff"


def test_it_stores_a_text_file_for_the_customer_too(customer_api, own_ticket):
    text = "快递单号 SF1024\nThe box was open.\n".encode()
    response = upload(customer_api, own_ticket, "note.txt", text)
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "text/plain"
    got, content = download(customer_api, response.json()["url"])
    assert content == text
    assert got["Content-Disposition"].startswith("attachment")
    assert got["X-Content-Type-Options"] == "nosniff"
    listed = customer_api.get(f"tickets/{own_ticket.number}/attachments").json()
    assert [a["filename"] for a in listed] == ["note.txt"]


def test_it_keeps_a_chinese_file_name(agent_api, own_ticket):
    response = upload(agent_api, own_ticket, "快递单.png", png_bytes())
    assert response.status_code == 201, response.content
    assert response.json()["filename"] == "快递单.png"
    got, content = download(agent_api, response.json()["url"])
    assert content == png_bytes()
    disposition = got["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "%E5%BF%AB%E9%80%92%E5%8D%95.png" in disposition  # RFC 5987 filename*


def test_a_gif_that_is_also_a_page_is_stored_and_served_as_a_gif(
    agent_api, customer_api, own_ticket
):
    polyglot = b"GIF89a\x01\x00\x01\x00\x00\x00\x00<html><script>alert(document.domain)</script>"
    response = upload(customer_api, own_ticket, "page.html", polyglot)
    assert response.status_code == 201, response.content
    assert (response.json()["filename"], response.json()["content_type"]) == (
        "page.gif",
        "image/gif",
    )

    got, content = download(agent_api, response.json()["url"])

    assert content == polyglot
    assert got["Content-Type"] == "image/gif"
    assert got["Content-Disposition"] == 'attachment; filename="page.gif"'
    assert got["X-Content-Type-Options"] == "nosniff"


def test_it_refuses_a_zip_bomb_on_the_file_field(agent_api, own_ticket):
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("zeros.bin", "w") as entry,
    ):
        for _ in range(20):
            entry.write(bytes(1024 * 1024))

    response = upload(agent_api, own_ticket, "evidence.zip", buffer.getvalue())

    assert response.status_code == 422, response.content
    assert field_errors(response) == {
        "file": "The archive unpacks to more than 100 times its size, as archive bombs do."
    }
    assert not Attachment.objects.exists()


def test_it_attaches_a_file_to_an_interaction(agent_api, agent, own_ticket):
    interaction = services.add_interaction(ticket=own_ticket, actor=agent, content="Photo sent")
    response = upload(agent_api, own_ticket, "box.png", png_bytes(), interaction=interaction.pk)
    assert response.status_code == 201, response.content
    assert Attachment.objects.get().interaction == interaction


def test_it_keeps_an_internal_file_from_the_customer(agent_api, customer_api, own_ticket):
    response = upload(agent_api, own_ticket, "memo.txt", b"internal memo\n", is_internal=True)
    assert response.status_code == 201, response.content
    assert response.json()["is_internal"] is True
    assert customer_api.get(f"tickets/{own_ticket.number}/attachments").json() == []
    assert customer_api.get(response.json()["url"]).status_code == 404


@override_settings(ATTACHMENT_MAX_BYTES=1024)
def test_it_refuses_a_file_over_the_size_limit(agent_api, own_ticket):
    response = upload(agent_api, own_ticket, "big.txt", b"a" * 1025)
    assert response.status_code == 422, response.content
    assert "file" in field_errors(response)
    assert not Attachment.objects.exists()
    # one at the limit is fine
    assert upload(agent_api, own_ticket, "fits.txt", b"a" * 1024).status_code == 201


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
        ("tool", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64),
        ("page.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("photo.png", b"<html><body>not a picture</body></html>"),
    ],
)
def test_it_refuses_a_type_of_file_it_does_not_accept(agent_api, own_ticket, name, content):
    response = upload(agent_api, own_ticket, name, content)
    assert response.status_code == 422, response.content
    assert "file" in field_errors(response)
    assert not Attachment.objects.exists()


def test_it_refuses_to_record_on_a_closed_ticket(agent_api, agent):
    closed = ticket_in("closed", actor=agent, description="Parcel lost")
    response = agent_api.post(f"tickets/{closed.number}/interactions", {"content": "Hello?"})
    assert response.status_code == 409, response.content
    assert not Interaction.objects.exists()
