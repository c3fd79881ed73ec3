"""create_ticket: the one way in. Who the customer is, where the ticket goes, who may fill
in what, custom fields, retries and duplicates, and that a refusal stores nothing."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import DomainError, NotPermitted, ValidationFailed
from serviceloop.customers.models import Customer, CustomerContact
from serviceloop.customers.services import CustomerIdentity
from serviceloop.tickets import services
from serviceloop.tickets.models import CustomField, IdempotencyKey, Ticket
from serviceloop.tickets.services import TicketDraft, create_ticket, create_tickets
from tests.builders import make_category, make_customer, make_team, make_user

from .given import rows

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def customer_user(team):
    return make_user(Role.CUSTOMER, username="li-wei")


@pytest.fixture
def partner(team):
    return make_user(Role.PARTNER, username="courier")


def submit(actor, key=None, **fields):
    return create_ticket(actor=actor, draft=TicketDraft(**fields), idempotency_key=key)


def by_email(email, **fields):
    return CustomerIdentity(email=email, **fields)


# --- who the customer is -------------------------------------------------------------------


def test_it_finds_the_customer_by_crm_id_before_e_mail(agent):
    # given a customer known by CRM id and another known by an e-mail address
    crm_customer = make_customer(external_id="CRM-7", email="crm@example.com")
    mail_customer = make_customer(email="other@example.com")
    # when a request names both
    intake = submit(
        agent,
        description="Parcel lost",
        customer=CustomerIdentity(external_id=" CRM-7 ", email="other@example.com"),
    )
    # then the CRM id decides, and the other customer's address is not taken from them
    assert intake.ticket.customer == crm_customer
    assert CustomerContact.objects.get(value="other@example.com").customer == mail_customer
    assert not crm_customer.contacts.filter(value="other@example.com").exists()


@pytest.mark.parametrize(
    "typed", ["li.wei@example.com", "  Li.Wei@EXAMPLE.com ", "LI.WEI@example.COM"]
)
def test_it_finds_the_customer_by_e_mail_whatever_the_case_and_spacing(agent, typed):
    known = make_customer(email="li.wei@example.com")
    intake = submit(agent, description="Parcel lost", customer=by_email(typed))
    assert intake.ticket.customer == known
    assert Customer.objects.count() == 1


def test_it_prefers_the_e_mail_to_the_phone(agent):
    mail_customer = make_customer(email="a@example.com")
    phone_customer = make_customer(email="b@example.com", phone="+8613800138000")
    intake = submit(
        agent,
        description="Parcel lost",
        customer=CustomerIdentity(email="a@example.com", phone="138 0013 8000"),
    )
    assert intake.ticket.customer == mail_customer
    assert CustomerContact.objects.get(kind="phone").customer == phone_customer


@pytest.mark.parametrize(
    "typed", ["138 0013 8000", "+86 138 0013 8000", "+8613800138000", "138-0013-8000"]
)
def test_it_finds_the_customer_by_phone_in_any_notation(agent, typed):
    known = make_customer(phone="+8613800138000")
    intake = submit(agent, description="Parcel lost", customer=CustomerIdentity(phone=typed))
    assert intake.ticket.customer == known
    assert Customer.objects.count() == 1


def test_it_creates_an_unknown_customer_with_normalised_contacts_and_audits_it(agent):
    # when a request names a person nobody knows
    intake = submit(
        agent,
        description="Parcel lost",
        customer=CustomerIdentity(email=" New.Buyer@Example.COM", phone="138 0013 8000"),
    )
    # then a customer is created, named after the e-mail, with normalised contacts
    customer = intake.ticket.customer
    assert customer.name == "new.buyer"
    assert set(customer.contacts.values_list("kind", "value", "is_primary")) == {
        ("email", "new.buyer@example.com", False),
        ("phone", "+8613800138000", False),
    }
    event = AuditEvent.objects.get(action="customer.created")
    assert event.target_id == str(customer.pk)
    assert event.actor == agent
    assert event.after["email"] == "new.buyer@example.com"
    assert event.after["phone"] == "+8613800138000"


def test_it_names_a_new_customer_as_told(agent):
    intake = submit(
        agent,
        description="Parcel lost",
        customer=CustomerIdentity(email="x@example.com", name="  张伟 ", language="zh-hans"),
    )
    assert intake.ticket.customer.name == "张伟"
    assert intake.ticket.customer.language == "zh-hans"


def test_it_remembers_a_new_phone_of_a_known_customer(agent):
    known = make_customer(email="a@example.com")
    submit(
        agent,
        description="Parcel lost",
        customer=CustomerIdentity(email="a@example.com", phone="+86 138 0013 8000"),
    )
    assert known.contacts.filter(kind="phone", value="+8613800138000").exists()
    event = AuditEvent.objects.get(action="customer.contact_added")
    assert event.target_id == str(known.pk)
    assert event.after == {"kind": "phone", "value": "+8613800138000"}


def test_it_remembers_a_new_e_mail_of_a_customer_found_by_crm_id(agent):
    known = make_customer(external_id="CRM-1", email="old@example.com")
    submit(
        agent,
        description="Parcel lost",
        customer=CustomerIdentity(external_id="CRM-1", email="NEW@example.com"),
    )
    assert set(known.contacts.values_list("value", flat=True)) == {
        "old@example.com",
        "new@example.com",
    }


def test_it_never_takes_another_customers_phone(agent):
    # given the phone belongs to B, and A is found by e-mail
    a = make_customer(email="a@example.com")
    b = make_customer(email="b@example.com", phone="+8613800138000")
    # when a request names A's e-mail with B's phone
    intake = submit(
        agent,
        description="Parcel lost",
        customer=CustomerIdentity(email="a@example.com", phone="13800138000"),
    )
    # then the ticket is A's and the phone stays B's
    assert intake.ticket.customer == a
    assert CustomerContact.objects.get(kind="phone").customer == b
    assert not AuditEvent.objects.filter(action="customer.contact_added").exists()


@pytest.mark.parametrize(
    ("identity", "field"),
    [
        (CustomerIdentity(email="not an address"), "customer.email"),
        (CustomerIdentity(phone="12"), "customer.phone"),
        (CustomerIdentity(external_id="x" * 65), "customer.external_id"),
        (CustomerIdentity(name="Only a name"), "customer"),
    ],
)
def test_it_refuses_an_unusable_identity_and_stores_nothing(agent, identity, field):
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        submit(agent, description="Parcel lost", customer=identity)
    assert field in refused.value.errors
    assert rows() == before


def test_it_asks_staff_who_the_customer_is(agent):
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        submit(agent, description="Parcel lost")
    assert "customer" in refused.value.errors
    assert rows() == before


def test_it_refuses_an_unknown_customer_id(agent):
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        submit(agent, description="Parcel lost", customer_id=987654)
    assert list(refused.value.errors) == ["customer_id"]
    assert rows() == before


def test_it_takes_a_known_customer_by_id(agent):
    known = make_customer()
    intake = submit(agent, description="Parcel lost", customer_id=known.pk)
    assert intake.ticket.customer == known


# --- routing -------------------------------------------------------------------------------


def test_an_explicit_team_wins_over_the_categorys(agent, team, other_team):
    make_category("refunds", team=team)
    intake = submit(
        agent, description="Refund", category="refunds", team="billing",
        customer=by_email("a@example.com"),
    )  # fmt: skip
    assert intake.ticket.team == other_team


def test_it_routes_to_the_categorys_team(agent, team, other_team):
    make_category("invoices", team=other_team)
    intake = submit(
        agent, description="Invoice", category="invoices", customer=by_email("a@example.com")
    )
    assert intake.ticket.team == other_team
    assert intake.ticket.category.code == "invoices"


def test_it_routes_a_subcategory_without_a_team_to_its_parents_team(agent, team, other_team):
    parent = make_category("billing", team=other_team)
    make_category("vat", parent=make_category("invoices", parent=parent))
    intake = submit(agent, description="VAT", category="vat", customer=by_email("a@example.com"))
    assert intake.ticket.team == other_team


def test_a_subcategorys_own_team_wins_over_its_parents(agent, team, other_team):
    parent = make_category("billing", team=team)
    make_category("invoices", parent=parent, team=other_team)
    intake = submit(
        agent, description="Invoice", category="invoices", customer=by_email("a@example.com")
    )
    assert intake.ticket.team == other_team


def test_it_skips_a_deactivated_team_on_the_way_up(agent, team, other_team):
    parent = make_category("billing", team=other_team)
    retired = make_team("retired")
    make_category("invoices", parent=parent, team=retired)
    retired.is_active = False
    retired.save()
    intake = submit(
        agent, description="Invoice", category="invoices", customer=by_email("a@example.com")
    )
    assert intake.ticket.team == other_team


def test_it_routes_to_the_default_team_without_a_category(agent, team, other_team):
    intake = submit(agent, description="Parcel lost", customer=by_email("a@example.com"))
    assert intake.ticket.team == team


def test_it_routes_to_the_default_team_when_no_category_up_the_tree_has_one(agent, team):
    make_category("misc", parent=make_category("general"))
    intake = submit(
        agent, description="Parcel lost", category="misc", customer=by_email("a@example.com")
    )
    assert intake.ticket.team == team


@pytest.mark.parametrize(("field", "code"), [("category", "nope"), ("team", "nope")])
def test_it_refuses_unknown_codes(agent, team, field, code):
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        submit(
            agent, description="Parcel lost", customer=by_email("a@example.com"), **{field: code}
        )
    assert field in refused.value.errors
    assert rows() == before


def test_it_refuses_a_deactivated_category(agent, team):
    category = make_category("old")
    category.is_active = False
    category.save()
    with pytest.raises(ValidationFailed) as refused:
        submit(agent, description="x", category="old", customer=by_email("a@example.com"))
    assert "category" in refused.value.errors


# --- assignee ------------------------------------------------------------------------------


def test_it_assigns_a_member_of_the_ticket_team(agent, teammate, team):
    intake = submit(
        agent, description="Parcel lost", assignee=teammate.pk, customer=by_email("a@example.com")
    )
    assert intake.ticket.assignee == teammate


def test_it_assigns_a_member_of_the_team_the_category_routes_to(agent, other_team, outsider):
    make_category("invoices", team=other_team)
    intake = submit(
        agent, description="Invoice", category="invoices", assignee=outsider.pk,
        customer=by_email("a@example.com"),
    )  # fmt: skip
    assert (intake.ticket.team, intake.ticket.assignee) == (other_team, outsider)


def test_it_refuses_an_assignee_outside_the_ticket_team(agent, outsider, team):
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        submit(
            agent, description="Parcel lost", assignee=outsider.pk,
            customer=by_email("a@example.com"),
        )  # fmt: skip
    assert list(refused.value.errors) == ["assignee"]
    assert rows() == before


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_managers_and_admins_may_take_any_ticket(agent, team, role):
    boss = make_user(role)
    intake = submit(
        agent, description="Parcel lost", assignee=boss.pk, customer=by_email("a@example.com")
    )
    assert intake.ticket.assignee == boss


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.ANALYST, Role.CUSTOMER, Role.PARTNER])
def test_it_refuses_an_assignee_whose_role_does_not_work_tickets(agent, team, role):
    user = make_user(role, teams=[team])
    with pytest.raises(ValidationFailed) as refused:
        submit(agent, description="x", assignee=user.pk, customer=by_email("a@example.com"))
    assert "assignee" in refused.value.errors


def test_it_refuses_an_inactive_or_unknown_assignee(agent, team):
    gone = make_user(Role.AGENT, teams=[team], is_active=False)
    for assignee in (gone.pk, 987654):
        with pytest.raises(ValidationFailed) as refused:
            submit(agent, description="x", assignee=assignee, customer=by_email("a@example.com"))
        assert "assignee" in refused.value.errors
    assert not Ticket.objects.exists()


# --- who may fill in what ------------------------------------------------------------------


def test_a_customer_submits_for_themselves_on_the_web(customer_user, team):
    intake = submit(customer_user, description="Parcel lost")
    ticket = intake.ticket
    assert ticket.customer == customer_user.customer
    assert (ticket.channel, ticket.urgency, ticket.team) == ("web", "medium", team)
    assert ticket.submitter == customer_user
    assert ticket.submitter_organisation is None


@pytest.mark.parametrize(
    "field",
    ["urgency", "team", "assignee", "customer", "customer_id"],
)
def test_a_customer_may_not_set_staff_fields(customer_user, agent, field):
    values = {
        "urgency": "high",
        "team": "support",
        "assignee": agent.pk,
        "customer": by_email("someone@example.com"),
        "customer_id": make_customer().pk,
    }
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        submit(customer_user, description="Parcel lost", **{field: values[field]})
    assert field in refused.value.errors
    assert rows() == before


def test_a_customer_without_a_customer_record_may_not_submit(team):
    user = make_user(Role.CUSTOMER)
    Customer.objects.filter(user=user).update(user=None)
    user = User.objects.get(pk=user.pk)
    before = rows()
    with pytest.raises(NotPermitted):
        submit(user, description="Parcel lost")
    assert rows() == before


def test_a_partner_submits_for_a_customer_on_behalf_of_its_organisation(partner, team):
    intake = submit(
        partner, description="Parcel lost", urgency="high", customer=by_email("a@example.com")
    )
    ticket = intake.ticket
    assert ticket.submitter_organisation == partner.organisation
    assert (ticket.channel, ticket.urgency) == ("api", "high")


@pytest.mark.parametrize("field", ["team", "assignee", "customer_id"])
def test_a_partner_may_not_set_staff_fields(partner, agent, field):
    values = {"team": "support", "assignee": agent.pk, "customer_id": make_customer().pk}
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        submit(
            partner, description="Parcel lost", customer=by_email("a@example.com"),
            **{field: values[field]},
        )  # fmt: skip
    assert field in refused.value.errors
    assert rows() == before


def test_a_partner_without_an_organisation_may_not_submit(partner):
    User.objects.filter(pk=partner.pk).update(organisation=None)
    partner = User.objects.get(pk=partner.pk)
    before = rows()
    with pytest.raises(NotPermitted):
        submit(partner, description="Parcel lost", customer=by_email("a@example.com"))
    assert rows() == before


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.ANALYST])
def test_read_only_roles_may_not_submit(team, role):
    user = make_user(role, teams=[team])
    before = rows()
    with pytest.raises(NotPermitted):
        submit(user, description="Parcel lost", customer=by_email("a@example.com"))
    assert rows() == before


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN])
def test_staff_submit_through_the_api_channel_by_default(team, role):
    user = make_user(role, teams=[team])
    intake = submit(user, description="Parcel lost", customer=by_email("a@example.com"))
    assert intake.created
    assert intake.ticket.channel == "api"
    assert intake.ticket.submitter_organisation is None


# --- the text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "subject"),
    [
        ("Parcel lost\nIt was due on Monday.", "Parcel lost"),
        ("\n\n   Parcel lost   \r\nmore", "Parcel lost"),
        ("a" * 80, "a" * 80),
        ("a" * 81 + "\nmore", "a" * 79 + "…"),
        ("我" * 120, "我" * 79 + "…"),
    ],
)
def test_it_derives_the_subject_from_the_first_line(agent, description, subject):
    intake = submit(agent, description=description, customer=by_email("a@example.com"))
    assert intake.ticket.subject == subject
    assert len(intake.ticket.subject) <= 80


def test_it_keeps_a_given_subject_and_trims_the_text(agent):
    intake = submit(
        agent, subject="  Where is it?  ", description="  Parcel lost  ",
        order_ref=" SO-1 ", customer=by_email("a@example.com"),
    )  # fmt: skip
    ticket = Ticket.objects.get(pk=intake.ticket.pk)
    assert (ticket.subject, ticket.description, ticket.order_ref) == (
        "Where is it?",
        "Parcel lost",
        "SO-1",
    )


def test_it_reports_every_bad_field_at_once_and_stores_nothing(agent):
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        submit(
            agent, description="   ", subject="s" * 201, kind="rant", urgency="asap",
            channel="pigeon", order_ref="o" * 65, customer=by_email("a@example.com"),
        )  # fmt: skip
    assert set(refused.value.errors) == {
        "description", "subject", "kind", "urgency", "channel", "order_ref",
    }  # fmt: skip
    assert rows() == before


def test_it_accepts_the_longest_description_and_refuses_one_more_character(agent):
    intake = submit(agent, description="x" * 20_000, customer=by_email("a@example.com"))
    assert len(intake.ticket.description) == 20_000
    with pytest.raises(ValidationFailed) as refused:
        submit(agent, description="y" * 20_001, customer=by_email("a@example.com"))
    assert "description" in refused.value.errors


def test_it_stores_the_ticket_with_a_searchable_document(agent, team):
    intake = submit(
        agent, description="物流延迟 parcel", order_ref="SO-77", customer=by_email("a@example.com")
    )
    ticket = Ticket.objects.get(pk=intake.ticket.pk)
    assert ticket.status == "new"
    assert ticket.version == 1
    assert {"物流", "流延", "延迟", "parcel", "so", "77"} <= set(ticket.search_document.split())


# --- custom fields -------------------------------------------------------------------------


@pytest.fixture
def custom_fields(db):
    definitions = {
        "model": ("text", []),
        "units": ("integer", []),
        "amount": ("decimal", []),
        "bought_on": ("date", []),
        "insured": ("boolean", []),
        "colour": ("choice", ["red", "blue"]),
    }
    for key, (field_type, choices) in definitions.items():
        CustomField.objects.create(
            key=key, name_en=key, name_zh=key, field_type=field_type, choices=choices
        )


def test_it_stores_valid_custom_fields_in_their_clean_form(agent, custom_fields):
    intake = submit(
        agent,
        description="Broken",
        customer=by_email("a@example.com"),
        custom_fields={
            "model": "  X-100 ",
            "units": 3,
            "amount": "12.50",
            "bought_on": "2026-11-01",
            "insured": False,
            "colour": "red",
        },
    )
    assert Ticket.objects.get(pk=intake.ticket.pk).custom_fields == {
        "model": "X-100",
        "units": 3,
        "amount": "12.50",
        "bought_on": "2026-11-01",
        "insured": False,
        "colour": "red",
    }


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("model", 5),
        ("model", "m" * 1001),
        ("units", "3"),
        ("units", 2.5),
        ("units", True),
        ("amount", "twelve"),
        ("amount", "NaN"),
        ("amount", "Infinity"),
        ("amount", True),
        ("amount", [1]),
        ("bought_on", "01/11/2026"),
        ("bought_on", "2026-02-30"),
        ("bought_on", 20261101),
        ("insured", "yes"),
        ("insured", 1),
        ("colour", "green"),
        ("colour", ["red"]),
    ],
)
def test_it_refuses_a_custom_value_of_the_wrong_type(agent, custom_fields, key, value):
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        submit(
            agent, description="Broken", customer=by_email("a@example.com"),
            custom_fields={key: value},
        )  # fmt: skip
    assert list(refused.value.errors) == [f"custom_fields.{key}"]
    assert rows() == before


@pytest.mark.parametrize(("key", "value"), [("units", 7), ("amount", 7), ("amount", 7.25)])
def test_it_accepts_numbers_where_numbers_are_expected(agent, custom_fields, key, value):
    intake = submit(
        agent, description="Broken", customer=by_email("a@example.com"), custom_fields={key: value}
    )
    assert str(intake.ticket.custom_fields[key]) == str(value)


def test_it_refuses_an_unknown_or_deactivated_custom_field(agent, custom_fields):
    CustomField.objects.filter(key="model").update(is_active=False)
    from serviceloop.tickets import reference

    reference.forget()
    with pytest.raises(ValidationFailed) as refused:
        submit(
            agent, description="Broken", customer=by_email("a@example.com"),
            custom_fields={"size": "XL", "model": "X-100"},
        )  # fmt: skip
    assert set(refused.value.errors) == {"custom_fields.size", "custom_fields.model"}


def test_it_requires_required_custom_fields(agent, custom_fields):
    CustomField.objects.create(
        key="serial", name_en="Serial", name_zh="序列号", field_type="text", required=True
    )
    before = rows()
    for values in ({}, {"serial": None}, {"serial": ""}):
        with pytest.raises(ValidationFailed) as refused:
            submit(
                agent, description="Broken", customer=by_email("a@example.com"),
                custom_fields=values,
            )  # fmt: skip
        assert refused.value.errors == {"custom_fields.serial": "This field is required."}
    assert rows() == before
    intake = submit(
        agent, description="Broken", customer=by_email("a@example.com"),
        custom_fields={"serial": "SN-1"},
    )  # fmt: skip
    assert intake.ticket.custom_fields == {"serial": "SN-1"}


def test_null_leaves_an_optional_custom_field_out(agent, custom_fields):
    intake = submit(
        agent, description="Broken", customer=by_email("a@example.com"),
        custom_fields={"model": None, "units": 2},
    )  # fmt: skip
    assert Ticket.objects.get(pk=intake.ticket.pk).custom_fields == {"units": 2}


# --- Idempotency-Key -----------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_first_ticket(agent):
    draft = TicketDraft(description="Parcel lost", customer=by_email("a@example.com"))
    first = create_ticket(actor=agent, draft=draft, idempotency_key="order-1-try")
    before = rows()
    again = create_ticket(actor=agent, draft=draft, idempotency_key="order-1-try")
    assert (again.ticket.pk, again.created, again.replayed) == (first.ticket.pk, False, True)
    assert first.created
    assert not first.replayed
    assert rows() == before


def test_a_retry_outside_the_duplicate_window_still_replays(agent):
    draft = TicketDraft(description="Parcel lost", customer=by_email("a@example.com"))
    with time_machine.travel(datetime(2026, 11, 23, 9, tzinfo=SHANGHAI), tick=False) as travel:
        first = create_ticket(actor=agent, draft=draft, idempotency_key="k")
        travel.shift(timedelta(days=2))
        again = create_ticket(actor=agent, draft=draft, idempotency_key="k")
    assert again.replayed
    assert again.ticket.pk == first.ticket.pk
    assert Ticket.objects.count() == 1


def test_the_same_key_with_another_request_is_refused(agent):
    create_ticket(
        actor=agent, idempotency_key="k-1",
        draft=TicketDraft(description="Parcel lost", customer=by_email("a@example.com")),
    )  # fmt: skip
    before = rows()
    with pytest.raises(DomainError) as refused:
        create_ticket(
            actor=agent, idempotency_key="k-1",
            draft=TicketDraft(description="Parcel broken", customer=by_email("a@example.com")),
        )  # fmt: skip
    assert refused.value.field == "Idempotency-Key"
    assert refused.value.code == "idempotency_key_reused"
    assert rows() == before


def test_keys_belong_to_the_user_who_sent_them(agent, teammate):
    first = submit(agent, key="k-1", description="Parcel lost", customer=by_email("a@x.example"))
    second = submit(
        teammate, key="k-1", description="Parcel broken", customer=by_email("b@x.example")
    )
    assert second.created
    assert second.ticket.pk != first.ticket.pk
    assert IdempotencyKey.objects.filter(key="k-1").count() == 2


@pytest.mark.parametrize("key", ["", " ", "a b", "键-1", "tab\t", "x" * 256, "new\nline"])
def test_it_refuses_a_malformed_key_before_anything_else(agent, key):
    before = rows()
    with pytest.raises(DomainError) as refused:
        submit(agent, key=key, description="Parcel lost", customer=by_email("a@example.com"))
    assert refused.value.field == "Idempotency-Key"
    assert rows() == before


@pytest.mark.parametrize("key", ["x" * 255, "!", "~order/42:try=1"])
def test_it_accepts_any_visible_ascii_key_up_to_255_characters(agent, key):
    intake = submit(agent, key=key, description="Parcel lost", customer=by_email("a@example.com"))
    assert intake.created
    assert IdempotencyKey.objects.get(key=key).ticket == intake.ticket


def test_a_key_used_on_a_duplicate_replays_the_earlier_ticket(agent):
    first = submit(agent, description="Parcel lost", customer=by_email("a@example.com"))
    duplicate = submit(
        agent, key="k-2", description="Parcel lost", customer=by_email("a@example.com")
    )
    again = submit(agent, key="k-2", description="Parcel lost", customer=by_email("a@example.com"))
    assert duplicate.duplicate
    assert duplicate.ticket.pk == first.ticket.pk
    assert again.replayed
    assert again.ticket.pk == first.ticket.pk


# --- duplicates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "retyped",
    [
        "My parcel is LATE",
        "  my   parcel\nis late ",
        "ＭＹ ＰＡＲＣＥＬ ＩＳ ＬＡＴＥ",  # full-width letters and spaces
        "My\u3000parcel\tis late",  # ideographic space
    ],
)
def test_an_identical_text_from_the_same_customer_is_the_earlier_ticket(agent, retyped):
    first = submit(agent, description="My parcel is late", customer=by_email("a@example.com"))
    before = rows()
    again = submit(agent, description=retyped, customer=by_email("A@Example.com"))
    assert (again.ticket.pk, again.created, again.duplicate) == (first.ticket.pk, False, True)
    assert rows() == before


def test_a_duplicate_uses_up_no_ticket_number(agent):
    with time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        first = submit(agent, description="Parcel late", customer=by_email("a@example.com"))
        submit(agent, description="Parcel late", customer=by_email("a@example.com"))
        second = submit(agent, description="Another one", customer=by_email("a@example.com"))
    first_serial = int(first.ticket.number.rsplit("-", 1)[1])
    assert second.ticket.number.rsplit("-", 1)[1] == f"{first_serial + 1:06d}"


def test_the_same_customer_found_by_another_identifier_is_still_a_duplicate(agent):
    known = make_customer(email="a@example.com", phone="+8613800138000")
    first = submit(agent, description="Parcel lost", customer_id=known.pk)
    again = submit(agent, description="Parcel lost", customer=CustomerIdentity(phone="13800138000"))
    assert again.duplicate
    assert again.ticket.pk == first.ticket.pk


def test_a_customer_submitting_the_same_text_twice_gets_one_ticket(customer_user):
    first = submit(customer_user, description="Where is my parcel?")
    again = submit(customer_user, description="where is my parcel?")
    assert again.duplicate
    assert again.ticket.pk == first.ticket.pk


def test_the_same_text_from_another_customer_is_a_new_ticket(agent):
    first = submit(agent, description="Parcel lost", customer=by_email("a@example.com"))
    other = submit(agent, description="Parcel lost", customer=by_email("b@example.com"))
    assert other.created
    assert not other.duplicate
    assert other.ticket.pk != first.ticket.pk


def test_another_text_from_the_same_customer_is_a_new_ticket(agent):
    first = submit(agent, description="Parcel lost", customer=by_email("a@example.com"))
    other = submit(agent, description="Parcel lost again", customer=by_email("a@example.com"))
    assert other.created
    assert other.ticket.pk != first.ticket.pk


@pytest.mark.parametrize(
    ("later", "duplicate"),
    [
        (timedelta(minutes=9), True),  # a minute before the boundary
        (timedelta(minutes=10), True),  # at it: still within the window
        (timedelta(minutes=10, microseconds=1), False),  # just after it
        (timedelta(minutes=11), False),  # a minute after it
    ],
)
def test_the_duplicate_window_ends_exactly_after_ten_minutes(agent, later, duplicate):
    start = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False) as travel:
        first = submit(agent, description="Parcel lost", customer=by_email("a@example.com"))
        travel.move_to(start + later)
        again = submit(agent, description="Parcel lost", customer=by_email("a@example.com"))
    assert again.duplicate is duplicate
    assert again.created is not duplicate
    assert (again.ticket.pk == first.ticket.pk) is duplicate
    assert Ticket.objects.count() == (1 if duplicate else 2)


@override_settings(DUPLICATE_WINDOW_MINUTES=1)
def test_the_window_follows_the_setting(agent):
    start = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False) as travel:
        submit(agent, description="Parcel lost", customer=by_email("a@example.com"))
        travel.shift(timedelta(minutes=2))
        again = submit(agent, description="Parcel lost", customer=by_email("a@example.com"))
    assert again.created


# --- audit and transaction -----------------------------------------------------------------


def test_it_audits_the_creation_with_what_was_set(agent, team, teammate):
    intake = submit(
        agent, description="Parcel lost", urgency="high", assignee=teammate.pk,
        customer=by_email("a@example.com"),
    )  # fmt: skip
    ticket = intake.ticket
    event = AuditEvent.objects.get(action="ticket.created")
    assert (event.actor, event.ticket_id, event.target_type, event.target_id) == (
        agent, ticket.pk, "ticket", str(ticket.pk),
    )  # fmt: skip
    assert event.before == {}
    assert event.after["number"] == ticket.number
    assert event.after["status"] == "new"
    assert event.after["urgency"] == "high"
    assert event.after["team"] == team.pk
    assert event.after["assignee"] == teammate.pk
    assert event.after["customer"] == ticket.customer_id


def test_the_ticket_and_its_audit_event_are_one_transaction(agent, monkeypatch):
    # given storing the Idempotency-Key, the last step of the transaction, fails
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.creation, "_remember_key", fail)
    before = rows()
    # when a ticket for a new customer is submitted
    with pytest.raises(RuntimeError):
        submit(agent, key="k-1", description="Parcel lost", customer=by_email("a@example.com"))
    # then neither the ticket, nor the new customer, nor any audit event remains
    assert rows() == before
    assert not AuditEvent.objects.filter(action__in=["ticket.created", "customer.created"]).exists()


def test_a_duplicate_writes_no_audit_event(agent):
    submit(agent, description="Parcel lost", customer=by_email("a@example.com"))
    events = AuditEvent.objects.count()
    submit(agent, description="Parcel lost", customer=by_email("a@example.com"))
    assert AuditEvent.objects.count() == events


def test_every_ticket_gets_its_own_number(agent):
    numbers = {
        submit(agent, description=f"Parcel {n}", customer=by_email("a@example.com")).ticket.number
        for n in range(5)
    }
    assert len(numbers) == 5


# --- batches -------------------------------------------------------------------------------


def test_a_batch_answers_each_item_on_its_own(partner, team):
    results = create_tickets(
        actor=partner,
        drafts=[
            (TicketDraft(description="Parcel 1", customer=by_email("a@example.com")), "b-1"),
            (TicketDraft(description="", customer=by_email("b@example.com")), "b-2"),
            (TicketDraft(description="Parcel 3", customer=by_email("c@example.com")), None),
            (TicketDraft(description="Parcel 1", customer=by_email("a@example.com")), "b-1"),
        ],
    )
    assert [type(result).__name__ for result in results] == [
        "TicketIntake", "ValidationFailed", "TicketIntake", "TicketIntake",
    ]  # fmt: skip
    assert results[1].errors.keys() == {"description"}
    assert results[3].replayed
    assert results[3].ticket.pk == results[0].ticket.pk
    assert Ticket.objects.count() == 2
