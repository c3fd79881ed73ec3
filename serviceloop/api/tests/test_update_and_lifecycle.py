"""PATCH /api/v1/tickets/{number} and the use cases with endpoints of their own: transition,
assign, transfer, urgency, merge; each leaves its trace in GET /tickets/{number}/audit."""

import pytest

from serviceloop.audit.models import AuditEvent
from serviceloop.tickets import services
from serviceloop.tickets.models import CustomField, Ticket
from tests.builders import field_errors, make_ticket, make_user

from .given import PROBLEM, numbers, ticket_in


@pytest.fixture
def ticket(agent, category):
    return make_ticket(agent, description="My parcel has not arrived", category="delivery")


def audit_actions(api, number):
    response = api.get(f"tickets/{number}/audit")
    assert response.status_code == 200, response.content
    return [event["action"] for event in response.json()]


# --- PATCH ---------------------------------------------------------------------------------


def test_it_edits_the_details_and_search_finds_the_new_words(agent_api, agent, ticket):
    assert numbers(agent_api.get("tickets", {"q": "umbrella"})) == []
    response = agent_api.patch(
        f"tickets/{ticket.number}",
        {"subject": "Broken umbrella", "description": "The umbrella arrived broken",
         "kind": "complaint", "order_ref": "SF2048"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    changed = response.json()
    assert (changed["subject"], changed["kind"], changed["order_ref"]) == (
        "Broken umbrella", "complaint", "SF2048",
    )  # fmt: skip
    assert changed["version"] == ticket.version + 1
    assert response["ETag"] == f'"{ticket.number}-v{ticket.version + 1}"'
    # the new words are found, the old ones no longer
    assert numbers(agent_api.get("tickets", {"q": "umbrella"})) == [ticket.number]
    assert numbers(agent_api.get("tickets", {"q": "SF2048"})) == [ticket.number]
    assert numbers(agent_api.get("tickets", {"q": "parcel"})) == []
    event = AuditEvent.objects.get(action="ticket.updated")
    assert event.actor == agent
    assert event.before["subject"] == "My parcel has not arrived"
    assert event.after["subject"] == "Broken umbrella"


def test_it_refuses_an_edit_based_on_a_stale_etag_and_changes_nothing(agent_api, ticket):
    # given the client read version 1, and someone else changed the ticket since
    read = agent_api.get(f"tickets/{ticket.number}")
    stale = read["ETag"]
    assert agent_api.patch(f"tickets/{ticket.number}", {"order_ref": "A-1"}).status_code == 200
    # when the client saves its edit with the ETag it read
    response = agent_api.patch(
        f"tickets/{ticket.number}", {"subject": "Mine"}, headers={"If-Match": stale}
    )
    # then it is told, and its edit is not applied
    assert response.status_code == 412, response.content
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "stale_version"
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.subject == "My parcel has not arrived"
    assert stored.version == 2


def test_it_applies_an_edit_with_the_current_etag(agent_api, ticket):
    current = agent_api.get(f"tickets/{ticket.number}")["ETag"]
    response = agent_api.patch(
        f"tickets/{ticket.number}", {"subject": "Mine"}, headers={"If-Match": current}
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] != current
    assert Ticket.objects.get(pk=ticket.pk).subject == "Mine"


@pytest.mark.parametrize(
    ("field", "value", "endpoint"),
    [
        ("status", "resolved", "/transition"),
        ("team", "billing", "/transfer"),
        ("assignee", 1, "/assign"),
        ("urgency", "high", "/urgency"),
    ],
)
def test_it_points_patches_of_workflow_fields_at_their_endpoint(
    agent_api, ticket, other_team, field, value, endpoint
):
    response = agent_api.patch(f"tickets/{ticket.number}", {field: value})
    assert response.status_code == 422, response.content
    assert endpoint in field_errors(response)[field]
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.version, stored.status, stored.team_id, stored.urgency) == (
        ticket.version, "new", ticket.team_id, "medium",
    )  # fmt: skip


def test_it_merges_custom_fields_and_clears_the_category(agent_api, ticket):
    CustomField.objects.create(key="device", name_en="Device", name_zh="设备", field_type="text")
    CustomField.objects.create(key="floor", name_en="Floor", name_zh="楼层", field_type="integer")
    first = agent_api.patch(
        f"tickets/{ticket.number}", {"custom_fields": {"device": "X1", "floor": 3}}
    )
    assert first.status_code == 200, first.content
    response = agent_api.patch(
        f"tickets/{ticket.number}", {"custom_fields": {"floor": None}, "category": None}
    )
    assert response.status_code == 200, response.content
    assert response.json()["custom_fields"] == {"device": "X1"}
    assert response.json()["category"] is None
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.custom_fields, stored.category) == ({"device": "X1"}, None)


