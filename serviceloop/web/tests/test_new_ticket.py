"""desk:new — an agent logs a call, a visit or a message as a ticket: finds the customer as
they type (or enters a new one), and is warned before making a second ticket."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import ValidationFailed
from serviceloop.customers.models import Customer, CustomerContact, CustomerTier
from serviceloop.tickets.choices import Channel, Direction, Status
from serviceloop.tickets.models import Interaction, Ticket
from serviceloop.tickets.services import submission
from serviceloop.web.tests.conftest import signed_in
from tests.builders import make_category, make_customer, make_ticket, make_user

NEW = "/desk/new/"
SEARCH = "/desk/new/customers/"
PICK = "/desk/new/customers/pick/"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def wang(db):
    """A known customer with a phone, an e-mail and a tier."""
    customer = make_customer("Wang Lei", email="wang.lei@example.com", phone="+8613800138000")
    customer.tier = CustomerTier.objects.create(code="gold", name_en="Gold", name_zh="金卡", rank=5)
    customer.save(update_fields=["tier"])
    return customer


def form(**values):
    data = {
        "channel": "phone",
        "kind": "complaint",
        "urgency": "high",
        "category": "",
        "subject": "",
        "description": "The parcel arrived broken.",
        "answer": "",
        "customer_query": "",
        "new_name": "",
        "new_phone": "",
        "new_email": "",
    }
    data.update(values)
    return data


def errors_of(response) -> dict[str, str]:
    page = response.content.decode()
    return dict(re.findall(r'data-error-for="([^"]+)">([^<]*)<', page))


# --- the names others link to --------------------------------------------------------------


def test_the_url_names_resolve():
    assert reverse("desk:new") == NEW
    assert reverse("desk:customer_search") == SEARCH
    assert reverse("desk:customer_pick") == PICK


# --- who may use it ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN])
def test_roles_that_work_tickets_get_the_form(team, role):
    user = make_user(role, teams=[team])
    response = signed_in(user).get(NEW)
    assert response.status_code == 200
    assert 'name="description"' in response.content.decode()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.SPECIALIST, Role.CUSTOMER, Role.PARTNER])
def test_other_roles_are_refused_the_form_and_the_customer_search(team, role):
    client = signed_in(make_user(role))
    assert client.get(NEW).status_code == 403
    assert client.get(SEARCH, {"customer_query": "wang"}).status_code == 403
    assert client.get(PICK).status_code == 403
    assert client.post(NEW, form(new_email="x@example.com")).status_code == 403
    assert not Ticket.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(NEW)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- the form ------------------------------------------------------------------------------


def test_the_form_offers_the_logged_channels_and_a_typeahead(agent_client, category):
    page = agent_client.get(NEW).content.decode()
    channels = re.search(r'<select name="channel".*?</select>', page, re.S).group(0)
    for channel in ("phone", "onsite", "email", "chat", "sms", "web"):
        assert f'value="{channel}"' in channels
    assert 'value="api"' not in channels
    box = re.search(r'<input[^>]*name="customer_query"[^>]*>', page).group(0)
    assert f'hx-get="{SEARCH}"' in box
    assert 'hx-trigger="input changed delay:250ms, search"' in box
    assert 'value="delivery"' in page  # the active categories


def test_the_form_speaks_chinese(agent, team):
    agent.language = "zh-hans"
    agent.save(update_fields=["language"])
    page = signed_in(agent).get(NEW).content.decode()
    assert "投诉" in page  # the kinds
    assert "上门/现场" in page  # the channels


def test_the_form_runs_a_fixed_number_of_queries(agent_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert agent_client.get(NEW).status_code == 200


# --- finding the customer ------------------------------------------------------------------


def search(client, text):
    response = client.get(SEARCH, {"customer_query": text}, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def found_ids(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-sl-customer="(\d+)"', page)]


def test_it_finds_a_customer_by_phone_as_people_say_it(agent_client, wang):
    make_customer("Someone Else", phone="+8613900139000")
    for typed in ("138 0013 8000", "+86 138-0013-8000", "1380013", "0086 13800"):
        assert found_ids(search(agent_client, typed)) == [wang.pk], typed


def test_it_finds_a_customer_by_the_start_of_the_e_mail(agent_client, wang):
    make_customer("Other", email="zhang@example.com")
    assert found_ids(search(agent_client, "WANG.l")) == [wang.pk]


def test_it_finds_a_customer_by_the_start_of_the_name_whatever_the_case(agent_client, wang):
    li = make_customer("李伟", email="someone@example.com")
    assert found_ids(search(agent_client, "wang lei")) == [wang.pk]
    assert found_ids(search(agent_client, "李")) == [li.pk]


def test_it_finds_a_customer_by_crm_id(agent_client):
    crm = make_customer("Crm Person", external_id="CRM-0042")
    assert found_ids(search(agent_client, "CRM-0042")) == [crm.pk]


def test_a_result_shows_contacts_tier_and_open_ticket_count(agent_client, agent, wang):
    make_ticket(agent, customer_id=wang.pk, description="First")
    make_ticket(agent, customer_id=wang.pk, description="Second")
    page = search(agent_client, "wang")
    assert "Wang Lei" in page
    assert "+8613800138000" in page
    assert "wang.lei@example.com" in page
    assert "Gold" in page
    assert "2 open tickets" in page


def test_one_latin_letter_finds_nobody_and_nothing_found_says_so(agent_client, wang):
    assert found_ids(search(agent_client, "w")) == []
    assert "No customer found" in search(agent_client, "nobody-like-this")


def test_it_shows_at_most_ten_customers(agent_client):
    for n in range(12):
        make_customer(f"Zhao {n:02d}")
    assert len(found_ids(search(agent_client, "zhao"))) == 10


def test_customer_names_are_escaped(agent_client):
    make_customer("<script>alert(1)</script>Eve", email="eve@example.com")
    page = search(agent_client, "eve@")
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize("count", [3, 30])
def test_the_search_runs_a_fixed_number_of_queries(
    agent_client, agent, count, django_assert_max_num_queries
):
    for n in range(count):
        customer = make_customer(f"Qian {n:02d}", phone=f"+861380000{n:04d}")
        make_ticket(agent, customer_id=customer.pk)
    with django_assert_max_num_queries(8):
        assert len(found_ids(search(agent_client, "qian"))) == min(count, 10)
    with django_assert_max_num_queries(8):
        assert len(found_ids(search(agent_client, "1380000"))) == min(count, 10)


# --- picking the customer: the duplicate warning ---------------------------------------------


def test_picking_a_customer_carries_them_and_warns_of_their_open_tickets(
    agent_client, agent, outsider, other_team, wang
):
    recent = make_ticket(agent, customer_id=wang.pk, description="Broken parcel")
    closed = make_ticket(agent, customer_id=wang.pk, description="Old question")
    Ticket.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    elsewhere = make_ticket(
        outsider, customer_id=wang.pk, description="Billing question", team=other_team.code
    )
    response = agent_client.get(PICK, {"customer": wang.pk}, headers=HTMX)
    page = response.content.decode()
    assert f'name="customer_id" value="{wang.pk}"' in page
    assert 'id="sl-customer-results" hx-swap-oob="true"' in page  # the results are emptied
    warning = re.search(r'id="sl-open-tickets".*?</div>', page, re.S).group(0)
    assert "This customer already has open tickets" in warning
    assert reverse("desk:ticket", args=[recent.number]) in warning
    assert closed.number not in page
    # a ticket of another team is not shown to this agent, but counted
    assert elsewhere.number not in page
    assert "And 1 more open ticket not listed here." in page


def test_picking_nobody_empties_the_picker(agent_client):
    page = agent_client.get(PICK, headers=HTMX).content.decode()
    assert "customer_id" not in page


# --- creating the ticket -------------------------------------------------------------------


def test_it_creates_the_ticket_for_the_picked_customer_and_opens_it(
    agent_client, agent, wang, category
):
    response = agent_client.post(
        NEW, form(customer_id=wang.pk, category="delivery", subject="Broken parcel")
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:ticket", args=[ticket.number])
    assert (ticket.customer, ticket.channel, ticket.kind, ticket.urgency) == (
        wang,
        Channel.PHONE,
        "complaint",
        "high",
    )
    assert (ticket.category, ticket.subject, ticket.submitter) == (category, "Broken parcel", agent)
    assert AuditEvent.objects.filter(action="ticket.created", ticket_id=ticket.pk).exists()


def test_it_creates_a_new_customer_from_the_sub_form(agent_client):
    response = agent_client.post(
        NEW, form(channel="onsite", new_name="Sun Mei", new_phone="139 0013 9000")
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.customer.name == "Sun Mei"
    assert ticket.channel == Channel.ONSITE
    assert CustomerContact.objects.get(customer=ticket.customer).value == "+8613900139000"


def test_a_new_customer_with_a_known_phone_is_the_known_customer(agent_client, wang):
    agent_client.post(NEW, form(new_name="W. Lei", new_phone="13800138000"))
    assert Ticket.objects.get().customer == wang
    assert Customer.objects.count() == 1


def test_what_was_answered_is_the_first_logged_contact(agent_client, agent, wang):
    agent_client.post(NEW, form(customer_id=wang.pk, answer="We send a new one today."))
    ticket = Ticket.objects.get()
    interaction = Interaction.objects.get(ticket=ticket)
    assert interaction.content == "We send a new one today."
    assert (interaction.channel, interaction.direction) == (Channel.PHONE, Direction.OUTBOUND)
    assert interaction.author == agent
    assert not interaction.is_internal
    # answering on the phone is the first response
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.first_response_at is not None


def test_without_an_answer_no_contact_is_logged(agent_client, wang):
    agent_client.post(NEW, form(customer_id=wang.pk))
    assert not Interaction.objects.exists()
    assert Ticket.objects.get().status == Status.NEW


# --- refusals store nothing ----------------------------------------------------------------


def test_without_a_description_nothing_is_stored(agent_client, wang):
    response = agent_client.post(NEW, form(customer_id=wang.pk, description="  "))
    assert response.status_code == 422
    assert "description" in errors_of(response)
    assert not Ticket.objects.exists()
    # the picked customer stays picked
    assert f'name="customer_id" value="{wang.pk}"' in response.content.decode()


def test_without_a_customer_it_asks_for_one(agent_client):
    response = agent_client.post(NEW, form(new_name="Nobody"))
    assert response.status_code == 422
    assert "Pick a customer" in errors_of(response)["customer_query"]
    assert not Ticket.objects.exists()
    assert not Customer.objects.exists()


def test_enter_in_the_search_box_shows_what_the_search_finds(agent_client, wang):
    response = agent_client.post(NEW, form(customer_query="wang"))
    assert response.status_code == 422
    assert found_ids(response.content.decode()) == [wang.pk]


def test_a_bad_phone_for_a_new_customer_is_a_field_error(agent_client):
    response = agent_client.post(NEW, form(new_name="Sun Mei", new_phone="12"))
    assert response.status_code == 422
    assert errors_of(response)["new_phone"] == "Enter a valid phone number."
    assert not Ticket.objects.exists()
    assert not Customer.objects.exists()


def test_an_unknown_picked_customer_is_a_field_error(agent_client):
    response = agent_client.post(NEW, form(customer_id=999999))
    assert response.status_code == 422
    assert errors_of(response)["customer_query"] == "There is no customer with this id."
    assert not Ticket.objects.exists()


def test_an_unknown_category_is_a_field_error(agent_client, wang):
    response = agent_client.post(NEW, form(customer_id=wang.pk, category="no-such"))
    assert response.status_code == 422
    assert "category" in errors_of(response)
    assert not Ticket.objects.exists()


def test_an_inactive_category_is_refused_by_the_core(agent_client, wang, team):
    retired = make_category("retired", team=team)
    retired.is_active = False
    retired.save()
    response = agent_client.post(NEW, form(customer_id=wang.pk, category="retired"))
    assert response.status_code == 422
    assert "category" in errors_of(response)
    assert not Ticket.objects.exists()


def test_when_logging_the_answer_fails_the_ticket_is_not_kept_either(
    agent_client, wang, monkeypatch
):
    def refuse(**kwargs):
        raise ValidationFailed({"content": "Refused for the test."})

    monkeypatch.setattr(submission, "add_interaction", refuse)
    response = agent_client.post(NEW, form(customer_id=wang.pk, answer="We call back."))
    assert response.status_code == 422
    assert errors_of(response)["answer"] == "Refused for the test."
    assert not Ticket.objects.exists()
    assert not AuditEvent.objects.filter(action="ticket.created").exists()


def test_user_text_is_escaped_when_the_form_comes_back(agent_client):
    response = agent_client.post(NEW, form(subject="<b>x</b>", description=""))
    page = response.content.decode()
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


# --- the duplicate guard of the core -------------------------------------------------------


def test_an_identical_second_ticket_is_not_created(agent_client, agent, wang):
    first = make_ticket(agent, customer_id=wang.pk, description="The parcel arrived broken.")
    response = agent_client.post(NEW, form(customer_id=wang.pk, answer="Sorry about that."))
    assert response.status_code == 409
    page = response.content.decode()
    notice = re.search(r'id="sl-duplicate".*?</div>', page, re.S).group(0)
    assert "Not created: identical to ticket" in notice
    assert f'href="{reverse("desk:ticket", args=[first.number])}"' in notice
    assert Ticket.objects.count() == 1
    assert not Interaction.objects.exists()


def test_a_different_text_for_the_same_customer_is_a_new_ticket(agent_client, agent, wang):
    make_ticket(agent, customer_id=wang.pk, description="The parcel arrived broken.")
    response = agent_client.post(NEW, form(customer_id=wang.pk, description="Another matter"))
    assert response.status_code == 302
    assert Ticket.objects.count() == 2


def test_creating_runs_a_fixed_number_of_queries(agent_client, wang, agent):
    for _ in range(5):
        make_ticket(agent, customer_id=wang.pk)
    with CaptureQueriesContext(connection) as few:
        agent_client.post(NEW, form(customer_id=wang.pk, description="One", answer="A"))
    for _ in range(20):
        make_ticket(agent, customer_id=wang.pk)
    with CaptureQueriesContext(connection) as many:
        agent_client.post(NEW, form(customer_id=wang.pk, description="Two", answer="B"))
    assert len(many) == len(few)


def test_a_ticket_routed_to_a_team_the_agent_is_not_in_is_reported_not_opened(outsider, team, wang):
    # given an agent of billing, and no category: the ticket goes to the default team
    client = signed_in(outsider)
    response = client.post(NEW, form(customer_id=wang.pk), follow=True)
    ticket = Ticket.objects.get()
    assert ticket.team == team
    # then the agent is told where it went instead of being sent to a page they cannot see
    assert response.redirect_chain == [(NEW, 302)]
    assert f"Ticket {ticket.number} is created; it went to the team Support." in (
        response.content.decode()
    )


@pytest.mark.parametrize("value", ["abc", "-1", "0", str(10**20)])
def test_a_malformed_customer_gives_the_empty_picker(agent_client, value):
    response = agent_client.get(PICK, {"customer": value}, headers=HTMX)
    assert response.status_code == 200
    assert "customer_id" not in response.content.decode()


def test_a_huge_customer_id_in_the_form_is_a_field_error(agent_client):
    response = agent_client.post(NEW, form(customer_id=str(10**20)))
    assert response.status_code == 422
    assert "customer_query" in errors_of(response)
    assert not Ticket.objects.exists()
