"""POST /api/v1/tickets: a new ticket with its number, routing and customer; retries with an
Idempotency-Key and identical submissions within minutes never make a second ticket."""

import re
from datetime import UTC, datetime, timedelta

import time_machine

from serviceloop.customers.models import Customer, CustomerContact
from serviceloop.tickets import services
from serviceloop.tickets.models import CustomField, Ticket
from tests.builders import Api, field_errors, make_customer

NUMBER = re.compile(r"^CS-(\d{8})-(\d{6})$")


def body(**fields):
    """A request of an agent about a customer known by e-mail, unless told otherwise."""
    fields.setdefault("description", "My parcel SF1024 has not arrived")
    if "customer" not in fields and "customer_id" not in fields:
        fields["customer"] = {"email": "buyer@example.com"}
    return fields


def test_it_answers_201_with_location_etag_and_the_new_ticket(agent_api, category):
    # given an agent, and a moment late on 22 November in UTC (23 November in Shanghai)
    with time_machine.travel(datetime(2026, 11, 22, 18, 30, tzinfo=UTC), tick=False):
        # when they submit a request of the delivery category
        response = agent_api.post(
            "tickets", body(subject="Parcel late", kind="complaint", category="delivery")
        )
    # then it is created, and the answer says where it lives and which version it is
    assert response.status_code == 201, response.content
    ticket = response.json()
    match = NUMBER.fullmatch(ticket["number"])
    assert match, ticket["number"]
    assert match.group(1) == "20261123"  # the day in the company's time zone
    assert response["Location"] == f"/api/v1/tickets/{ticket['number']}"
    assert response["ETag"] == f'"{ticket["number"]}-v1"'
    assert ticket["status"] == "new"
    assert ticket["kind"] == "complaint"
    assert ticket["subject"] == "Parcel late"
    assert ticket["channel"] == "api"
    assert ticket["urgency"] == "medium"
    assert ticket["category"]["code"] == "delivery"
    assert ticket["team"]["code"] == "support"
    assert ticket["assignee"] is None
    assert ticket["version"] == 1
    assert ticket["duplicate"] is False
    assert ticket["replayed"] is False
    assert ticket["allowed_transitions"] == ["in_progress", "waiting_customer", "resolved"]
    stored = Ticket.objects.get(number=ticket["number"])
    assert stored.customer_id == ticket["customer"]["id"]
    # and the Location can be read back, with the same ETag
    again = agent_api.get(response["Location"])
    assert again.status_code == 200
    assert again["ETag"] == response["ETag"]


def test_it_routes_the_ticket_to_the_team_of_its_category(agent_api, team, billing_category):
    response = agent_api.post("tickets", body(category="invoice"))
    assert response.status_code == 201, response.content
    assert response.json()["team"]["code"] == "billing"
    assert Ticket.objects.get().team.code == "billing"


def test_it_routes_a_ticket_without_category_to_the_default_team(agent_api, team, other_team):
    response = agent_api.post("tickets", body())
    assert response.status_code == 201, response.content
    assert response.json()["team"]["code"] == "support"


def test_it_derives_the_subject_from_the_first_line(agent_api, team):
    response = agent_api.post(
        "tickets", body(description="Parcel lost\nOrdered on Monday, nothing since")
    )
    assert response.status_code == 201, response.content
    assert response.json()["subject"] == "Parcel lost"


def test_it_creates_an_unknown_customer(agent_api, team):
    response = agent_api.post(
        "tickets", body(customer={"email": "New.Buyer@Example.com", "name": "张伟"})
    )
    assert response.status_code == 201, response.content
    customer = Customer.objects.get(pk=response.json()["customer"]["id"])
    assert customer.name == "张伟"
    assert response.json()["customer"]["name"] == "张伟"
    assert list(customer.contacts.values_list("kind", "value")) == [
        ("email", "new.buyer@example.com")
    ]


