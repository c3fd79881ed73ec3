"""A contact someone typed is not proof (issue 13, 1): an e-mail a partner, an agent or a
form names for a customer is recorded unverified. It is never primary, opens no portal
account, does not answer the progress check and gets none of our messages until its owner
follows a link we sent to it or staff confirm it with a reason. A partner learns nothing of
a customer it did not create."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.customers.models import Customer, CustomerContact
from serviceloop.customers.registration import activate_customer, sign_up_customer
from serviceloop.customers.services import CustomerIdentity, confirm_contact
from serviceloop.notifications.composing import recipient_of
from serviceloop.satisfaction.services import email_addresses
from serviceloop.tickets.tracking import track_ticket
from tests.builders import Api, make_customer, make_ticket, make_user

VICTIM_PHONE = "+8613800138000"
ATTACKER = "mallory@example.net"


@pytest.fixture
def victim(agent):
    customer = make_customer("王芳", email="wang.fang@example.com", phone=VICTIM_PHONE)
    make_ticket(agent, customer_id=customer.pk, description="我的银行卡号和住址变更 (secret)")
    return customer


def partner_names_the_victims_phone(partner_api, email=ATTACKER):
    return partner_api.post(
        "tickets",
        {
            "description": "Parcel not delivered",
            "customer": {"phone": "138 0013 8000", "email": email},
        },
    )


def sign_up_and_activate(email, name="Mallory"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        sign_up_customer(
            name=name, email=email, password="correct horse battery 9", language="en",
            site="https://help.example.com",
        )  # fmt: skip
    link = re.search(r"/portal/activate/([^/]+)/([^/]+)/", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    return activate_customer(uidb64=link.group(1), token=link.group(2))


def test_a_partner_naming_a_customers_phone_learns_nothing_and_adds_only_an_unverified_email(
    victim, partner_api
):
    # when a partner names the customer's phone with a new e-mail
    response = partner_names_the_victims_phone(partner_api)

    # then the ticket is the customer's, but the partner is not told whose
    assert response.status_code == 201, response.content
    assert response.json()["customer"] is None
    assert "王芳" not in response.content.decode()
    listed = partner_api.get("tickets").json()["items"]
    assert [item["customer"] for item in listed] == [None]
    # and the e-mail is remembered as typed: unverified, not primary
    added = CustomerContact.objects.get(value=ATTACKER)
    assert (added.customer_id, added.is_verified, added.is_primary) == (victim.pk, False, False)
    primary = victim.contacts.get(kind="email", is_primary=True)
    assert primary.value == "wang.fang@example.com"


def test_a_partner_sees_the_customers_it_created(partner_api, partner):
    # a new customer named by the partner is one it created
    response = partner_api.post(
        "tickets",
        {
            "description": "Parcel late",
            "customer": {"email": "new.buyer@example.com", "name": "Buyer"},
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["customer"]["name"] == "Buyer"
    assert Customer.objects.get(name="Buyer").created_by == partner
    # and so is one another user of its organisation created
    colleague = make_user(Role.PARTNER, username="courier-2", organisation=partner.organisation)
    again = Api(colleague).post(
        "tickets", {"description": "Second parcel", "customer": {"email": "new.buyer@example.com"}}
    )
    assert again.json()["customer"]["name"] == "Buyer"


def test_signing_up_with_the_typed_email_does_not_open_the_customers_account(
    victim, partner_api, client
):
    # given the e-mail a partner typed on the customer's record
    partner_names_the_victims_phone(partner_api)

    # when its owner signs up for the portal with it
    attacker = sign_up_and_activate(ATTACKER)

    # then the login has a record of its own, and the customer's stays theirs
    victim.refresh_from_db()
    assert victim.user_id is None
    own = Customer.objects.get(user=attacker)
    assert own.pk != victim.pk
    assert list(own.contacts.values_list("value", "verified_via")) == [(ATTACKER, "link")]
    assert not victim.contacts.filter(value=ATTACKER).exists()
    assert AuditEvent.objects.filter(
        action="customer.contact_removed", target_id=str(victim.pk)
    ).exists()
    # and the portal shows none of the customer's tickets
    client.force_login(attacker)
    home = client.get("/portal/")
    assert home.status_code == 200
    assert "secret" not in home.content.decode()
    number = victim.tickets.earliest("id").number
    assert client.get(f"/portal/tickets/{number}/").status_code == 404


def test_an_address_staff_confirmed_links_the_login_to_its_customer(agent):
    # given an e-mail an agent typed, then confirmed with the customer on the phone
    customer, _created = make_customer_by_intake(agent, email="li.ming@example.com")
    contact = customer.contacts.get()
    confirm_contact(contact=contact, actor=agent, reason="read back to the customer on the phone")

    # when its owner signs up
    user = sign_up_and_activate("li.ming@example.com", name="Li Ming")

    # then the login is that customer's: their earlier tickets are in the portal
    customer.refresh_from_db()
    assert customer.user == user


def make_customer_by_intake(agent, **identity):
    from serviceloop.customers.services import find_or_create_customer

    return find_or_create_customer(identity=CustomerIdentity(**identity), actor=agent)


def test_the_progress_check_answers_only_to_a_verified_contact(victim, partner_api):
    partner_names_the_victims_phone(partner_api)
    number = victim.tickets.earliest("id").number

    assert track_ticket(number=number, contact=ATTACKER) is None
    assert track_ticket(number=number, contact="wang.fang@example.com").number == number
    assert track_ticket(number=number, contact="138 0013 8000").number == number


def test_messages_go_only_to_verified_addresses(agent):
    # a customer whose only e-mail was typed by an agent
    customer, _ = make_customer_by_intake(agent, email="typed@example.com", phone="13900001111")
    ticket = make_ticket(agent, customer_id=customer.pk)

    recipient = recipient_of(ticket)
    assert (recipient.email, recipient.phone, recipient.unverified_email) == ("", "", True)
    assert email_addresses([customer.pk]) == {}

    # once staff confirm it, it is where we write
    for contact in customer.contacts.all():
        confirm_contact(contact=contact, actor=agent, reason="the customer confirmed it by phone")
    recipient = recipient_of(ticket)
    assert (recipient.email, recipient.phone) == ("typed@example.com", "+8613900001111")
    assert email_addresses([customer.pk]) == {customer.pk: "typed@example.com"}


def test_a_new_email_of_a_known_customer_never_replaces_their_address(victim, agent):
    make_customer_by_intake(agent, phone=VICTIM_PHONE, email="someone.else@example.com")
    ticket = victim.tickets.earliest("id")
    assert recipient_of(ticket).email == "wang.fang@example.com"


# --- staff confirm a contact, with a reason ---------------------------------------------------


def test_staff_confirm_a_contact_with_a_reason_through_the_api(agent_api, agent):
    customer, _ = make_customer_by_intake(agent, email="typed@example.com")
    contact = customer.contacts.get()
    url = f"customers/{customer.pk}/contacts/{contact.pk}/confirm"

    refused = agent_api.post(url, {"reason": "   "})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "reason"
    assert not CustomerContact.objects.get(pk=contact.pk).is_verified

    response = agent_api.post(url, {"reason": "checked on the phone"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["verified"], body["verified_via"], body["is_primary"]) == (True, "staff", True)
    event = AuditEvent.objects.get(action="customer.contact_verified")
    assert (event.actor, event.note, event.after["value"]) == (
        agent, "checked on the phone", "typed@example.com",
    )  # fmt: skip
    listed = agent_api.get(f"customers/{customer.pk}").json()["contacts"]
    assert [(c["value"], c["verified"]) for c in listed] == [("typed@example.com", True)]


def test_a_customer_cannot_confirm_their_own_contacts(agent):
    user = make_user(Role.CUSTOMER, username="li-wei")
    contact = CustomerContact.objects.create(
        customer=user.customer, kind="phone", value="+8613900002222"
    )
    response = Api(user).post(
        f"customers/{user.customer.pk}/contacts/{contact.pk}/confirm", {"reason": "mine"}
    )
    assert response.status_code == 403
    assert not CustomerContact.objects.get(pk=contact.pk).is_verified


def test_staff_confirm_contacts_when_they_register_a_customer(agent_api):
    unconfirmed = agent_api.post("customers", {"name": "A", "email": "a@example.com"}).json()
    confirmed = agent_api.post(
        "customers",
        {"name": "B", "email": "b@example.com", "confirmation": "met at the service desk"},
    ).json()
    assert [c["verified"] for c in unconfirmed["contacts"]] == [False]
    assert [(c["verified"], c["is_primary"]) for c in confirmed["contacts"]] == [(True, True)]


def test_the_ticket_page_confirms_a_contact(agent, client):
    customer, _ = make_customer_by_intake(agent, email="typed@example.com")
    ticket = make_ticket(agent, customer_id=customer.pk)
    contact = customer.contacts.get()
    client.force_login(agent)
    url = f"/desk/tickets/{ticket.number}/contacts/{contact.pk}/confirm/"

    page = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "sl-unverified" in page
    assert url in page

    blank = client.post(url, {f"c{contact.pk}-reason": ""}, headers={"HX-Request": "true"})
    assert blank.status_code == 422
    assert "is-invalid" in blank.content.decode()

    done = client.post(
        url, {f"c{contact.pk}-reason": "read back on the phone"}, headers={"HX-Request": "true"}
    )
    assert done.status_code == 200
    assert "sl-verified" in done.content.decode()
    assert CustomerContact.objects.get(pk=contact.pk).verification_note == "read back on the phone"


def test_nobody_outside_the_ticket_confirms_its_contacts(agent, client):
    customer, _ = make_customer_by_intake(agent, email="typed@example.com")
    ticket = make_ticket(agent, customer_id=customer.pk)
    contact = customer.contacts.get()
    client.force_login(make_user(Role.CUSTOMER, username="li-wei"))
    response = client.post(
        f"/desk/tickets/{ticket.number}/contacts/{contact.pk}/confirm/",
        {f"c{contact.pk}-reason": "mine"},
    )
    assert response.status_code in (302, 403, 404)
    assert not CustomerContact.objects.get(pk=contact.pk).is_verified


# --- existing data -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_verifies_only_where_a_portal_activation_proves_it():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    before = [(app, "0001_initial" if app == "customers" else name) for app, name in leaves]
    executor.migrate([("customers", "0001_initial")])
    old = executor.loader.project_state(before).apps
    User = old.get_model("accounts", "User")
    Customer_ = old.get_model("customers", "Customer")
    Contact = old.get_model("customers", "CustomerContact")
    Event = old.get_model("audit", "AuditEvent")
    staff = User.objects.create(username="agent", role="agent")
    activated = User.objects.create(
        username="mei@example.com", email="mei@example.com", role="customer"
    )
    linked = User.objects.create(
        username="kai@example.com", email="kai@example.com", role="customer"
    )
    mei = Customer_.objects.create(name="Mei", user=activated)
    kai = Customer_.objects.create(name="Kai", user=linked)  # linked by staff, never activated
    typed = Customer_.objects.create(name="Typed")
    for customer, value in (
        (mei, "mei@example.com"),
        (kai, "kai@example.com"),
        (typed, "t@example.com"),
    ):
        Contact.objects.create(customer=customer, kind="email", value=value, is_primary=True)
    Contact.objects.create(customer=mei, kind="phone", value="+8613800000001", is_primary=True)
    common = {"actor_label": "x", "before": {}, "after": {}}
    Event.objects.create(
        action="customer.activated", target_type="user", target_id=str(activated.pk), **common
    )
    Event.objects.create(
        action="customer.created",
        target_type="customer",
        target_id=str(typed.pk),
        actor_id=staff.pk,
        **common,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    contacts = {c.value: (c.verified_via, c.is_primary) for c in CustomerContact.objects.all()}
    assert contacts == {
        "mei@example.com": ("link", True),
        "+8613800000001": ("", False),
        "kai@example.com": ("", False),
        "t@example.com": ("", False),
    }
    assert Customer.objects.get(name="Typed").created_by_id == staff.pk
