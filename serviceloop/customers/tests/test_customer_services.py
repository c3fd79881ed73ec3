"""Customer use cases: create, update, contacts, and finding the customer behind a request
— with field-level errors, audit events, and who may see which customer."""

import pytest
from django.http import Http404

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import DomainError, NotPermitted, ValidationFailed
from serviceloop.customers.models import Customer, CustomerContact, CustomerTier
from serviceloop.customers.queries import customers_visible_to, get_customer_for
from serviceloop.customers.services import (
    CustomerIdentity,
    add_contact,
    create_customer,
    find_or_create_customer,
    remove_contact,
    update_customer,
)
from tests.builders import make_customer, make_organisation, make_user

READ_ONLY = [Role.SPECIALIST, Role.ANALYST, Role.CUSTOMER, Role.PARTNER]


def rows():
    return {
        model.__name__: model.objects.count() for model in (Customer, CustomerContact, AuditEvent)
    }


def contacts_of(customer):
    return set(customer.contacts.values_list("kind", "value", "is_primary"))


# --- create_customer -----------------------------------------------------------------------


def test_it_creates_a_customer_with_normalised_contacts_and_audits_it(agent):
    company = make_organisation("ACME")
    gold = CustomerTier.objects.create(code="gold", name_en="Gold", name_zh="金卡", rank=2)
    customer = create_customer(
        actor=agent, name="  Li Wei ", email=" Li.Wei@Example.COM ", phone="138 0013 8000",
        external_id=" CRM-1 ", organisation=company, tier=gold, language="zh-hans",
        notes="Prefers calls",
    )  # fmt: skip
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.name, stored.external_id, stored.organisation, stored.tier) == (
        "Li Wei", "CRM-1", company, gold,
    )  # fmt: skip
    # typed by staff, not confirmed: unverified, so none is primary
    assert contacts_of(stored) == {
        ("email", "li.wei@example.com", False),
        ("phone", "+8613800138000", False),
    }
    assert not stored.contacts.filter(verified_at__isnull=False).exists()
    event = AuditEvent.objects.get(action="customer.created")
    assert (event.actor, event.target_type, event.target_id) == (
        agent,
        "customer",
        str(customer.pk),
    )
    assert event.after == {
        "name": "Li Wei", "organisation": company.pk, "tier": gold.pk, "external_id": "CRM-1",
        "language": "zh-hans", "notes": "Prefers calls", "email": "li.wei@example.com",
        "phone": "+8613800138000",
    }  # fmt: skip


def test_a_customer_may_be_known_by_phone_only(agent):
    customer = create_customer(actor=agent, name="Walk-in", phone="+86 138 0013 8000")
    assert contacts_of(customer) == {("phone", "+8613800138000", False)}
    assert customer.external_id is None


def test_contacts_staff_confirm_at_registration_are_verified_and_primary(agent):
    customer = create_customer(
        actor=agent, name="Li", email="li@example.com", phone="13800138000",
        confirmation="  met at the service desk ",
    )  # fmt: skip
    assert contacts_of(customer) == {
        ("email", "li@example.com", True),
        ("phone", "+8613800138000", True),
    }
    proofs = customer.contacts.values_list("verified_via", "verified_by", "verification_note")
    assert set(proofs) == {("staff", agent.pk, "met at the service desk")}
    assert AuditEvent.objects.filter(action="customer.contact_verified").count() == 2


def test_it_links_a_portal_login(agent):
    login = make_user(Role.AGENT, username="future-customer")
    customer = create_customer(actor=agent, name="Li", email="li@example.com", user=login)
    assert Customer.objects.get(pk=customer.pk).user == login


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "  "}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"external_id": "x" * 65}, "external_id"),
    ],
)
def test_it_refuses_bad_fields_and_stores_nothing(agent, values, field):
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        create_customer(actor=agent, **{"name": "Li", "email": "li@example.com", **values})
    assert field in refused.value.errors
    assert rows() == before


def test_a_customer_without_any_identifier_is_refused_on_a_named_field(agent):
    """Every error names an input field (the API reports it as a path into the body)."""
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        create_customer(actor=agent, name="Li")
    assert refused.value.errors
    assert set(refused.value.errors) <= {"email", "phone", "external_id"}
    assert rows() == before


def test_it_reports_every_bad_field_at_once(agent):
    with pytest.raises(ValidationFailed) as refused:
        create_customer(actor=agent, name="", email="bad", phone="12")
    assert set(refused.value.errors) == {"name", "email", "phone"}


@pytest.mark.parametrize(
    ("taken", "field"),
    [
        ({"email": "LI@example.com"}, "email"),
        ({"phone": "138-0013-8000"}, "phone"),
        ({"external_id": "CRM-1"}, "external_id"),
    ],
)
def test_contacts_and_crm_ids_identify_one_customer(agent, taken, field):
    make_customer(email="li@example.com", phone="+8613800138000", external_id="CRM-1")
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        create_customer(actor=agent, name="Someone else", **taken)
    assert list(refused.value.errors) == [field]
    assert rows() == before


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_roles_may_not_create_customers(team, role):
    user = make_user(role, teams=[team])
    before = rows()
    with pytest.raises(NotPermitted):
        create_customer(actor=user, name="Li", email="li@example.com")
    assert rows() == before