def test_it_matches_the_customer_by_crm_id(agent_api, team):
    known = make_customer("Li Lei", external_id="CRM-42")
    response = agent_api.post("tickets", body(customer={"external_id": "CRM-42"}))
    assert response.status_code == 201, response.content
    assert response.json()["customer"] == {"id": known.pk, "name": "Li Lei"}
    assert Customer.objects.count() == 1


def test_it_matches_the_customer_by_e_mail_whatever_the_case(agent_api, team):
    known = make_customer(email="li.wei@example.com")
    response = agent_api.post("tickets", body(customer={"email": "Li.Wei@EXAMPLE.com"}))
    assert response.status_code == 201, response.content
    assert response.json()["customer"]["id"] == known.pk
    assert Customer.objects.count() == 1


def test_it_matches_the_customer_by_phone_in_any_notation(agent_api, team):
    # given a customer first known by a phone number typed with spaces
    first = agent_api.post(
        "tickets", body(description="Parcel lost", customer={"phone": "138 0013 8000"})
    )
    assert first.status_code == 201, first.content
    # when another request gives the same number in international notation
    second = agent_api.post(
        "tickets", body(description="Invoice wrong", customer={"phone": "+8613800138000"})
    )
    # then both tickets are the same customer's
    assert second.status_code == 201, second.content
    assert second.json()["customer"]["id"] == first.json()["customer"]["id"]
    assert Customer.objects.count() == 1
    assert CustomerContact.objects.get().value == "+8613800138000"


def test_it_lets_a_customer_create_a_ticket_for_themselves(customer_api, customer_user):
    response = customer_api.post("tickets", {"description": "My parcel has not arrived"})
    assert response.status_code == 201, response.content
    ticket = response.json()
    assert ticket["customer"]["id"] == customer_user.customer.pk
    assert ticket["channel"] == "api"  # the door it came through
    assert ticket["status"] == "new"
    # staff-only fields are not shown to the customer
    assert ticket["team"] is None
    assert ticket["assignee"] is None
    assert ticket["urgency"] is None
    assert Ticket.objects.get().team.code == "support"


def test_it_records_the_partner_organisation_of_a_partner_ticket(partner_api, partner):
    response = partner_api.post("tickets", body(customer={"email": "buyer@example.com"}))
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.submitter_organisation == partner.organisation
    assert ticket.submitter == partner
    # and the partner sees its own ticket afterwards
    assert partner_api.get(f"tickets/{ticket.number}").status_code == 200


# --- Idempotency-Key -----------------------------------------------------------------------


def test_it_replays_a_retry_with_the_same_idempotency_key(agent_api, team):
    # given a request sent with an Idempotency-Key
    key = {"Idempotency-Key": "order-77-attempt"}
    first = agent_api.post("tickets", body(), headers=key)
    assert first.status_code == 201, first.content
    # when the client retries it unchanged
    retry = agent_api.post("tickets", body(), headers=key)
    # then it gets the same ticket, marked as a replay, and only one is stored
    assert retry.status_code == 200, retry.content
    assert retry.json()["number"] == first.json()["number"]
    assert retry.json()["replayed"] is True
    assert retry.json()["duplicate"] is False
    assert retry["Location"] == first["Location"]
    assert retry["ETag"] == first["ETag"]
    assert Ticket.objects.count() == 1


def test_it_refuses_the_same_idempotency_key_with_another_body(agent_api, team):
    key = {"Idempotency-Key": "order-77-attempt"}
    assert agent_api.post("tickets", body(), headers=key).status_code == 201
    response = agent_api.post(
        "tickets", body(description="A different request altogether"), headers=key
    )
    assert response.status_code == 422, response.content
    assert "Idempotency-Key" in field_errors(response)
    assert response.json()["code"] == "idempotency_key_reused"
    assert Ticket.objects.count() == 1


