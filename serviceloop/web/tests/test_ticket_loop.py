"""The loop on the pages: a missed promise asks the agent, on the ticket page, to tell the
customer and agree a new time (renegotiate_commitment, all or nothing); a customer's message
to a closed ticket opens a linked ticket from the portal (and the API:
serviceloop/api/tests/test_ticket_loop.py), and both ticket pages link the two."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.inbox.models import Kind, Notification
from serviceloop.sla.promises import miss_overdue_commitments
from serviceloop.tickets.choices import CommitmentStatus
from serviceloop.tickets.models import Commitment, Ticket
from serviceloop.tickets.services import create_commitment
from serviceloop.tickets.tests import given as tickets_given
from serviceloop.tickets.tests.given import DUE, SHANGHAI, rows, ticket_in
from tests.builders import make_user

# The loop's fixtures (the tickets tests'): the clock a day before the promise is due
# (autouse) and a customer with a portal login.
frozen_clock = tickets_given.frozen_clock
customer_user = tickets_given.customer_user

HTMX = {"HX-Request": "true"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def promise(agent):
    ticket = ticket_in("in_progress", agent=agent)
    return create_commitment(ticket=ticket, actor=agent, text="Call back before 10:00", due_at=DUE)


@pytest.fixture
def missed(promise, frozen_clock):
    frozen_clock.move_to(DUE + timedelta(minutes=1))
    assert miss_overdue_commitments() == 1
    return Commitment.objects.get(pk=promise.pk)


def page_of(ticket: Ticket, client: Client) -> str:
    response = client.get(reverse("desk:ticket", kwargs={"number": ticket.number}))
    assert response.status_code == 200
    return response.content.decode()


def renegotiate_url(promise: Commitment) -> str:
    return reverse(
        "desk:ticket_renegotiate_promise",
        kwargs={"number": promise.ticket.number, "commitment_id": promise.pk},
    )


def form(promise: Commitment, **values: str) -> dict[str, str]:
    return {f"p{promise.pk}-{name}": value for name, value in values.items()}


# --- missed promises on the desk ----------------------------------------------------------


def test_a_missed_promise_tells_owner_and_supervisor_and_prompts_on_the_page(
    supervisor, agent, missed
):
    assert {n.recipient for n in Notification.objects.filter(kind=Kind.COMMITMENT_MISSED)} == {
        agent, supervisor,
    }  # fmt: skip
    html = page_of(missed.ticket, signed_in(agent))
    assert f'data-missed-promise="{missed.pk}"' in html
    assert "Promise missed: tell the customer — renegotiate" in html
    assert f'name="p{missed.pk}-reason"' in html


def test_an_open_promise_offers_renegotiation_without_the_prompt(promise, agent):
    html = page_of(promise.ticket, signed_in(agent))
    assert f'data-open-promise="{promise.pk}"' in html
    assert "data-missed-promise" not in html
    assert f'data-renegotiate="{promise.pk}"' in html


def test_renegotiating_from_the_page_agrees_a_new_time_and_audits_the_reason(
    missed, agent, frozen_clock
):
    client = signed_in(agent)
    response = client.post(
        renegotiate_url(missed),
        form(missed, due_at="2031-03-05T15:30", reason="The courier is stuck in snow"),
        headers=HTMX,
    )

    assert response.status_code == 200
    old = Commitment.objects.get(pk=missed.pk)
    assert (old.status, old.reason) == (
        CommitmentStatus.RENEGOTIATED,
        "The courier is stuck in snow",
    )
    new = Commitment.objects.get(renegotiated_from=old)
    assert new.status == CommitmentStatus.OPEN
    assert new.due_at == datetime(2031, 3, 5, 15, 30, tzinfo=SHANGHAI)  # the agent's zone
    assert new.text == "Call back before 10:00"
    event = AuditEvent.objects.filter(action="commitment.renegotiated").get()
    assert event.after["reason"] == "The courier is stuck in snow"
    html = response.content.decode()
    assert "data-missed-promise" not in html, "the customer was told: no more prompt"
    assert f'data-open-promise="{new.pk}"' in html
    assert "HX-Trigger" in response.headers


def test_renegotiating_with_another_zone_reads_the_agents_time(missed, agent):
    agent.time_zone = "Europe/Berlin"
    agent.save(update_fields=["time_zone"])
    signed_in(agent).post(
        renegotiate_url(missed), form(missed, due_at="2031-03-05T09:00", reason="Snow")
    )
    new = Commitment.objects.get(renegotiated_from=missed)
    assert new.due_at == datetime(2031, 3, 5, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"due_at": "2031-03-05T15:30", "reason": "  "}, "reason",
         "Give the reason the customer will be told."),
        ({"due_at": "2031-03-04T08:00", "reason": "Snow"}, "due_at",
         "The due time must be in the future."),
        ({"due_at": "", "reason": "Snow"}, "due_at", "This field is required."),
    ],
)  # fmt: skip
def test_refused_renegotiations_keep_nothing_half_stored(missed, agent, values, field, message):
    before = rows()
    response = signed_in(agent).post(renegotiate_url(missed), form(missed, **values), headers=HTMX)

    assert response.status_code == 422
    html = response.content.decode()
    assert f'data-error-for="{field}">{message}' in html
    assert f'data-missed-promise="{missed.pk}"' in html, "the prompt stays"
    assert rows() == before
    assert Commitment.objects.get(pk=missed.pk).status == CommitmentStatus.MISSED


def test_without_htmx_a_refusal_renders_the_whole_page(missed, agent):
    response = signed_in(agent).post(
        renegotiate_url(missed), form(missed, due_at="2031-03-05T15:30", reason="")
    )
    assert response.status_code == 422
    assert 'id="sl-ticket"' in response.content.decode()


def test_a_settled_promise_cannot_be_renegotiated_again(missed, agent):
    client = signed_in(agent)
    values = form(missed, due_at="2031-03-05T15:30", reason="Snow")
    assert client.post(renegotiate_url(missed), values, headers=HTMX).status_code == 200
    again = client.post(renegotiate_url(missed), values, headers=HTMX)
    assert again.status_code == 409
    assert Commitment.objects.count() == 2


def test_only_people_who_see_the_ticket_may_renegotiate(missed, outsider, customer_user):
    values = form(missed, due_at="2031-03-05T15:30", reason="Snow")
    assert signed_in(outsider).post(renegotiate_url(missed), values).status_code == 404
    analyst = make_user(Role.ANALYST)
    assert signed_in(analyst).post(renegotiate_url(missed), values).status_code == 403
    assert Commitment.objects.get(pk=missed.pk).status == CommitmentStatus.MISSED


# --- messages to closed tickets -----------------------------------------------------------


def test_the_portal_reply_to_a_closed_ticket_opens_a_linked_ticket(agent, customer_user):
    old = ticket_in("closed", agent=agent, customer_id=customer_user.customer.pk)
    client = signed_in(customer_user)
    closed_page = client.get(reverse("portal:ticket", kwargs={"number": old.number}))
    assert "A message you send here opens a new request" in closed_page.content.decode()

    response = client.post(
        reverse("portal:reply", kwargs={"number": old.number}),
        {"content": "It broke again"},
        headers=HTMX,
    )

    new = Ticket.objects.get(follows=old)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("portal:ticket", kwargs={"number": new.number})
    landing = client.get(response["HX-Redirect"]).content.decode()
    assert (
        f"Your request {old.number} was closed; we opened {new.number} for your message." in landing
    )
    assert f'data-follows="{old.number}"' in landing
    again = client.get(reverse("portal:ticket", kwargs={"number": old.number})).content.decode()
    assert f'data-follow-up="{new.number}"' in again


def test_the_desk_pages_link_both_tickets(agent, customer_user):
    old = ticket_in("closed", agent=agent, customer_id=customer_user.customer.pk)
    signed_in(customer_user).post(
        reverse("portal:reply", kwargs={"number": old.number}), {"content": "It broke again"}
    )
    new = Ticket.objects.get(follows=old)
    client = signed_in(agent)
    assert f'href="{reverse("desk:ticket", args=[old.number])}"' in page_of(new, client)
    assert f'data-follow-up="{new.number}"' in page_of(old, client)