# --- update_customer -----------------------------------------------------------------------


def test_it_updates_the_customer_and_audits_only_what_changed(agent):
    customer = make_customer("Li", external_id="CRM-1")
    update_customer(
        customer=customer, actor=agent,
        changes={"name": "  Li Wei ", "external_id": "CRM-1", "notes": "VIP"},
    )  # fmt: skip
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.name, stored.notes, stored.external_id) == ("Li Wei", "VIP", "CRM-1")
    event = AuditEvent.objects.get(action="customer.updated")
    assert (event.before, event.after) == (
        {"name": "Li", "notes": ""},
        {"name": "Li Wei", "notes": "VIP"},
    )


def test_nothing_is_audited_when_nothing_changed(agent):
    customer = make_customer("Li")
    before = rows()
    update_customer(customer=customer, actor=agent, changes={"name": "Li", "notes": ""})
    assert rows() == before


def test_an_empty_crm_id_removes_it(agent):
    customer = make_customer(external_id="CRM-1")
    update_customer(customer=customer, actor=agent, changes={"external_id": "  "})
    assert Customer.objects.get(pk=customer.pk).external_id is None


def test_another_customers_crm_id_is_refused(agent):
    make_customer(external_id="CRM-1")
    customer = make_customer(external_id="CRM-2")
    before = rows()
    with pytest.raises(DomainError) as refused:
        update_customer(customer=customer, actor=agent, changes={"external_id": "CRM-1"})
    assert refused.value.field == "external_id"
    assert Customer.objects.get(pk=customer.pk).external_id == "CRM-2"
    assert rows() == before


def test_a_name_is_required(agent):
    customer = make_customer("Li")
    with pytest.raises(DomainError) as refused:
        update_customer(customer=customer, actor=agent, changes={"name": " "})
    assert refused.value.field == "name"
    assert Customer.objects.get(pk=customer.pk).name == "Li"


def test_contacts_are_not_customer_fields(agent):
    customer = make_customer()
    with pytest.raises(ValueError, match="email"):
        update_customer(customer=customer, actor=agent, changes={"email": "x@example.com"})


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_roles_may_not_update_customers(team, role):
    user = make_user(role, teams=[team])
    customer = make_customer("Li")
    before = rows()
    with pytest.raises(NotPermitted):
        update_customer(customer=customer, actor=user, changes={"name": "Hacked"})
    assert Customer.objects.get(pk=customer.pk).name == "Li"
    assert rows() == before


# --- contacts ------------------------------------------------------------------------------


def test_a_confirmed_first_phone_is_primary_and_a_second_email_is_not(agent):
    customer = make_customer(email="li@example.com")
    phone = add_contact(
        customer=customer, actor=agent, kind="phone", value="138 0013 8000",
        confirmation="called back on it",
    )  # fmt: skip
    email = add_contact(customer=customer, actor=agent, kind="email", value=" Li.Work@EXAMPLE.com")
    assert (phone.value, phone.is_primary) == ("+8613800138000", True)
    assert (email.value, email.is_primary) == ("li.work@example.com", False)
    events = AuditEvent.objects.filter(action="customer.contact_added").order_by("id")
    assert [event.after for event in events] == [
        {"kind": "phone", "value": "+8613800138000"},
        {"kind": "email", "value": "li.work@example.com"},
    ]
    assert {event.target_id for event in events} == {str(customer.pk)}


@pytest.mark.parametrize(
    ("kind", "value", "field"),
    [
        ("fax", "123", "kind"),
        ("email", "nope", "value"),
        ("phone", "12", "value"),
        ("email", "TAKEN@example.com", "value"),  # belongs to another customer
        ("phone", "+86 138 0013 8000", "value"),  # belongs to another customer
        ("email", "li@example.com", "value"),  # already this customer's
    ],
)
def test_it_refuses_a_bad_or_taken_contact(agent, kind, value, field):
    make_customer(email="taken@example.com", phone="+8613800138000")
    customer = make_customer(email="li@example.com")
    before = rows()
    with pytest.raises(DomainError) as refused:
        add_contact(customer=customer, actor=agent, kind=kind, value=value)
    assert refused.value.field == field
    assert rows() == before


def test_removing_a_contact_is_audited(agent):
    customer = make_customer(email="li@example.com", phone="+8613800138000")
    contact = customer.contacts.get(kind="phone")
    remove_contact(contact=contact, actor=agent)
    assert contacts_of(customer) == {("email", "li@example.com", True)}
    event = AuditEvent.objects.get(action="customer.contact_removed")
    assert event.target_id == str(customer.pk)
    assert event.before == {"kind": "phone", "value": "+8613800138000"}


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_roles_may_not_change_contacts(team, role):
    user = make_user(role, teams=[team])
    customer = make_customer(email="li@example.com")
    before = rows()
    with pytest.raises(NotPermitted):
        add_contact(customer=customer, actor=user, kind="email", value="x@example.com")
    with pytest.raises(NotPermitted):
        remove_contact(contact=customer.contacts.get(), actor=user)
    assert rows() == before