def test_it_keeps_idempotency_keys_apart_per_user(agent_api, teammate_api, team):
    key = {"Idempotency-Key": "shared-key-1"}
    first = agent_api.post("tickets", body(), headers=key)
    assert first.status_code == 201, first.content
    # another user's request with the same key (and another body) is simply a new ticket
    other = teammate_api.post(
        "tickets", body(description="Invoice is wrong", customer={"email": "x@example.com"}),
        headers=key,
    )  # fmt: skip
    assert other.status_code == 201, other.content
    assert other.json()["number"] != first.json()["number"]
    assert other.json()["replayed"] is False
    assert Ticket.objects.count() == 2


# --- identical submissions within minutes --------------------------------------------------


def test_it_answers_an_identical_request_within_ten_minutes_with_the_earlier_ticket(
    agent_api, team
):
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=UTC), tick=False) as traveller:
        first = agent_api.post("tickets", body())
        assert first.status_code == 201, first.content
        # nine minutes later the same customer sends the same text again
        traveller.shift(timedelta(minutes=9))
        again = agent_api.post("tickets", body())
        assert again.status_code == 200, again.content
        assert again.json()["duplicate"] is True
        assert again.json()["replayed"] is False
        assert again.json()["number"] == first.json()["number"]
        assert Ticket.objects.count() == 1
        # eleven minutes after the first, it is a new request
        traveller.shift(timedelta(minutes=2))
        later = agent_api.post("tickets", body())
        assert later.status_code == 201, later.content
        assert later.json()["duplicate"] is False
        assert later.json()["number"] != first.json()["number"]
        assert Ticket.objects.count() == 2


def test_it_does_not_take_the_same_text_of_another_customer_for_a_duplicate(agent_api, team):
    first = agent_api.post("tickets", body(customer={"email": "a@example.com"}))
    second = agent_api.post("tickets", body(customer={"email": "b@example.com"}))
    assert (first.status_code, second.status_code) == (201, 201)
    assert Ticket.objects.count() == 2


def test_it_answers_a_duplicate_through_another_door_with_the_same_ticket(
    agent_api, customer_user, team
):
    # the customer asks in the portal, then the agent records the same words from a call
    own = Api(customer_user).post("tickets", {"description": "My parcel has not arrived"})
    assert own.status_code == 201, own.content
    logged = agent_api.post(
        "tickets",
        {"description": "My parcel has not arrived", "customer_id": customer_user.customer.pk},
    )
    assert logged.status_code == 200, logged.content
    assert logged.json()["duplicate"] is True
    assert logged.json()["number"] == own.json()["number"]


def test_it_answers_a_duplicate_with_the_earlier_ticket_as_it_is_now(agent_api, agent, team):
    # given a ticket the agent already answered
    first = agent_api.post("tickets", body())
    ticket = Ticket.objects.get(number=first.json()["number"])
    services.add_interaction(ticket=ticket, actor=agent, content="We are on it")
    ticket.refresh_from_db()
    # when the same request comes in again
    again = agent_api.post("tickets", body())
    # then the answer shows the ticket's current state and version
    assert again.status_code == 200, again.content
    assert again.json()["duplicate"] is True
    assert again.json()["status"] == "in_progress"
    assert again.json()["version"] == ticket.version
    assert again["ETag"] == ticket.etag


def test_it_stores_custom_fields(agent_api, team):
    CustomField.objects.create(
        key="order-amount", name_en="Order amount", name_zh="订单金额", field_type="decimal"
    )
    CustomField.objects.create(
        key="device",
        name_en="Device",
        name_zh="设备",
        field_type="choice",
        choices=["router", "modem"],
    )
    response = agent_api.post(
        "tickets", body(custom_fields={"order-amount": 12.5, "device": "router"})
    )
    assert response.status_code == 201, response.content
    assert response.json()["custom_fields"] == {"order-amount": "12.5", "device": "router"}
    assert Ticket.objects.get().custom_fields == {"order-amount": "12.5", "device": "router"}
