"""GET /api/v1/tickets/{number}: the ticket with its conversation, commitments and files;
what a customer may not see is left out; merged duplicates show in the ticket they joined."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from serviceloop.core import clock
from serviceloop.tickets import services
from serviceloop.tickets.models import Ticket
from tests.builders import Api, make_ticket

from .given import PROBLEM, png_bytes


@pytest.fixture
def own_ticket(customer_user, agent):
    """A ticket the customer submitted in the portal (it goes to support, the agent's team)."""
    return make_ticket(customer_user, description="My parcel SF1024 has not arrived")


@pytest.fixture
def worked_ticket(own_ticket, agent):
    """The customer's ticket with a logged call, a reply, an internal note, a promise and
    two files."""
    services.add_interaction(
        ticket=own_ticket, actor=agent, content="Called: the parcel is at the depot",
        channel="phone", emotion="angry",
    )  # fmt: skip
    reply = services.add_interaction(
        ticket=own_ticket, actor=agent, content="Your parcel is at the depot.", emotion="neutral"
    )
    services.add_interaction(
        ticket=own_ticket, actor=agent, content="Courier blames the weather", is_internal=True
    )
    services.create_commitment(
        ticket=own_ticket, actor=agent, text="We call you before 10:00 tomorrow",
        due_at=clock.now() + timedelta(days=1),
    )  # fmt: skip
    services.add_attachment(
        ticket=own_ticket, actor=agent, interaction=reply,
        upload=SimpleUploadedFile("label.png", png_bytes(), content_type="image/png"),
    )  # fmt: skip
    services.add_attachment(
        ticket=own_ticket, actor=agent, is_internal=True,
        upload=SimpleUploadedFile("notes.txt", b"depot manager: Mr Zhao\n"),
    )  # fmt: skip
    return Ticket.objects.get(pk=own_ticket.pk)


def test_it_embeds_the_conversation_commitments_and_files_for_staff(
    agent_api, agent, worked_ticket
):
    response = agent_api.get(f"tickets/{worked_ticket.number}")
    assert response.status_code == 200, response.content
    ticket = response.json()
    assert ticket["number"] == worked_ticket.number
    assert [(i["content"], i["kind"], i["emotion"]) for i in ticket["interactions"]] == [
        ("Called: the parcel is at the depot", "log", "angry"),
        ("Your parcel is at the depot.", "reply", "neutral"),
        ("Courier blames the weather", "note", None),
    ]
    call = ticket["interactions"][0]
    assert call["ticket"] == worked_ticket.number
    assert call["direction"] == "outbound"
    assert call["channel"] == "phone"
    assert call["author"] == {"id": agent.pk, "name": "王芳"}
    assert [(c["text"], c["status"]) for c in ticket["commitments"]] == [
        ("We call you before 10:00 tomorrow", "open")
    ]
    assert ticket["commitments"][0]["owner"] == {"id": agent.pk, "name": "王芳"}
    assert [
        (a["filename"], a["content_type"], a["is_internal"]) for a in ticket["attachments"]
    ] == [
        ("label.png", "image/png", False),
        ("notes.txt", "text/plain", True),
    ]
    assert ticket["attachments"][0]["url"].startswith("/api/v1/attachments/")
    assert ticket["team"]["code"] == "support"
    assert ticket["urgency"] == "medium"
    assert ticket["custom_fields"] == {}
    assert ticket["merged_tickets"] == []
    assert ticket["merged_into"] is None
    assert response["ETag"] == f'"{worked_ticket.number}-v{worked_ticket.version}"'


def test_it_hides_internal_notes_emotion_and_staff_fields_from_the_customer(
    customer_api, worked_ticket
):
    response = customer_api.get(f"tickets/{worked_ticket.number}")
    assert response.status_code == 200, response.content
    ticket = response.json()
    # only the reply, without the emotion staff noted; not the call staff logged
    assert [(i["content"], i["emotion"]) for i in ticket["interactions"]] == [
        ("Your parcel is at the depot.", None)
    ]
    assert "Called" not in response.content.decode()
    assert "Courier blames the weather" not in response.content.decode()
    # only the public file
    assert [a["filename"] for a in ticket["attachments"]] == ["label.png"]
    # the promise, without who inside the company owns it
    assert [c["text"] for c in ticket["commitments"]] == ["We call you before 10:00 tomorrow"]
    assert ticket["commitments"][0]["owner"] is None
    # staff-only fields are null
    for name in ("team", "assignee", "urgency", "custom_fields", "reopen_count"):
        assert ticket[name] is None, name
    assert ticket["status"] == "in_progress"
    assert ticket["allowed_transitions"] == []


def test_it_changes_the_etag_when_the_ticket_changes(agent_api, own_ticket):
    before = agent_api.get(f"tickets/{own_ticket.number}")
    patched = agent_api.patch(f"tickets/{own_ticket.number}", {"subject": "Parcel SF1024 lost"})
    assert patched.status_code == 200, patched.content
    after = agent_api.get(f"tickets/{own_ticket.number}")
    assert before["ETag"] != after["ETag"]
    assert after["ETag"] == patched["ETag"]
    assert after.json()["version"] == before.json()["version"] + 1
    assert after.json()["subject"] == "Parcel SF1024 lost"


def test_it_shows_the_conversation_of_a_merged_duplicate_in_the_ticket_it_joined(
    agent_api, agent, customer_user
):
    # given two tickets of the same customer, each with a call
    target = make_ticket(customer_user, description="My parcel has not arrived")
    duplicate = make_ticket(customer_user, description="Where is my parcel? Nobody answers")
    services.add_interaction(ticket=target, actor=agent, content="Told them about the depot")
    services.add_interaction(ticket=duplicate, actor=agent, content="They called again")
    services.create_commitment(
        ticket=duplicate, actor=agent, text="Call back at 10:00",
        due_at=clock.now() + timedelta(days=1),
    )  # fmt: skip
    # when the agent merges the duplicate into the target
    merged = agent_api.post(f"tickets/{duplicate.number}/merge", {"into": target.number})
    assert merged.status_code == 200, merged.content
    # then the target shows both conversations, each with its own ticket number
    response = agent_api.get(f"tickets/{target.number}")
    assert response.status_code == 200, response.content
    ticket = response.json()
    assert ticket["merged_tickets"] == [duplicate.number]
    assert [c["text"] for c in ticket["commitments"]] == ["Call back at 10:00"]  # moved over
    assert {(i["content"], i["ticket"]) for i in ticket["interactions"]} == {
        ("Told them about the depot", target.number),
        ("They called again", duplicate.number),
    }
    # and the duplicate says where it went
    gone = agent_api.get(f"tickets/{duplicate.number}").json()
    assert gone["merged_into"] == target.number
    assert gone["status"] == "closed"
    assert gone["commitments"] == []
    # the customer sees the merged conversation too
    mine = Api(customer_user).get(f"tickets/{target.number}").json()
    assert {i["ticket"] for i in mine["interactions"]} == {target.number, duplicate.number}


@pytest.mark.parametrize("chain", [1, 2], ids=["merged directly", "merged through another"])
def test_it_serves_the_files_of_merged_duplicates_from_the_ticket_they_joined(
    agent_api, admin_user, customer_user, other_team, chain
):
    # given billing tickets of a customer, the first with a file, merged one into the next
    # and the last into a support ticket the agent works
    target = make_ticket(customer_user, description="My parcel has not arrived")
    duplicates = [
        make_ticket(admin_user, team="billing", customer_id=customer_user.customer.pk,
                    description=f"Charged for a parcel that never came ({n})")
        for n in range(chain)
    ]  # fmt: skip
    services.add_attachment(
        ticket=duplicates[0], actor=admin_user,
        upload=SimpleUploadedFile("receipt.png", png_bytes(), content_type="image/png"),
    )  # fmt: skip
    for ticket, into in zip(duplicates, [*duplicates[1:], target], strict=True):
        services.merge_ticket(ticket=ticket, into=into, actor=admin_user)
    # when an agent of support reads the target
    detail = agent_api.get(f"tickets/{target.number}").json()
    # then the file is listed and can be downloaded, by the agent as by the customer
    assert set(detail["merged_tickets"]) == {d.number for d in duplicates}
    assert [a["filename"] for a in detail["attachments"]] == ["receipt.png"]
    url = detail["attachments"][0]["url"]
    response = agent_api.get(url)
    assert response.status_code == 200, response.content
    assert b"".join(response.streaming_content) == png_bytes()
    assert Api(customer_user).get(url).status_code == 200


def test_it_answers_404_problem_for_a_number_that_does_not_exist(agent_api, team):
    response = agent_api.get("tickets/CS-20260101-999999")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


DETAIL_QUERIES = 6  # token+user, ticket, merged ids, interactions, commitments, files


@pytest.mark.parametrize("interactions", [5, 20])
def test_it_reads_a_ticket_in_a_constant_number_of_queries(
    agent_api, agent, teammate, supervisor, own_ticket, django_assert_num_queries, interactions
):
    # given a conversation of several authors, a promise and a file
    authors = [agent, teammate, supervisor]
    for n in range(interactions):
        services.add_interaction(
            ticket=own_ticket, actor=authors[n % 3], content=f"Contact {n}",
            is_internal=n % 4 == 3,
        )  # fmt: skip
    services.create_commitment(
        ticket=own_ticket, actor=agent, text="Call back", due_at=clock.now() + timedelta(days=1)
    )
    assert agent_api.get(f"tickets/{own_ticket.number}").status_code == 200  # token used now
    # when the ticket is read, the number of queries does not depend on its length
    with django_assert_num_queries(DETAIL_QUERIES):
        response = agent_api.get(f"tickets/{own_ticket.number}")
    assert len(response.json()["interactions"]) == interactions


def test_it_reads_a_ticket_with_merged_duplicates_in_constant_queries(
    agent_api, agent, customer_user, django_assert_num_queries
):
    target = make_ticket(customer_user, description="My parcel has not arrived")
    for n in range(3):
        duplicate = make_ticket(customer_user, description=f"Parcel question number {n}")
        services.add_interaction(ticket=duplicate, actor=agent, content=f"Call {n}")
        services.merge_ticket(ticket=duplicate, into=target, actor=agent)
    assert agent_api.get(f"tickets/{target.number}").status_code == 200
    # one more for the numbers of the merged tickets (the merge tree is one recursive query)
    with django_assert_num_queries(DETAIL_QUERIES + 1):
        response = agent_api.get(f"tickets/{target.number}")
    assert len(response.json()["merged_tickets"]) == 3