# --- find_or_create_customer ---------------------------------------------------------------


def find(actor=None, **identity):
    return find_or_create_customer(identity=CustomerIdentity(**identity), actor=actor)


def test_the_crm_id_wins_over_e_mail_and_phone(agent):
    crm = make_customer(external_id="CRM-1")
    make_customer(email="li@example.com", phone="+8613800138000")
    found, created = find(agent, external_id="CRM-1", email="li@example.com", phone="13800138000")
    assert (found, created) == (crm, False)
    assert contacts_of(crm) == {("email", crm.contacts.get().value, True)}  # nothing taken


def test_the_e_mail_wins_over_the_phone(agent):
    by_mail = make_customer(email="li@example.com")
    make_customer(phone="+8613800138000")
    found, created = find(agent, email="LI@EXAMPLE.COM", phone="138 0013 8000")
    assert (found, created) == (by_mail, False)
    assert not by_mail.contacts.filter(kind="phone").exists()


@pytest.mark.parametrize("phone", ["138 0013 8000", "+86 138 0013 8000", "(+86) 13800138000"])
def test_a_phone_is_found_in_any_notation(db, phone):
    known = make_customer(phone="+8613800138000")
    assert find(phone=phone) == (known, False)


def test_new_contacts_of_a_known_customer_are_remembered(agent):
    known = make_customer(external_id="CRM-1", email="old@example.com")
    find(agent, external_id="CRM-1", email="new@example.com", phone="13800138000")
    assert {value for _kind, value, _primary in contacts_of(known)} == {
        "old@example.com", "new@example.com", "+8613800138000",
    }  # fmt: skip
    assert AuditEvent.objects.filter(action="customer.contact_added").count() == 2


def test_a_remembered_contact_is_unverified_and_never_primary(agent):
    """Whoever named it may not be the customer: even a first phone is only a claim."""
    known = make_customer(email="li@example.com")
    find(agent, email="li@example.com", phone="13800138000")
    assert contacts_of(known) == {
        ("email", "li@example.com", True),
        ("phone", "+8613800138000", False),
    }
    assert known.contacts.get(kind="phone").verified_at is None


def test_a_new_customer_is_created_and_audited_by_the_system(db):
    customer, created = find(email="New.Buyer@Example.com", phone="13800138000")
    assert created
    assert customer.name == "new.buyer"
    assert contacts_of(customer) == {
        ("email", "new.buyer@example.com", False),
        ("phone", "+8613800138000", False),
    }
    event = AuditEvent.objects.get(action="customer.created")
    assert (event.actor, event.actor_label) == (None, "system")


@pytest.mark.parametrize(
    ("identity", "name"),
    [
        ({"phone": "13800138000"}, "+8613800138000"),
        ({"external_id": "CRM-9"}, "CRM-9"),
        ({"external_id": "CRM-9", "name": " 张伟 "}, "张伟"),
    ],
)
def test_a_new_customer_is_named_by_what_is_known(db, identity, name):
    customer, created = find(**identity)
    assert created
    assert customer.name == name


def test_finding_twice_creates_once(db):
    first, created = find(email="li@example.com")
    again, created_again = find(email="li@example.com")
    assert (created, created_again, again) == (True, False, first)
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("identity", "field"),
    [
        ({"email": "nope"}, "customer.email"),
        ({"phone": "12"}, "customer.phone"),
        ({"external_id": "x" * 65}, "customer.external_id"),
        ({"name": "Only a name"}, "customer"),
        ({}, "customer"),
    ],
)
def test_an_unusable_identity_is_refused(db, identity, field):
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        find(**identity)
    assert field in refused.value.errors
    assert rows() == before


def test_finding_with_a_lock_finds_the_same_customer(db):
    known = make_customer(email="li@example.com")
    assert find_or_create_customer(
        identity=CustomerIdentity(email="li@example.com"), actor=None, lock=True
    ) == (known, False)


# --- who sees which customer ---------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.ADMIN, Role.MANAGER, Role.SUPERVISOR, Role.AGENT, Role.SPECIALIST, Role.ANALYST]
)
def test_staff_see_every_customer(team, role):
    a, b = make_customer(), make_customer()
    user = make_user(role, teams=[team])
    assert set(customers_visible_to(user)) == {a, b}
    assert get_customer_for(user, a.pk) == a


def test_a_customer_sees_only_their_own_record(team):
    li = make_user(Role.CUSTOMER, username="li")
    wang = make_user(Role.CUSTOMER, username="wang")
    assert set(customers_visible_to(li)) == {li.customer}
    assert get_customer_for(li, li.customer.pk) == li.customer
    with pytest.raises(Http404):
        get_customer_for(li, wang.customer.pk)


def test_a_partner_sees_no_customer_record(team):
    partner = make_user(Role.PARTNER)
    customer = make_customer()
    assert set(customers_visible_to(partner)) == set()
    with pytest.raises(Http404):
        get_customer_for(partner, customer.pk)


def test_an_unknown_customer_is_not_found(admin_user):
    with pytest.raises(Http404):
        get_customer_for(admin_user, 987654)
