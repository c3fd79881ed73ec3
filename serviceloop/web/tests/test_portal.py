"""The customer portal: my requests, submit one, follow it live, reply, confirm or reopen, the
public progress check and sign-up. Every page for its owner, another customer and staff."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock
from serviceloop.customers.models import Customer
from serviceloop.tickets import services, tracking
from serviceloop.tickets.models import Attachment, CustomField, Interaction, Ticket
from serviceloop.tickets.tests.given import rows, ticket_in
from serviceloop.web.tests.conftest import signed_in
from tests.builders import ELF, PDF, PNG, make_category, make_customer, make_ticket, make_user

HTMX = {"HX-Request": "true"}


def page(response) -> str:
    return response.content.decode()


def ticket_url(ticket: Ticket, name: str = "portal:ticket") -> str:
    return reverse(name, kwargs={"number": ticket.number})


def stamp_of(html: str) -> str:
    return re.search(r'data-stamp="([0-9a-f]+)"', html).group(1)


def files_in(root) -> list[Path]:
    return [path for path in Path(root).rglob("*") if path.is_file()]


@pytest.fixture
def mine(customer_user):
    """A ticket li.wei submitted in the portal."""
    return make_ticket(customer_user, description="My parcel 42 has not arrived", channel="web")


@pytest.fixture
def bobs(other_customer_user):
    return make_ticket(other_customer_user, description="Bob's secret problem")


# --- who may enter -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["portal:home", "portal:new"])
def test_the_portal_sends_strangers_to_sign_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_who_open_the_portal_land_on_their_queue(agent_client):
    response = agent_client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:queue")


def test_partners_may_not_use_the_portal(team):
    partner = make_user(Role.PARTNER)
    assert signed_in(partner).get(reverse("portal:home")).status_code == 403


# --- my requests ---------------------------------------------------------------------------


def test_my_requests_lists_only_my_own_tickets_newest_first_with_their_status(
    customer_client, customer_user, agent, bobs
):
    older = make_ticket(customer_user, description="First: the box was damaged")
    newer = make_ticket(customer_user, description="Second: wrong colour delivered")
    services.transition_ticket(ticket=older, to="in_progress", actor=agent)

    html = page(customer_client.get(reverse("portal:home")))

    assert html.index(newer.number) < html.index(older.number)
    assert bobs.number not in html
    assert "Bob&#x27;s secret" not in html
    assert 'data-status="in_progress"' in html
    assert "In progress" in html
    assert 'data-status="new"' in html


def test_an_empty_list_invites_to_submit_a_request(customer_client):
    html = page(customer_client.get(reverse("portal:home")))
    assert "You have no requests yet." in html
    assert f'href="{reverse("portal:new")}"' in html


def test_the_list_comes_in_pages_and_htmx_fetches_only_the_next_rows(
    customer_client, customer_user
):
    numbers = [make_ticket(customer_user, description=f"Request {n}").number for n in range(23)]
    first = page(customer_client.get(reverse("portal:home")))
    assert first.count("data-sl-row") == 20
    cursor = re.search(r"\?cursor=([^\"&]+)", first).group(1)

    more = customer_client.get(reverse("portal:home") + f"?cursor={cursor}", headers=HTMX)

    html = page(more)
    assert more.status_code == 200
    assert "HX-Request" in more["Vary"]
    assert "<html" not in html  # only the rows
    assert html.count("data-sl-row") == 3
    assert [n for n in numbers[:3] if n in html] == numbers[:3]  # the three oldest
    assert 'id="sl-more"' not in html


def test_a_broken_cursor_gets_a_clear_answer(customer_client):
    response = customer_client.get(reverse("portal:home") + "?cursor=not-a-cursor")
    assert response.status_code == 400
    assert "This cursor is not valid." in page(response)


def test_the_list_runs_the_same_number_of_queries_for_3_and_30_tickets(
    customer_client, customer_user, category, django_assert_num_queries
):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert customer_client.get(reverse("portal:home")).status_code == 200
        return len(queries)

    for n in range(3):
        make_ticket(customer_user, description=f"Few {n}", category=category.code)
    few = count()
    for n in range(27):
        make_ticket(customer_user, description=f"Many {n}", category=category.code)
    many = count()
    assert few == many
    with django_assert_num_queries(many):
        customer_client.get(reverse("portal:home"))


# --- submit a request ----------------------------------------------------------------------


def test_the_form_offers_the_kinds_and_the_active_categories_in_the_readers_language(
    customer_user, team
):
    make_category("delivery", team=team)
    retired = make_category("fax")
    retired.is_active = False
    retired.save()
    client = Client(headers={"accept-language": "zh-hans"})
    client.force_login(customer_user)

    html = page(client.get(reverse("portal:new")))

    assert 'value="delivery"' in html
    assert "delivery类" in html
    assert 'value="fax"' not in html
    for kind in ("inquiry", "complaint", "suggestion", "praise", "fault"):
        assert f'value="{kind}"' in html
    assert 'name="urgency"' not in html
    assert 'name="team"' not in html


def test_submitting_a_request_creates_a_web_ticket_and_shows_it_with_its_number(
    customer_client, customer_user, category
):
    response = customer_client.post(
        reverse("portal:new"),
        {
            "kind": "complaint",
            "category": "delivery",
            "description": "The courier left the parcel in the rain",
            "order_ref": "SO-778",
        },
        follow=True,
    )

    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == ticket_url(ticket)
    assert (ticket.channel, ticket.kind, ticket.category, ticket.order_ref) == (
        "web", "complaint", category, "SO-778",
    )  # fmt: skip
    assert ticket.customer == customer_user.customer
    assert ticket.submitter == customer_user
    assert f"Your request is ticket {ticket.number}" in page(response)
    assert AuditEvent.objects.filter(action="ticket.created", ticket_id=ticket.pk).exists()


def test_files_sent_with_the_request_are_attached_and_listed(customer_client, settings):
    response = customer_client.post(
        reverse("portal:new"),
        {
            "kind": "fault",
            "description": "The screen is cracked",
            "attachments": [
                SimpleUploadedFile("crack.png", PNG, "image/png"),
                SimpleUploadedFile("receipt.pdf", PDF, "application/pdf"),
            ],
        },
        follow=True,
    )
    ticket = Ticket.objects.get()
    assert sorted(ticket.attachments.values_list("filename", flat=True)) == [
        "crack.png",
        "receipt.pdf",
    ]
    html = page(response)
    assert "crack.png" in html
    assert "receipt.pdf" in html
    assert len(files_in(settings.MEDIA_ROOT)) == 2


def test_one_refused_file_stores_nothing_at_all(customer_client, settings):
    before = rows()
    response = customer_client.post(
        reverse("portal:new"),
        {
            "kind": "fault",
            "description": "Here are my files",
            "attachments": [
                SimpleUploadedFile("photo.png", PNG, "image/png"),
                SimpleUploadedFile("tool.png", ELF, "image/png"),
            ],
        },
    )
    assert response.status_code == 422
    html = page(response)
    assert 'data-error-for="attachments"' in html
    assert "tool.png: This type of file is not accepted." in html
    assert rows() == before
    assert files_in(settings.MEDIA_ROOT) == []


def test_a_request_without_a_description_is_refused_on_that_field(customer_client):
    before = rows()
    response = customer_client.post(reverse("portal:new"), {"kind": "inquiry", "description": ""})
    assert response.status_code == 422
    assert 'data-error-for="description"' in page(response)
    assert rows() == before


def test_sending_the_same_request_twice_points_to_the_first_ticket(customer_client):
    data = {"kind": "inquiry", "description": "Where is my refund for order 991?"}
    customer_client.post(reverse("portal:new"), data)
    first = Ticket.objects.get()

    again = customer_client.post(reverse("portal:new"), data)

    assert Ticket.objects.count() == 1
    html = page(again)
    assert again.status_code == 200
    assert "You sent this already: it is ticket" in html
    assert f'<a href="{ticket_url(first)}">{first.number}</a>' in html


# --- one ticket ----------------------------------------------------------------------------


def test_the_ticket_page_shows_the_public_conversation_and_hides_staff_only_things(
    customer_client, customer_user, agent, teammate, category, team
):
    CustomField.objects.create(key="refund", field_type="text", name_en="Refund", name_zh="退款")
    ticket = make_ticket(
        customer_user, description="Box arrived empty", category=category.code, order_ref="SO-1"
    )
    services.change_urgency(ticket=ticket, urgency="critical", actor=agent)
    services.assign_ticket(ticket=ticket, assignee=teammate, actor=agent)
    services.update_ticket_details(
        ticket=ticket, actor=agent, changes={"custom_fields": {"refund": "deny-it-quietly"}}
    )
    services.add_interaction(ticket=ticket, actor=agent, content="We are checking the depot.")
    services.add_interaction(
        ticket=ticket, actor=agent, content="Depot says the customer is lying", is_internal=True
    )

    html = page(customer_client.get(ticket_url(ticket)))

    assert ticket.number in html
    assert "Box arrived empty" in html
    assert "We are checking the depot." in html
    assert "王芳" in html  # the agent's display name
    assert "Depot says" not in html  # internal note
    assert "Critical" not in html
    assert "data-urgency" not in html
    assert team.name_en not in html  # the team
    assert "teammate" not in html  # the assignee
    assert "deny-it-quietly" not in html  # custom fields
    assert "Refund" not in html
    assert "Delivery" in html
    assert "SO-1" in html
    assert 'data-status="in_progress"' in html
    assert 'aria-current="step"' in html


def test_another_customers_ticket_is_not_found(customer_client, bobs):
    assert customer_client.get(ticket_url(bobs)).status_code == 404
    assert customer_client.get(ticket_url(bobs, "portal:updates")).status_code == 404
    assert (
        customer_client.post(ticket_url(bobs, "portal:reply"), {"content": "hi"}).status_code == 404
    )
    assert (
        customer_client.post(ticket_url(bobs, "portal:confirm"), {"version": 1}).status_code == 404
    )
    assert Interaction.objects.filter(ticket=bobs).count() == 0


@pytest.mark.parametrize("number", ["CS-20990101-000001", "nonsense", "cs-2026"])
def test_unknown_numbers_are_not_found(customer_client, number):
    assert customer_client.get(f"/portal/tickets/{number}/").status_code == 404


def test_the_customer_sees_the_promises_and_why_one_changed_but_not_who_owns_them(
    customer_client, mine, agent, teammate
):
    due = clock.now() + timedelta(days=1)
    promise = services.create_commitment(
        ticket=mine, actor=agent, text="We call you before 10:00", due_at=due, owner=teammate
    )
    services.renegotiate_commitment(
        commitment=promise, actor=agent, due_at=due + timedelta(days=1), reason="Courier strike"
    )

    html = page(customer_client.get(ticket_url(mine)))

    assert html.count("We call you before 10:00") == 2
    assert 'data-commitment="renegotiated"' in html
    assert 'data-commitment="open"' in html
    assert "Courier strike" in html
    assert "teammate" not in html


@pytest.mark.parametrize(
    ("status", "states"),
    [
        ("new", ["current", "todo", "todo", "todo"]),
        ("waiting_customer", ["done", "current", "todo", "todo"]),
        ("resolved", ["done", "done", "current", "todo"]),
        ("closed", ["done", "done", "done", "current"]),
    ],
)
def test_the_progress_steps_follow_the_status(
    customer_client, customer_user, agent, status, states
):
    ticket = ticket_in(status, agent=agent, customer_id=customer_user.customer.pk)
    html = page(customer_client.get(ticket_url(ticket)))
    assert re.findall(r'data-step-state="(\w+)"', html) == states
    assert ('id="sl-confirm"' in html) == (status == "resolved")
    assert ("hx-trigger=" in html) == (status != "closed")  # a closed ticket stops polling


def test_the_ticket_page_runs_a_fixed_number_of_queries(
    customer_client, customer_user, agent, django_assert_num_queries
):
    def build(replies: int) -> Ticket:
        ticket = make_ticket(customer_user, description=f"Ticket with {replies} replies")
        for n in range(replies):
            services.add_interaction(ticket=ticket, actor=agent, content=f"Answer {n}")
            services.add_interaction(ticket=ticket, actor=customer_user, content=f"Reply {n}")
        services.create_commitment(
            ticket=ticket, actor=agent, text="Call back", due_at=clock.now() + timedelta(hours=2)
        )
        services.add_attachment(
            ticket=ticket, actor=customer_user, upload=SimpleUploadedFile("a.png", PNG)
        )
        return ticket

    small, large = build(1), build(15)
    customer_client.get(ticket_url(small))  # the catalogue is loaded once per process
    with django_assert_num_queries(8):
        assert customer_client.get(ticket_url(small)).status_code == 200
    with django_assert_num_queries(8):
        assert customer_client.get(ticket_url(large)).status_code == 200


# --- updates without a reload --------------------------------------------------------------


def test_polling_answers_204_until_an_agent_replies_then_the_new_part(
    customer_client, mine, agent, django_assert_max_num_queries
):
    stamp = stamp_of(page(customer_client.get(ticket_url(mine))))
    poll = ticket_url(mine, "portal:updates") + f"?since={stamp}"

    with django_assert_max_num_queries(3):  # session, user, the stamp
        quiet = customer_client.get(poll, headers=HTMX)
    assert quiet.status_code == 204
    assert quiet.content == b""

    services.add_interaction(ticket=mine, actor=agent, content="Your parcel is in Shanghai")
    changed = customer_client.get(poll, headers=HTMX)

    html = page(changed)
    assert changed.status_code == 200
    assert "<html" not in html
    assert 'id="sl-progress"' in html
    assert "Your parcel is in Shanghai" in html
    assert stamp_of(html) != stamp
    assert (
        customer_client.get(
            ticket_url(mine, "portal:updates") + f"?since={stamp_of(html)}"
        ).status_code
        == 204
    )


def test_a_status_change_reaches_the_page_by_polling(customer_client, mine, agent):
    stamp = stamp_of(page(customer_client.get(ticket_url(mine))))
    services.transition_ticket(ticket=mine, to="resolved", actor=agent, resolution="Refunded")

    html = page(customer_client.get(ticket_url(mine, "portal:updates") + f"?since={stamp}"))

    assert 'data-status="resolved"' in html
    assert "Refunded" in html
    assert 'id="sl-confirm"' in html


def test_internal_notes_do_not_even_wake_the_page(customer_client, mine, agent):
    stamp = stamp_of(page(customer_client.get(ticket_url(mine))))
    services.add_interaction(ticket=mine, actor=agent, content="note", is_internal=True)
    response = customer_client.get(ticket_url(mine, "portal:updates") + f"?since={stamp}")
    assert response.status_code == 204


def test_the_stamp_changes_with_each_thing_the_page_shows(mine, agent, customer_user):
    stamps = [tracking.progress_stamp(customer_user, mine.number)]
    due = clock.now() + timedelta(hours=3)
    promise = services.create_commitment(ticket=mine, actor=agent, text="Call", due_at=due)
    stamps.append(tracking.progress_stamp(customer_user, mine.number))
    services.keep_commitment(commitment=promise, actor=agent)
    stamps.append(tracking.progress_stamp(customer_user, mine.number))
    answer = services.add_interaction(ticket=mine, actor=agent, content="Done")
    stamps.append(tracking.progress_stamp(customer_user, mine.number))
    services.edit_interaction(interaction=answer, actor=agent, content="Done, see photo")
    stamps.append(tracking.progress_stamp(customer_user, mine.number))
    services.add_attachment(ticket=mine, actor=agent, upload=SimpleUploadedFile("p.png", PNG))
    stamps.append(tracking.progress_stamp(customer_user, mine.number))
    services.add_attachment(
        ticket=mine, actor=agent, upload=SimpleUploadedFile("q.png", PNG), is_internal=True
    )
    stamps.append(tracking.progress_stamp(customer_user, mine.number))
    assert len(set(stamps)) == len(stamps) - 1  # all differ but the internal file's
    assert stamps[-1] == stamps[-2]


# --- reply ---------------------------------------------------------------------------------


def test_a_reply_with_htmx_is_stored_and_answers_with_a_fresh_form_and_a_refresh(
    customer_client, customer_user, mine
):
    response = customer_client.post(
        ticket_url(mine, "portal:reply"), {"content": "It is still missing"}, headers=HTMX
    )

    assert response.status_code == 200
    html = page(response)
    assert "<html" not in html
    assert 'id="sl-composer"' in html
    assert "It is still missing" not in html  # the form is empty again
    events = json.loads(response["HX-Trigger"])
    assert events["sl:toast"] == "Your reply is sent."
    assert "sl-refresh" in events
    reply = Interaction.objects.get(ticket=mine)
    assert (reply.author, reply.direction, reply.channel, reply.is_internal) == (
        customer_user, "inbound", "web", False,
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="interaction.added", ticket_id=mine.pk).exists()


def test_a_reply_without_javascript_comes_back_to_the_ticket(customer_client, mine):
    response = customer_client.post(ticket_url(mine, "portal:reply"), {"content": "Any news?"})
    assert response.status_code == 302
    assert response["Location"] == ticket_url(mine)


def test_an_empty_reply_is_refused_on_its_field(customer_client, mine):
    response = customer_client.post(
        ticket_url(mine, "portal:reply"), {"content": "  "}, headers=HTMX
    )
    assert response.status_code == 422
    assert 'data-error-for="content"' in page(response)
    assert not Interaction.objects.filter(ticket=mine).exists()


def test_replying_to_a_resolved_ticket_reopens_it(customer_client, customer_user, agent):
    ticket = ticket_in("resolved", agent=agent, customer_id=customer_user.customer.pk)
    customer_client.post(ticket_url(ticket, "portal:reply"), {"content": "Not fixed"})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == ("in_progress", 1)


def test_a_reply_to_a_closed_ticket_opens_a_new_linked_one(customer_client, customer_user, agent):
    ticket = ticket_in("closed", agent=agent, customer_id=customer_user.customer.pk)
    response = customer_client.post(
        ticket_url(ticket, "portal:reply"), {"content": "Hello?"}, headers=HTMX
    )
    follow_up = Ticket.objects.get(follows=ticket)  # more in tickets/tests/test_loop_pages.py
    assert response["HX-Redirect"] == ticket_url(follow_up)
    assert not Interaction.objects.filter(ticket=ticket, author=customer_user).exists()


# --- confirm or reopen ---------------------------------------------------------------------


@pytest.fixture
def resolved(customer_user, agent):
    return ticket_in("resolved", agent=agent, customer_id=customer_user.customer.pk)


def test_confirming_closes_the_ticket(customer_client, resolved):
    response = customer_client.post(
        ticket_url(resolved, "portal:confirm"), {"version": resolved.version}, headers=HTMX
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == ticket_url(resolved)
    resolved.refresh_from_db()
    assert resolved.status == "closed"
    event = AuditEvent.objects.filter(ticket_id=resolved.pk).latest("id")
    assert (event.action, event.after["status"]) == ("ticket.transitioned", "closed")
    assert "Thank you for confirming" in page(customer_client.get(ticket_url(resolved)))


def test_reopening_needs_a_reason(customer_client, resolved):
    response = customer_client.post(
        ticket_url(resolved, "portal:reopen"),
        {"version": resolved.version, "reason": ""},
        headers=HTMX,
    )
    assert response.status_code == 422
    html = page(response)
    assert 'id="sl-resolution"' in html
    assert "<html" not in html
    assert 'data-error-for="reason"' in html
    resolved.refresh_from_db()
    assert resolved.status == "resolved"


def test_reopening_with_a_reason_puts_the_ticket_back_in_progress(customer_client, resolved):
    response = customer_client.post(
        ticket_url(resolved, "portal:reopen"),
        {"version": resolved.version, "reason": "The new parcel is broken too"},
    )
    assert response.status_code == 302
    resolved.refresh_from_db()
    assert (resolved.status, resolved.reopen_count) == ("in_progress", 1)
    event = AuditEvent.objects.filter(action="ticket.reopened", ticket_id=resolved.pk).get()
    assert event.note == "The new parcel is broken too"


def test_a_confirmation_on_an_outdated_page_is_refused(customer_client, resolved, agent):
    services.add_interaction(ticket=resolved, actor=resolved.customer.user, content="Wait")
    response = customer_client.post(
        ticket_url(resolved, "portal:confirm"), {"version": resolved.version}, headers=HTMX
    )
    assert response.status_code == 412
    assert "Someone else changed this ticket meanwhile" in page(response)
    resolved.refresh_from_db()
    assert resolved.status == "in_progress"


def test_an_open_ticket_cannot_be_confirmed_by_its_customer(customer_client, mine):
    response = customer_client.post(ticket_url(mine, "portal:confirm"), {"version": mine.version})
    assert response.status_code == 403
    assert "Customers can only confirm or reopen a resolved ticket." in page(response)
    mine.refresh_from_db()
    assert mine.status == "new"


# --- files ---------------------------------------------------------------------------------


def test_customers_download_their_files_but_not_internal_or_others(
    customer_client, mine, bobs, agent, other_customer_user
):
    own = services.add_attachment(
        ticket=mine, actor=mine.submitter, upload=SimpleUploadedFile("a.png", PNG)
    )
    internal = services.add_attachment(
        ticket=mine, actor=agent, upload=SimpleUploadedFile("b.png", PNG), is_internal=True
    )
    others = services.add_attachment(
        ticket=bobs, actor=other_customer_user, upload=SimpleUploadedFile("c.png", PNG)
    )
    download = customer_client.get(reverse("portal:attachment", args=[own.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    for hidden in (internal, others):
        assert (
            customer_client.get(reverse("portal:attachment", args=[hidden.pk])).status_code == 404
        )
    assert "b.png" not in page(customer_client.get(ticket_url(mine)))


def test_a_file_stored_under_a_page_name_downloads_as_what_its_bytes_are(customer_client, mine):
    """A GIF stored as page.html before the names got their type's extension: saved from
    the portal, it is a picture, not a page."""
    polyglot = b"GIF89a\x01\x00\x01\x00\x00\x00\x00<html><script>alert(1)</script>"
    own = services.add_attachment(
        ticket=mine, actor=mine.submitter, upload=SimpleUploadedFile("page.gif", polyglot)
    )
    Attachment.objects.filter(pk=own.pk).update(filename="page.html")

    download = customer_client.get(reverse("portal:attachment", args=[own.pk]))

    assert download["Content-Type"] == "image/gif"
    assert download["Content-Disposition"] == 'attachment; filename="page.gif"'
    assert download["X-Content-Type-Options"] == "nosniff"


# --- the public progress check -------------------------------------------------------------


@pytest.fixture
def phoned(agent):
    """A ticket an agent took on the phone for a customer with a phone and an e-mail."""
    customer = make_customer("王先生", email="wang@example.com", phone="+8613800138000")
    ticket = make_ticket(agent, description="Secret phone story", customer_id=customer.pk)
    services.add_interaction(ticket=ticket, actor=agent, content="We sent a new one")
    services.add_interaction(ticket=ticket, actor=agent, content="hidden", is_internal=True)
    return ticket


@pytest.mark.parametrize("contact", ["wang@example.com", " WANG@Example.com ", "138 0013 8000"])
def test_the_progress_check_shows_status_steps_and_dates_for_a_matching_contact(
    client, phoned, contact
):
    response = client.post(reverse("portal:track"), {"number": phoned.number, "contact": contact})
    html = page(response)
    assert response.status_code == 200
    assert 'id="sl-track-result"' in html
    assert 'data-status="in_progress"' in html
    assert re.findall(r'data-step-state="(\w+)"', html) == ["done", "current", "todo", "todo"]
    assert html.count("sl-reply-date") == 1  # the public reply's date, not the note's
    assert "Secret phone story" not in html
    assert "We sent a new one" not in html


def test_every_mismatch_gets_the_same_not_found_answer(client, phoned, bobs):
    answers = [
        client.post(reverse("portal:track"), {"number": number, "contact": contact})
        for number, contact in (
            (phoned.number, "someone@example.com"),  # wrong contact
            ("CS-20990101-000001", "wang@example.com"),  # no such ticket
            (bobs.number, "wang@example.com"),  # someone else's ticket
        )
    ]
    notices = [
        re.search(r'<div[^>]*id="sl-track-not-found"[^>]*>.*?</div>', page(a)).group(0)
        for a in answers
    ]
    assert {a.status_code for a in answers} == {200}
    assert len(set(notices)) == 1
    assert all('id="sl-track-result"' not in page(a) for a in answers)


def test_the_progress_check_explains_input_that_cannot_match(client, db):
    response = client.post(reverse("portal:track"), {"number": "12345", "contact": "not mail"})
    assert response.status_code == 422
    html = page(response)
    assert 'data-error-for="number"' in html
    assert 'data-error-for="contact"' in html


def test_the_progress_check_is_rate_limited(client, phoned, settings):
    settings.PUBLIC_FORM_RATE = "2/h"
    data = {"number": phoned.number, "contact": "x@example.com"}
    for _ in range(2):
        assert client.post(reverse("portal:track"), data).status_code == 200
    assert client.post(reverse("portal:track"), data).status_code == 429


def test_the_progress_check_needs_no_sign_in_and_links_to_it(client, phoned):
    assert client.get(reverse("portal:track")).status_code == 200
    html = page(
        client.post(
            reverse("portal:track"), {"number": phoned.number, "contact": "wang@example.com"}
        )
    )
    assert f"{reverse('login')}?next={ticket_url(phoned)}" in html


# --- sign-up -------------------------------------------------------------------------------


def sign_up(client, email="new.person@example.com", **extra):
    data = {
        "name": "New Person",
        "email": email,
        "password": "correct horse battery 9",
        "password_again": "correct horse battery 9",
        "language": "en",
        **extra,
    }
    return client.post(reverse("portal:signup"), data)


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/portal/activate/\S+/)", message.body).group(1)


def test_signing_up_then_following_the_link_opens_the_portal(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, email="New.Person@Example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:signup_sent")
    user = User.objects.get(username="new.person@example.com")
    assert (user.is_active, user.role, user.full_name) == (False, "customer", "New Person")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.com"]
    assert not Client().login(username=user.username, password="correct horse battery 9")

    link = link_in(mail.outbox[0])
    shown = client.get(link)
    assert shown.status_code == 200
    assert 'id="sl-activate"' in page(shown)
    user.refresh_from_db()
    assert not user.is_active  # looking at the link (or a mail scanner) activates nothing
    done = client.post(link)

    assert done.status_code == 302
    assert done["Location"] == reverse("login")
    user.refresh_from_db()
    assert user.is_active
    assert Customer.objects.get(user=user).contacts.get().value == "new.person@example.com"
    browser = Client()
    assert browser.login(username="new.person@example.com", password="correct horse battery 9")
    assert browser.get(reverse("portal:home")).status_code == 200


def test_a_link_works_once(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client)
    link = link_in(mail.outbox[0])
    assert client.post(link).status_code == 302
    again = client.post(link)
    assert again.status_code == 404
    assert "This activation link is not valid" in page(again)


def test_a_forged_link_is_refused(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client)
    forged = re.sub(r"/[^/]+/$", "/abc-123/", link_in(mail.outbox[0]))
    assert client.get(forged).status_code == 404
    assert client.post(forged).status_code == 404
    assert not User.objects.get(username="new.person@example.com").is_active


def test_earlier_phone_tickets_appear_after_activation(
    client, agent, django_capture_on_commit_callbacks
):
    customer = make_customer("Old Caller", email="caller@example.com")
    earlier = make_ticket(agent, description="Called about a refund", customer_id=customer.pk)
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, email="caller@example.com")
    client.post(link_in(mail.outbox[0]))

    customer.refresh_from_db()
    assert customer.user.username == "caller@example.com"
    browser = Client()
    browser.login(username="caller@example.com", password="correct horse battery 9")
    assert earlier.number in page(browser.get(reverse("portal:home")))


def test_a_known_address_gets_the_same_answer_and_no_new_account(
    client, customer_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = sign_up(client, email="li.wei@example.com")
        new = sign_up(Client(), email="somebody.new@example.com")
    assert (known.status_code, known["Location"]) == (new.status_code, new["Location"])
    assert not User.objects.filter(username="li.wei@example.com").exists()
    to_known = next(m for m in mail.outbox if m.to == ["li.wei@example.com"])
    assert "/portal/activate/" not in to_known.body
    assert reverse("password_reset") in to_known.body


def test_sign_up_refuses_bad_input_field_by_field(client, db):
    response = sign_up(
        client, email="not-an-address", password="123", password_again="456", name=""
    )
    assert response.status_code == 422
    html = page(response)
    for field in ("name", "email", "password_again"):
        assert f'data-error-for="{field}"' in html, field
    assert not User.objects.filter(role="customer").exists()


def test_a_weak_password_is_refused_by_the_service_on_its_field(client, db):
    response = sign_up(client, password="password", password_again="password")
    assert response.status_code == 422
    assert 'data-error-for="password"' in page(response)
    assert not User.objects.filter(role="customer").exists()


def test_the_activation_mail_speaks_the_chosen_language(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, language="zh-hans")
    assert User.objects.get().language == "zh-hans"
    assert "年" in mail.outbox[0].body  # the expiry date in the Chinese date format


def test_sign_up_is_rate_limited(client, db, settings):
    settings.PUBLIC_FORM_RATE = "2/h"
    for n in range(2):
        assert sign_up(client, email=f"p{n}@example.com").status_code == 302
    assert sign_up(client, email="p3@example.com").status_code == 429
    assert not User.objects.filter(username="p3@example.com").exists()


def test_signed_in_people_are_not_asked_to_sign_up(customer_client):
    response = customer_client.get(reverse("portal:signup"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_the_portal_pages_speak_chinese(customer_user, mine):
    client = Client(headers={"accept-language": "zh-hans"})
    client.force_login(customer_user)
    html = page(client.get(ticket_url(mine)))
    assert '<html lang="zh-hans">' in html
    assert "待处理" in html  # the status badge


def test_nothing_from_the_user_is_marked_safe(customer_client, customer_user):
    ticket = make_ticket(customer_user, description="<script>alert('x')</script> help")
    html = page(customer_client.get(ticket_url(ticket)))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


@pytest.mark.parametrize("name", ["portal:signup", "portal:track"])
def test_the_public_pages_render_for_anyone(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page(response)