def test_it_leaves_a_ticket_alone_when_an_edit_changes_nothing(agent_api, ticket):
    response = agent_api.patch(f"tickets/{ticket.number}", {"subject": ticket.subject})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == ticket.version
    assert not AuditEvent.objects.filter(action="ticket.updated").exists()


# --- transitions ---------------------------------------------------------------------------


def test_it_moves_a_ticket_along_allowed_transitions(agent_api, ticket):
    path = f"tickets/{ticket.number}/transition"
    response = agent_api.post(path, {"to": "in_progress"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_progress"
    assert response.json()["allowed_transitions"] == ["waiting_customer", "resolved"]
    assert response["ETag"] == f'"{ticket.number}-v2"'

    response = agent_api.post(path, {"to": "waiting_customer"})
    assert response.json()["allowed_transitions"] == ["in_progress", "resolved"]

    response = agent_api.post(path, {"to": "resolved", "resolution": "A new parcel was sent"})
    assert response.status_code == 200, response.content
    resolved = response.json()
    assert resolved["resolution"] == "A new parcel was sent"
    assert resolved["resolved_at"] is not None
    assert resolved["allowed_transitions"] == ["in_progress", "closed"]

    response = agent_api.post(path, {"to": "closed"})
    assert response.status_code == 200, response.content
    assert response.json()["closed_at"] is not None
    assert response.json()["allowed_transitions"] == []
    assert audit_actions(agent_api, ticket.number).count("ticket.transitioned") == 4


def test_it_refuses_a_transition_the_machine_does_not_allow(agent_api, ticket):
    response = agent_api.post(f"tickets/{ticket.number}/transition", {"to": "closed"})
    assert response.status_code == 409, response.content
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == "transition_not_allowed"
    assert problem["current"] == "new"
    assert problem["requested"] == "closed"
    assert problem["allowed"] == ["in_progress", "waiting_customer", "resolved"]
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_it_refuses_a_transition_based_on_a_stale_etag(agent_api, ticket):
    stale = agent_api.get(f"tickets/{ticket.number}")["ETag"]
    agent_api.post(f"tickets/{ticket.number}/urgency", {"urgency": "high"})
    response = agent_api.post(
        f"tickets/{ticket.number}/transition", {"to": "in_progress"}, headers={"If-Match": stale}
    )
    assert response.status_code == 412, response.content
    assert response["Content-Type"] == PROBLEM
    assert Ticket.objects.get(pk=ticket.pk).status == "new"
    fresh = agent_api.get(f"tickets/{ticket.number}")["ETag"]
    response = agent_api.post(
        f"tickets/{ticket.number}/transition", {"to": "in_progress"}, headers={"If-Match": fresh}
    )
    assert response.status_code == 200, response.content


def test_it_needs_a_resolution_to_resolve(agent_api, ticket):
    response = agent_api.post(f"tickets/{ticket.number}/transition", {"to": "resolved"})
    assert response.status_code == 422, response.content
    assert "resolution" in field_errors(response)
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_it_needs_a_reason_to_reopen_and_counts_the_reopening(agent_api, agent):
    resolved = ticket_in("resolved", actor=agent, description="Parcel lost")
    path = f"tickets/{resolved.number}/transition"
    refused = agent_api.post(path, {"to": "in_progress"})
    assert refused.status_code == 422, refused.content
    assert "reason" in field_errors(refused)
    assert Ticket.objects.get(pk=resolved.pk).reopen_count == 0

    response = agent_api.post(path, {"to": "in_progress", "reason": "The parcel is still lost"})
    assert response.status_code == 200, response.content
    assert response.json()["reopen_count"] == 1
    assert response.json()["resolved_at"] is None
    event = AuditEvent.objects.get(action="ticket.reopened")
    assert event.note == "The parcel is still lost"


def test_it_lets_a_customer_confirm_a_resolution(customer_api, customer_user, agent):
    ticket = make_ticket(customer_user, description="My parcel has not arrived")
    services.transition_ticket(ticket=ticket, to="resolved", actor=agent, resolution="Sent again")
    response = customer_api.post(f"tickets/{ticket.number}/transition", {"to": "closed"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    assert Ticket.objects.get(pk=ticket.pk).closed_at is not None


# --- assign, transfer, urgency, merge ------------------------------------------------------


def test_it_assigns_and_unassigns_with_an_audit_trail(agent_api, teammate, ticket):
    response = agent_api.post(f"tickets/{ticket.number}/assign", {"assignee": teammate.pk})
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == {"id": teammate.pk, "name": "teammate"}
    assert Ticket.objects.get(pk=ticket.pk).assignee == teammate

    response = agent_api.post(f"tickets/{ticket.number}/assign", {"assignee": None})
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] is None

    events = agent_api.get(f"tickets/{ticket.number}/audit").json()
    assigned = [e for e in events if e["action"] == "ticket.assigned"]
    assert [(e["before"], e["after"]) for e in assigned] == [
        ({"assignee": None}, {"assignee": teammate.pk}),
        ({"assignee": teammate.pk}, {"assignee": None}),
    ]
    assert assigned[0]["actor"] == "agent"


def test_it_transfers_to_another_team_with_an_audit_trail(
    agent_api, admin_api, agent, other_team, ticket
):
    # given the ticket is the agent's own
    agent_api.post(f"tickets/{ticket.number}/assign", {"assignee": agent.pk})
    # when it is moved to billing, where the agent is no member
    response = agent_api.post(
        f"tickets/{ticket.number}/transfer", {"team": "billing", "reason": "It is an invoice"}
    )
    # then billing owns it and the agent let go of it
    assert response.status_code == 200, response.content
    assert response.json()["team"] == {"code": "billing", "name": "Billing"}
    assert response.json()["assignee"] is None
    # (the agent no longer sees it; the admin reads the trail)
    assert agent_api.get(f"tickets/{ticket.number}").status_code == 404
    events = admin_api.get(f"tickets/{ticket.number}/audit").json()
    transferred = next(e for e in events if e["action"] == "ticket.transferred")
    assert transferred["after"] == {"team": other_team.pk, "assignee": None}
    assert transferred["note"] == "It is an invoice"


def test_it_changes_the_urgency_with_an_audit_trail(agent_api, ticket):
    response = agent_api.post(
        f"tickets/{ticket.number}/urgency", {"urgency": "high", "reason": "Customer is a VIP"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["urgency"] == "high"
    assert Ticket.objects.get(pk=ticket.pk).urgency == "high"
    events = agent_api.get(f"tickets/{ticket.number}/audit").json()
    changed = next(e for e in events if e["action"] == "ticket.urgency_changed")
    assert (changed["before"], changed["after"], changed["note"]) == (
        {"urgency": "medium"}, {"urgency": "high"}, "Customer is a VIP",
    )  # fmt: skip


def test_it_merges_a_duplicate_with_an_audit_trail_on_both(agent_api, agent, customer_user):
    target = make_ticket(customer_user, description="My parcel has not arrived")
    duplicate = make_ticket(customer_user, description="Parcel SF1024, where is it?")
    response = agent_api.post(
        f"tickets/{duplicate.number}/merge", {"into": target.number, "note": "Same parcel"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["number"] == duplicate.number
    assert response.json()["merged_into"] == target.number
    assert response.json()["status"] == "closed"
    assert "ticket.merged" in audit_actions(agent_api, duplicate.number)
    received = [
        e for e in agent_api.get(f"tickets/{target.number}/audit").json()
        if e["action"] == "ticket.merge_received"
    ]  # fmt: skip
    assert received[0]["after"]["merged_ticket"] == duplicate.number
    assert received[0]["note"] == "Same parcel"


def test_it_lists_the_audit_trail_oldest_first(agent_api, ticket):
    agent_api.post(f"tickets/{ticket.number}/urgency", {"urgency": "low"})
    agent_api.post(f"tickets/{ticket.number}/transition", {"to": "in_progress"})
    assert audit_actions(agent_api, ticket.number) == [
        "ticket.created",
        "ticket.urgency_changed",
        "ticket.transitioned",
    ]


def test_it_lets_a_supervisor_assign_to_a_team_member(supervisor_api, agent, ticket):
    response = supervisor_api.post(f"tickets/{ticket.number}/assign", {"assignee": agent.pk})
    assert response.status_code == 200, response.content
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent


def test_it_refuses_to_assign_someone_outside_the_team(agent_api, ticket, other_team):
    outsider = make_user(username="billing-agent", teams=[other_team])
    response = agent_api.post(f"tickets/{ticket.number}/assign", {"assignee": outsider.pk})
    assert response.status_code == 422, response.content
    assert "assignee" in field_errors(response)
    assert Ticket.objects.get(pk=ticket.pk).assignee is None
