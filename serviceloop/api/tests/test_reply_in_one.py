"""POST /tickets/{number}/interactions is the composer's use case (post_interaction): a
reply with its promise and its files is stored together or not at all, in JSON or in
multipart/form-data; a customer's or partner's message is on the door it came through."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from serviceloop.core import clock
from serviceloop.tickets.models import Attachment, Commitment, Interaction, Ticket
from tests.builders import ELF, field_errors, make_ticket

from .conftest import stored_state
from .given import png_bytes


@pytest.fixture
def own_ticket(customer_user, team):
    return make_ticket(customer_user, description="My parcel has not arrived")


def tomorrow() -> str:
    return (clock.now() + timedelta(days=1)).isoformat()


def post_form(api, ticket, fields, files=()):
    return api.client.post(
        f"/api/v1/tickets/{ticket.number}/interactions",
        {**fields, "files": list(files)},
        headers=api.headers,
    )


def test_a_reply_with_a_promise_is_one_write(agent_api, agent, own_ticket):
    response = agent_api.post(
        f"tickets/{own_ticket.number}/interactions",
        {
            "content": "We call you back",
            "commitment_text": "Call back",
            "commitment_due": tomorrow(),
        },
    )
    assert response.status_code == 201, response.content
    promise = Commitment.objects.get(ticket=own_ticket)
    assert (promise.text, promise.owner, promise.status) == ("Call back", agent, "open")
    assert Interaction.objects.get(pk=response.json()["id"]).content == "We call you back"


@pytest.mark.parametrize(
    ("promise", "field"),
    [
        ({"commitment_text": "Call back"}, "commitment_due"),
        ({"commitment_due": "2026-01-01T10:00:00+08:00"}, "commitment_text"),
        ({"commitment_text": "Call back", "commitment_due": "2020-01-01T10:00:00+08:00"},
         "commitment_due"),
    ],
)  # fmt: skip
def test_a_refused_promise_stores_no_reply_either(agent_api, own_ticket, promise, field):
    before = stored_state()
    response = agent_api.post(
        f"tickets/{own_ticket.number}/interactions", {"content": "We call you back", **promise}
    )
    assert response.status_code == 422, response.content
    assert field in field_errors(response)
    assert stored_state() == before


def test_a_reply_comes_with_its_files_in_a_form(agent_api, own_ticket, media):
    image = png_bytes()
    response = post_form(
        agent_api,
        own_ticket,
        {"content": "The label, and our promise", "commitment_text": "Resend",
         "commitment_due": tomorrow(), "emotion": "neutral"},
        [SimpleUploadedFile("label.png", image), SimpleUploadedFile("more.png", image)],
    )  # fmt: skip
    assert response.status_code == 201, response.content
    reply = Interaction.objects.get(pk=response.json()["id"])
    assert (reply.direction, reply.emotion) == ("outbound", "neutral")
    files = Attachment.objects.filter(interaction=reply)
    assert sorted(a.filename for a in files) == ["label.png", "more.png"]
    assert Commitment.objects.filter(ticket=own_ticket, text="Resend").exists()


def test_a_refused_file_stores_nothing_and_leaves_no_file_behind(agent_api, own_ticket, media):
    before = stored_state()
    response = post_form(
        agent_api,
        own_ticket,
        {"content": "Papers", "commitment_text": "Call back", "commitment_due": tomorrow()},
        [SimpleUploadedFile("good.png", png_bytes()), SimpleUploadedFile("tool.exe", ELF)],
    )
    assert response.status_code == 422, response.content
    assert field_errors(response) == {"attachments": "tool.exe: This type of file is not accepted."}
    assert stored_state() == before
    assert [p for p in Path(media).rglob("*") if p.is_file()] == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"content": "bad\x00byte"}, "content"),
        ({"content": "x" * 20_001}, "content"),
        ({"content": "Hi", "is_internal": "perhaps"}, "is_internal"),
        ({"content": "Hi", "urgent": "yes"}, "urgent"),
        ({}, "content"),
    ],
)
def test_a_bad_form_is_refused_on_its_field(agent_api, own_ticket, fields, field):
    before = stored_state()
    response = post_form(agent_api, own_ticket, fields)
    assert response.status_code == 422, response.content
    assert field in field_errors(response)
    assert stored_state() == before


def test_a_customers_message_is_on_the_api_whatever_they_say(customer_api, own_ticket):
    response = customer_api.post(
        f"tickets/{own_ticket.number}/interactions", {"content": "Any news?"}
    )
    assert response.status_code == 201, response.content
    assert (response.json()["channel"], response.json()["direction"]) == ("api", "inbound")

    before = stored_state()
    refused = customer_api.post(
        f"tickets/{own_ticket.number}/interactions", {"content": "I called", "channel": "phone"}
    )
    assert refused.status_code == 422
    assert field_errors(refused) == {"channel": "Your role may not set this field."}
    assert stored_state() == before


def test_a_customer_cannot_promise_through_the_api(customer_api, own_ticket):
    before = stored_state()
    response = customer_api.post(
        f"tickets/{own_ticket.number}/interactions",
        {"content": "I send it", "commitment_text": "Photo", "commitment_due": tomorrow()},
    )
    assert response.status_code == 403, response.content
    assert stored_state() == before


@pytest.mark.parametrize("role", ["customer", "partner"])
def test_a_customers_or_partners_ticket_is_on_the_api(role, customer_api, partner_api):
    api = customer_api if role == "customer" else partner_api
    body = {"description": "The parcel is late"}
    if role == "partner":
        body["customer"] = {"phone": "13800138000", "name": "王芳"}
    response = api.post("tickets", body)
    assert response.status_code == 201, response.content
    assert Ticket.objects.get(number=response.json()["number"]).channel == "api"

    before = stored_state()
    refused = api.post("tickets", {**body, "description": "Again", "channel": "phone"})
    assert refused.status_code == 422
    assert field_errors(refused) == {"channel": "Your role may not set this field."}
    assert stored_state() == before


def test_the_openapi_document_offers_json_and_a_form_with_files(client):
    document = client.get("/api/v1/openapi.json").json()
    body = document["paths"]["/api/v1/tickets/{number}/interactions"]["post"]["requestBody"]
    assert set(body["content"]) == {"application/json", "multipart/form-data"}
    form = body["content"]["multipart/form-data"]["schema"]["properties"]
    assert form["files"]["items"]["format"] == "binary"
    assert {"content", "commitment_text", "commitment_due"} <= set(form)
    assert "$ref" not in str(body)  # it stands alone: the enums are written out
    channel = body["content"]["application/json"]["schema"]["properties"]["channel"]
    assert {"type": "string", "enum": ["phone", "web", "email", "chat", "sms", "onsite", "api"],
            "title": "Channel"} in channel["anyOf"]  # fmt: skip
