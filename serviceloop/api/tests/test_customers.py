"""/api/v1/customers: find customers, read one with their ticket history, register and edit
them and their contacts; every change is audited."""

import pytest

from serviceloop.audit.models import AuditEvent
from serviceloop.customers.models import Customer, CustomerContact, CustomerTier
from serviceloop.tickets import services
from tests.builders import field_errors, make_customer, make_organisation, make_ticket

from .given import ticket_in


@pytest.fixture
def li_lei(db):
    return make_customer(
        "Li Lei", email="li.lei@example.com", phone="+8613800138000", external_id="CRM-1001"
    )


@pytest.fixture
def others(db):
    return [
        make_customer("Zhang Wei", email="zhang.wei@example.com", phone="+8613912345678"),
        make_customer("Wang Fang", email="wang.fang@example.com", external_id="CRM-2002"),
    ]


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    "q",
    [
        "Li Lei",
        "li lei",
        "lei",
        "li.lei@example.com",
        "LI.LEI@EXAMPLE.COM",
        "+8613800138000",
        "13800138000",
        "138 0013 8000",
        "CRM-1001",
    ],
)
def test_it_finds_a_customer_by_name_e_mail_phone_or_crm_id(agent_api, li_lei, others, q):
    assert ids(agent_api.get("customers", {"q": q})) == [li_lei.pk]


def test_it_lists_every_customer_without_a_query(agent_api, li_lei, others):
    assert set(ids(agent_api.get("customers"))) == {li_lei.pk, *(c.pk for c in others)}


def test_it_lists_customers_page_by_page(agent_api, db):
    made = {make_customer(f"Customer {n}").pk for n in range(7)}
    first = agent_api.get("customers", {"limit": 5})
    assert len(ids(first)) == 5
    assert first.json()["next"]
    second = agent_api.get("customers", {"limit": 5, "cursor": first.json()["next_cursor"]})
    assert set(ids(first)) | set(ids(second)) == made
    assert second.json()["next"] is None


CUSTOMER_LIST_QUERIES = 3  # the token with its user; the page; the page's contacts


def test_it_lists_customers_in_a_constant_number_of_queries(
    agent_api, db, django_assert_num_queries
):
    for n in range(5):
        make_customer(f"Customer {n}", phone=f"+86138001380{n:02d}")
    assert agent_api.get("customers").status_code == 200  # the token was used just now
    with django_assert_num_queries(CUSTOMER_LIST_QUERIES):
        assert len(ids(agent_api.get("customers"))) == 5
    for n in range(5, 25):
        make_customer(f"Customer {n}", phone=f"+86138001380{n:02d}")
    with django_assert_num_queries(CUSTOMER_LIST_QUERIES):
        assert len(ids(agent_api.get("customers"))) == 25
    with django_assert_num_queries(CUSTOMER_LIST_QUERIES):
        assert len(ids(agent_api.get("customers", {"q": "Customer"}))) == 25


def test_it_shows_a_customer_with_contacts_and_ticket_history(agent_api, agent, li_lei):
    # given four tickets of Li Lei: an open complaint, a resolved one, a reopened one and a
    # closed one, and a ticket of someone else
    fields = {"customer_id": li_lei.pk}
    complaint = ticket_in(
        "new", actor=agent, kind="complaint", description="Rude courier", **fields
    )
    ticket_in("resolved", actor=agent, description="Where is my parcel", **fields)
    reopened = ticket_in("resolved", actor=agent, description="Box was broken", **fields)
    services.transition_ticket(ticket=reopened, to="in_progress", actor=agent, reason="Again")
    closed = ticket_in("closed", actor=agent, description="Wrong address", **fields)
    make_ticket(agent, description="Someone else's parcel")
    # when the agent reads the customer
    response = agent_api.get(f"customers/{li_lei.pk}")
    # then the counts add up
    assert response.status_code == 200, response.content
    customer = response.json()
    assert customer["name"] == "Li Lei"
    assert customer["external_id"] == "CRM-1001"
    assert {(c["kind"], c["value"]) for c in customer["contacts"]} == {
        ("email", "li.lei@example.com"),
        ("phone", "+8613800138000"),
    }
    history = customer["tickets"]
    assert (
        history["total"], history["open"], history["resolved"], history["complaints"],
        history["reopened"],
    ) == (4, 2, 2, 1, 1)  # fmt: skip
    assert len(history["recent"]) == 4
    assert history["recent"][0]["number"] == closed.number  # newest first
    assert history["recent"][-1]["number"] == complaint.number
    assert history["last_ticket_at"] is not None


def test_it_registers_a_customer_and_audits_it(agent_api, agent, db):
    tier = CustomerTier.objects.create(code="gold", name_en="Gold", name_zh="金卡")
    organisation = make_organisation("Acme Trading")
    response = agent_api.post(
        "customers",
        {"name": "Chen Jing", "email": "Chen.Jing@Example.com", "phone": "139 1234 5678",
         "external_id": "CRM-3003", "organisation": organisation.pk, "tier": "gold",
         "language": "zh-hans", "notes": "Prefers calls after 18:00"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    customer = response.json()
    assert customer["organisation"] == {"id": organisation.pk, "name": "Acme Trading"}
    assert customer["tier"]["code"] == "gold"
    assert customer["notes"] == "Prefers calls after 18:00"
    assert {(c["kind"], c["value"]) for c in customer["contacts"]} == {
        ("email", "chen.jing@example.com"),
        ("phone", "+8613912345678"),
    }
    stored = Customer.objects.get(pk=customer["id"])
    assert stored.tier == tier
    event = AuditEvent.objects.get(action="customer.created")
    assert (event.target_id, event.actor) == (str(stored.pk), agent)


def test_it_refuses_to_register_a_customer_with_someone_elses_e_mail(agent_api, li_lei):
    response = agent_api.post("customers", {"name": "Impostor", "email": "li.lei@example.com"})
    assert response.status_code == 422, response.content
    assert "email" in field_errors(response)
    assert Customer.objects.count() == 1


def test_it_edits_a_customer_and_audits_it(agent_api, agent, li_lei):
    response = agent_api.patch(
        f"customers/{li_lei.pk}", {"name": "Li Lei (VIP)", "notes": "Call before noon"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Li Lei (VIP)"
    assert response.json()["notes"] == "Call before noon"
    assert Customer.objects.get(pk=li_lei.pk).name == "Li Lei (VIP)"
    event = AuditEvent.objects.get(action="customer.updated")
    assert event.before == {"name": "Li Lei", "notes": ""}
    assert event.after == {"name": "Li Lei (VIP)", "notes": "Call before noon"}
    assert event.actor == agent


def test_it_adds_and_removes_a_contact_with_an_audit_trail(agent_api, li_lei):
    response = agent_api.post(
        f"customers/{li_lei.pk}/contacts", {"kind": "email", "value": "Lei@Work.Example.com"}
    )
    assert response.status_code == 201, response.content
    contact = response.json()
    assert (contact["kind"], contact["value"], contact["is_primary"]) == (
        "email", "lei@work.example.com", False,
    )  # fmt: skip
    added = AuditEvent.objects.get(action="customer.contact_added")
    assert added.after == {"kind": "email", "value": "lei@work.example.com"}

    removed = agent_api.delete(f"customers/{li_lei.pk}/contacts/{contact['id']}")
    assert removed.status_code == 204, removed.content
    assert not CustomerContact.objects.filter(pk=contact["id"]).exists()
    event = AuditEvent.objects.get(action="customer.contact_removed")
    assert event.before == {"kind": "email", "value": "lei@work.example.com"}


def test_it_refuses_a_contact_that_belongs_to_another_customer(agent_api, li_lei, others):
    response = agent_api.post(
        f"customers/{li_lei.pk}/contacts", {"kind": "phone", "value": "139 1234 5678"}
    )
    assert response.status_code == 422, response.content
    assert "value" in field_errors(response)
    assert li_lei.contacts.count() == 2
    assert not AuditEvent.objects.filter(action="customer.contact_added").exists()


def test_it_shows_a_customer_their_own_record_without_staff_notes(customer_api, customer_user):
    record = customer_user.customer
    record.notes = "Difficult on the phone"
    record.save()
    response = customer_api.get(f"customers/{record.pk}")
    assert response.status_code == 200, response.content
    assert response.json()["notes"] is None
    assert "Difficult" not in response.content.decode()
