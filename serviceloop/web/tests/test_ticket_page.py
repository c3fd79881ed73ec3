"""desk:ticket — the agent's ticket page: header, timeline, composer, actions, customer panel;
htmx actions that carry the version they were rendered with; permissions per role."""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock
from serviceloop.customers.models import CustomerTier
from serviceloop.satisfaction import services as satisfaction
from serviceloop.satisfaction.choices import AnswerChannel
from serviceloop.tickets import services
from serviceloop.tickets.models import Attachment, CannedReply, Commitment, Interaction, Ticket
from serviceloop.web.tests.conftest import signed_in
from tests.builders import (
    ELF,
    PDF,
    PNG,
    make_category,
    make_customer,
    make_organisation,
    make_ticket,
    make_user,
)

HTMX = {"HX-Request": "true"}


@pytest.fixture
def customer(db):
    organisation = make_organisation("Acme Trading")
    tier = CustomerTier.objects.create(code="gold", name_en="Gold", name_zh="金牌", rank=2)
    found = make_customer("李伟", email="wei.li@example.com", phone="+8613800138000")
    found.organisation, found.tier = organisation, tier
    found.save(update_fields=["organisation", "tier"])
    return found


@pytest.fixture
def ticket(agent, customer, category):
    return make_ticket(
        agent,
        customer_id=customer.pk,
        subject="Parcel late",
        description="My parcel has not arrived.\nIt was due Monday.",
        category="delivery",
        channel="phone",
    )


def url(name, ticket):
    return reverse(f"desk:{name}", args=[ticket.number])


def stored(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def page(client, ticket, **headers):
    response = client.get(url("ticket", ticket), headers=headers)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def counts():
    models = (Ticket, Interaction, Commitment, Attachment, AuditEvent)
    return {model.__name__: model.objects.count() for model in models}


def toast(response):
    return json.loads(response["HX-Trigger"])["sl:toast"]


def media_files():
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


# --- reading the page ----------------------------------------------------------------------


def test_it_shows_the_header_with_the_ticket_facts(agent_client, ticket, agent):
    services.assign_ticket(ticket=ticket, assignee=agent, actor=agent)
    html = page(agent_client, ticket)
    assert ticket.number in html
    assert "Parcel late" in html
    assert 'data-status="new"' in html
    assert 'data-urgency="medium"' in html
    assert "Inquiry" in html  # kind
    assert "Delivery" in html  # category
    assert "Support" in html  # team
    assert "王芳" in html  # assignee
    assert "Phone" in html  # channel
    assert "0 min" in html  # age


def test_it_shows_the_request_text_escaped_with_its_line_breaks(agent_client, agent, customer):
    ticket = make_ticket(
        agent, customer_id=customer.pk, description="<script>alert(1)</script>\nsecond line"
    )
    html = page(agent_client, ticket)
    assert "<script>alert(1)</script>" not in html
    assert '<div class="sl-body mt-1">&lt;script&gt;alert(1)&lt;/script&gt;\nsecond line</div>' in (
        html
    )


def test_the_timeline_holds_interactions_notes_promises_and_events_oldest_first(
    agent_client, ticket, agent, teammate
):
    services.add_interaction(
        ticket=ticket, actor=agent, content="We are on it", channel="phone", direction="outbound"
    )
    services.add_interaction(
        ticket=ticket, actor=agent, content="Courier is slow", is_internal=True
    )
    services.create_commitment(
        ticket=ticket, actor=agent, text="Call back", due_at=clock.now() + timedelta(days=1)
    )
    services.assign_ticket(ticket=ticket, assignee=teammate, actor=agent)
    html = page(agent_client, ticket)
    kinds = re.findall(r'data-kind="(request|interaction|note|commitment|status|event)"', html)
    assert kinds == ["request", "interaction", "status", "note", "commitment", "event"]
    assert "王芳 changed the status: New → In progress" in html
    assert "王芳 assigned the ticket to teammate" in html


def test_internal_notes_look_different_and_say_so(agent_client, ticket, agent):
    services.add_interaction(
        ticket=ticket, actor=agent, content="Courier is slow", is_internal=True
    )
    html = page(agent_client, ticket)
    note = re.search(
        r'<li id="interaction-\d+" class="sl-internal" data-kind="note">(.*?)</li>', html, re.S
    )
    assert note is not None
    assert "Internal note" in note.group(1)
    assert "Courier is slow" in note.group(1)


def test_the_customer_panel_shows_contacts_tier_organisation_history_and_promises(
    agent_client, ticket, agent, customer
):
    earlier = make_ticket(agent, customer_id=customer.pk, description="Wrong colour delivered")
    services.transition_ticket(ticket=earlier, to="resolved", actor=agent, resolution="Swapped it")
    services.create_commitment(
        ticket=ticket, actor=agent, text="Call back at ten", due_at=clock.now() + timedelta(days=1)
    )
    stranger = make_ticket(agent, description="Someone else's parcel")
    html = page(agent_client, ticket)
    panel = html[html.index('id="sl-customer"') :]
    assert "wei.li@example.com" in panel
    assert "+8613800138000" in panel
    assert "Gold" in panel
    assert "Acme Trading" in panel
    assert earlier.number in panel
    assert "Swapped it" in panel  # the outcome
    assert 'data-status="resolved"' in panel
    assert stranger.number not in panel
    assert "Call back at ten" in panel
    assert "2 in all" in panel


def test_the_customer_panel_shows_what_the_customer_rated_each_earlier_ticket(
    agent_client, ticket, agent, customer
):
    rated, asked, unrated = (
        make_ticket(agent, customer_id=customer.pk, description=text)
        for text in ("Wrong colour delivered", "Invoice missing", "Door code unknown")
    )
    for earlier in (rated, asked):
        services.transition_ticket(ticket=earlier, to="resolved", actor=agent, resolution="Done")
    satisfaction.answer_csat(
        survey=satisfaction.request_csat(ticket=rated), score=4, via=AnswerChannel.EMAIL
    )
    satisfaction.request_csat(ticket=asked)  # asked, not answered
    html = page(agent_client, ticket)
    rating = r'<tr data-number="([^"]+)">.*?(<td class="sl-rating[^>]*>.*?</td>)'
    rows = dict(re.findall(rating, html, re.S))
    assert set(rows) == {rated.number, asked.number, unrated.number}
    assert "4/5" in rows[rated.number]
    assert "Not rated" in rows[asked.number]
    assert "/5" not in rows[asked.number]
    assert "Not rated" in rows[unrated.number]


def test_files_are_listed_with_a_download_link_that_works_with_the_session(
    agent_client, ticket, agent
):
    note = services.add_interaction(ticket=ticket, actor=agent, content="See the photo")
    attachment = services.add_attachment(
        ticket=ticket, actor=agent, upload=SimpleUploadedFile("photo.png", PNG), interaction=note
    )
    html = page(agent_client, ticket)
    link = reverse("api-v1:download_attachment", args=[attachment.pk])
    assert f'href="{link}"' in html
    download = agent_client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG


def test_the_page_speaks_the_agents_language(ticket, agent):
    agent.language = "zh-hans"
    agent.save(update_fields=["language"])
    html = page(signed_in(agent), ticket)
    assert "待处理" in html  # the status badge


# --- who may see it ------------------------------------------------------------------------


def test_an_agent_of_another_team_gets_404(ticket, outsider):
    assert signed_in(outsider).get(url("ticket", ticket)).status_code == 404


def test_an_unknown_number_gets_404(agent_client):
    assert agent_client.get("/desk/tickets/CS-20990101-000001/").status_code == 404
    assert agent_client.get("/desk/tickets/not-a-number/").status_code == 404


def test_a_customer_is_sent_to_the_portal_page_of_the_ticket(customer_client, ticket):
    response = customer_client.get(url("ticket", ticket))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:ticket", args=[ticket.number])


def test_a_visitor_is_asked_to_sign_in(client, ticket):
    response = client.get(url("ticket", ticket))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_partner_is_refused(ticket):
    partner = make_user(Role.PARTNER, username="courier")
    assert signed_in(partner).get(url("ticket", ticket)).status_code == 403


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.ANALYST])
def test_read_only_roles_see_the_page_without_composer_or_actions(role, ticket):
    reader = signed_in(make_user(role))
    html = page(reader, ticket)
    assert "Parcel late" in html
    assert 'id="sl-composer"' not in html
    assert 'id="sl-actions"' not in html
    assert 'id="sl-read-only"' in html


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.ANALYST])
def test_read_only_roles_cannot_post_actions(role, ticket):
    reader = signed_in(make_user(role))
    before = counts()
    urgency = reader.post(
        url("ticket_urgency", ticket), {"urgency": "high", "version": 1}, headers=HTMX
    )
    reply = reader.post(url("ticket_compose", ticket), {"mode": "reply", "content": "Hi"})
    assert (urgency.status_code, reply.status_code) == (403, 403)
    assert counts() == before


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGER, Role.ADMIN])
def test_other_roles_that_work_tickets_get_composer_and_actions(role, ticket, team):
    worker = make_user(role, teams=[team])
    html = page(signed_in(worker), ticket)
    assert 'id="sl-composer"' in html
    assert 'id="sl-actions"' in html


# --- a fixed number of queries -------------------------------------------------------------


def _grow(ticket, agent, teammate, rounds):
    for n in range(rounds):
        services.add_interaction(
            ticket=ticket, actor=agent, content=f"Reply {n}", channel="phone", direction="inbound"
        )
        services.add_interaction(
            ticket=ticket, actor=teammate, content=f"Note {n}", is_internal=True
        )
        services.create_commitment(
            ticket=ticket, actor=agent, text=f"Promise {n}", due_at=clock.now() + timedelta(days=1)
        )
        services.assign_ticket(ticket=ticket, assignee=teammate if n % 2 else agent, actor=agent)
        services.change_urgency(ticket=ticket, urgency="high" if n % 2 else "low", actor=agent)
        note = Interaction.objects.filter(ticket=ticket).latest("id")
        services.add_attachment(
            ticket=ticket,
            actor=agent,
            upload=SimpleUploadedFile(f"p{n}.png", PNG),
            interaction=note,
        )
        make_ticket(agent, customer_id=ticket.customer_id, description=f"Another request {n}")


def test_the_page_runs_the_same_number_of_queries_for_3_and_30_entries(
    agent_client, agent, teammate, customer, django_assert_max_num_queries
):
    small = make_ticket(agent, customer_id=customer.pk, description="Small history")
    large = make_ticket(
        agent, customer_id=make_customer(email="other@example.com").pk, description="Large"
    )
    CannedReply.objects.create(title="Hello", body="Hello {customer_name}", language="en")
    _grow(small, agent, teammate, 1)
    _grow(large, agent, teammate, 10)
    page(agent_client, small)  # the reference data is loaded once per process
    used = []
    for each in (small, large):
        with django_assert_max_num_queries(20) as captured:
            html = page(agent_client, each)
        used.append(len(captured))
    assert "Reply 9" in html
    assert "Promise 9" in html
    assert "p9.png" in html
    assert used[0] == used[1]


# --- the composer --------------------------------------------------------------------------


def test_a_reply_is_stored_outbound_and_appended_by_htmx(agent_client, ticket, agent):
    response = agent_client.post(
        url("ticket_compose", ticket),
        {"mode": "reply", "content": "We have found it", "emotion": "neutral"},
        headers=HTMX,
    )
    assert response.status_code == 200
    interaction = Interaction.objects.get(ticket=ticket)
    assert (interaction.direction, interaction.is_internal, interaction.author) == (
        "outbound",
        False,
        agent,
    )
    assert interaction.channel == "web"  # a phone ticket is answered in writing on the web
    assert interaction.emotion == "neutral"
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="sl-composer"')
    assert "We have found it</textarea>" not in html  # the composer is empty again
    assert '<ol id="sl-timeline" class="sl-timeline" hx-swap-oob="outerHTML">' in html
    assert "We have found it" in html
    # the reply was the first response: the ticket moved, and the forms know its new version
    assert stored(ticket).status == "in_progress"
    assert 'id="sl-header"' in html
    assert 'data-status="in_progress"' in html
    assert f'name="version" value="{stored(ticket).version}"' in html
    assert toast(response) == "Saved to the conversation."
    assert AuditEvent.objects.filter(action="interaction.added", ticket_id=ticket.pk).exists()


def test_an_email_ticket_is_answered_by_email(agent_client, agent, customer):
    ticket = make_ticket(agent, customer_id=customer.pk, channel="email")
    agent_client.post(
        url("ticket_compose", ticket), {"mode": "reply", "content": "Hi"}, headers=HTMX
    )
    assert Interaction.objects.get(ticket=ticket).channel == "email"


def test_an_internal_note_is_internal(agent_client, ticket):
    response = agent_client.post(
        url("ticket_compose", ticket), {"mode": "note", "content": "Ask the depot"}, headers=HTMX
    )
    assert response.status_code == 200
    note = Interaction.objects.get(ticket=ticket)
    assert note.is_internal
    assert note.direction == ""
    assert 'class="sl-internal"' in response.content.decode()
    assert stored(ticket).status == "new"  # a note is not a response


def test_a_logged_call_keeps_its_channel_direction_and_emotion(agent_client, ticket):
    response = agent_client.post(
        url("ticket_compose", ticket),
        {
            "mode": "contact",
            "channel": "onsite",
            "direction": "inbound",
            "emotion": "angry",
            "content": "Customer came to the shop",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    contact = Interaction.objects.get(ticket=ticket)
    assert (contact.channel, contact.direction, contact.emotion) == ("onsite", "inbound", "angry")


def test_a_logged_call_needs_its_channel_and_direction(agent_client, ticket):
    before = counts()
    response = agent_client.post(
        url("ticket_compose", ticket), {"mode": "contact", "content": "Called"}, headers=HTMX
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-error-for="channel"' in html
    assert 'data-error-for="direction"' in html
    assert counts() == before


def test_an_empty_text_is_refused_on_its_field(agent_client, ticket):
    before = counts()
    response = agent_client.post(
        url("ticket_compose", ticket), {"mode": "reply", "content": "   "}, headers=HTMX
    )
    assert response.status_code == 422
    assert 'data-error-for="content"' in response.content.decode()
    assert counts() == before


def test_a_promise_is_due_in_the_agents_time_zone(agent, ticket):
    agent.time_zone = "America/New_York"
    agent.save(update_fields=["time_zone"])
    response = signed_in(agent).post(
        url("ticket_compose", ticket),
        {
            "mode": "reply",
            "content": "We will call you",
            "commitment_text": "Call back",
            "commitment_due": "2030-01-15T10:00",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    promise = Commitment.objects.get(ticket=ticket)
    assert promise.text == "Call back"
    assert promise.due_at == datetime(2030, 1, 15, 15, 0, tzinfo=UTC)
    assert promise.owner == agent


@pytest.mark.parametrize(
    ("fields", "error_for"),
    [
        ({"commitment_text": "Call back"}, "commitment_due"),
        ({"commitment_due": "2030-01-15T10:00"}, "commitment_text"),
        ({"commitment_text": "Call back", "commitment_due": "2001-01-15T10:00"}, "commitment_due"),
        ({"commitment_text": "Call back", "commitment_due": "tomorrow"}, "commitment_due"),
    ],
)
def test_a_half_or_past_promise_stores_nothing(agent_client, ticket, fields, error_for):
    before = counts()
    response = agent_client.post(
        url("ticket_compose", ticket), {"mode": "reply", "content": "Hi", **fields}, headers=HTMX
    )
    assert response.status_code == 422
    assert f'data-error-for="{error_for}"' in response.content.decode()
    assert counts() == before
    assert stored(ticket).status == "new"


def test_files_are_attached_to_the_interaction(agent_client, ticket):
    response = agent_client.post(
        url("ticket_compose", ticket),
        {
            "mode": "note",
            "content": "Photos from the depot",
            "attachments": [
                SimpleUploadedFile("one.png", PNG, content_type="image/png"),
                SimpleUploadedFile("two.pdf", PDF, content_type="application/pdf"),
            ],
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    note = Interaction.objects.get(ticket=ticket)
    files = list(Attachment.objects.filter(ticket=ticket).order_by("filename"))
    assert [(f.filename, f.interaction_id, f.is_internal) for f in files] == [
        ("one.png", note.pk, True),
        ("two.pdf", note.pk, True),
    ]
    assert "one.png" in response.content.decode()


def test_one_refused_file_stores_nothing_of_the_submission(agent_client, ticket):
    before = counts()
    response = agent_client.post(
        url("ticket_compose", ticket),
        {
            "mode": "reply",
            "content": "Here are the papers",
            "commitment_text": "Call back",
            "commitment_due": "2030-01-15T10:00",
            "attachments": [
                SimpleUploadedFile("good.png", PNG, content_type="image/png"),
                SimpleUploadedFile("tool.exe", ELF, content_type="application/octet-stream"),
            ],
        },
        headers=HTMX,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-error-for="attachments"' in html
    assert "tool.exe: This type of file is not accepted." in html
    assert counts() == before
    assert media_files() == []
    assert stored(ticket).version == ticket.version


def test_a_closed_ticket_takes_internal_notes_only(agent_client, ticket, agent):
    services.transition_ticket(ticket=ticket, to="resolved", actor=agent, resolution="Done")
    services.transition_ticket(ticket=stored(ticket), to="closed", actor=agent)
    html = page(agent_client, ticket)
    assert 'value="reply"' not in html
    assert 'value="note"' in html
    refused = agent_client.post(
        url("ticket_compose", ticket), {"mode": "reply", "content": "Hello"}, headers=HTMX
    )
    assert refused.status_code == 422
    note = agent_client.post(
        url("ticket_compose", ticket), {"mode": "note", "content": "For the record"}, headers=HTMX
    )
    assert note.status_code == 200
    assert Interaction.objects.filter(ticket=ticket).count() == 1


def test_without_htmx_the_composer_redirects_to_the_page(agent_client, ticket):
    response = agent_client.post(url("ticket_compose", ticket), {"mode": "note", "content": "x"})
    assert response.status_code == 302
    assert response["Location"] == url("ticket", ticket)


def test_without_htmx_a_refusal_shows_the_whole_page_with_the_error(agent_client, ticket):
    response = agent_client.post(url("ticket_compose", ticket), {"mode": "note", "content": ""})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="sl-header"' in html
    assert 'data-error-for="content"' in html


# --- canned replies ------------------------------------------------------------------------


def test_a_canned_reply_fills_the_text_with_the_placeholders_resolved(agent_client, ticket):
    reply = CannedReply.objects.create(
        title="Apology",
        body="Dear {customer_name}, about {ticket_number}: sorry. <b>{agent_name}</b> {other}",
        language="en",
    )
    html = page(agent_client, ticket)
    assert f'<option value="{reply.pk}" lang="en">Apology</option>' in html
    response = agent_client.get(url("ticket_canned", ticket), {"reply": reply.pk}, headers=HTMX)
    assert response.status_code == 200
    text = response.content.decode().strip()
    assert text.startswith('<textarea name="content"')
    assert f"Dear 李伟, about {ticket.number}: sorry. &lt;b&gt;王芳&lt;/b&gt; {{other}}" in text


def test_no_choice_keeps_what_is_written(agent_client, ticket):
    assert agent_client.get(url("ticket_canned", ticket), {"reply": ""}).status_code == 204


def test_a_reply_of_another_team_is_not_offered(agent_client, ticket, other_team):
    elsewhere = CannedReply.objects.create(
        title="Billing", body="Refund", language="en", team=other_team
    )
    assert f'<option value="{elsewhere.pk}" lang="en">' not in page(agent_client, ticket)
    response = agent_client.get(url("ticket_canned", ticket), {"reply": elsewhere.pk})
    assert response.status_code == 404


# --- status --------------------------------------------------------------------------------


def _buttons(html):
    return re.findall(r'data-to="([a-z_]+)"', html)


def test_only_the_allowed_transitions_are_offered(agent_client, ticket, agent):
    assert _buttons(page(agent_client, ticket)) == ["in_progress", "waiting_customer", "resolved"]
    services.transition_ticket(ticket=ticket, to="resolved", actor=agent, resolution="Done")
    html = page(agent_client, ticket)
    assert _buttons(html) == ["in_progress", "closed"]
    assert "Reopen" in html


def test_a_transition_rerenders_header_panel_and_timeline_with_the_new_version(
    agent_client, ticket
):
    response = agent_client.post(
        url("ticket_transition", ticket),
        {"to": "waiting_customer", "version": ticket.version},
        headers=HTMX,
    )
    assert response.status_code == 200
    after = stored(ticket)
    assert after.status == "waiting_customer"
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="sl-actions"')
    assert '<header id="sl-header"' in html
    assert 'data-status="waiting_customer"' in html
    assert "changed the status: New → Waiting on customer" in html
    assert f'name="version" value="{after.version}"' in html
    assert f'name="version" value="{ticket.version}"' not in html
    assert toast(response) == "Status: Waiting on customer"
    # a second action by the same agent uses the new version: no false conflict
    second = agent_client.post(
        url("ticket_urgency", ticket), {"urgency": "high", "version": after.version}, headers=HTMX
    )
    assert second.status_code == 200
    assert stored(ticket).urgency == "high"


def test_resolving_asks_for_the_resolution_summary(agent_client, ticket):
    before = counts()
    response = agent_client.post(
        url("ticket_transition", ticket),
        {"to": "resolved", "resolution": " ", "version": ticket.version},
        headers=HTMX,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-error-for="resolution"' in html
    assert "Write a resolution summary to resolve the ticket." in html
    assert counts() == before
    done = agent_client.post(
        url("ticket_transition", ticket),
        {"to": "resolved", "resolution": "Sent a new parcel", "version": ticket.version},
        headers=HTMX,
    )
    assert done.status_code == 200
    assert stored(ticket).resolution == "Sent a new parcel"


def test_reopening_asks_for_a_reason(agent_client, ticket, agent):
    resolved = services.transition_ticket(ticket=ticket, to="resolved", actor=agent, resolution="x")
    refused = agent_client.post(
        url("ticket_transition", ticket),
        {"to": "in_progress", "version": resolved.version},
        headers=HTMX,
    )
    assert refused.status_code == 422
    assert 'data-error-for="reason"' in refused.content.decode()
    reopened = agent_client.post(
        url("ticket_transition", ticket),
        {"to": "in_progress", "reason": "Still broken", "version": resolved.version},
        headers=HTMX,
    )
    assert reopened.status_code == 200
    assert stored(ticket).reopen_count == 1
    assert "reopened the ticket" in reopened.content.decode()
    assert "Still broken" in reopened.content.decode()


def test_a_transition_that_is_not_allowed_is_a_409_with_the_reason(agent_client, ticket):
    response = agent_client.post(
        url("ticket_transition", ticket), {"to": "closed", "version": ticket.version}, headers=HTMX
    )
    assert response.status_code == 409
    assert 'data-error-for="to"' in response.content.decode()
    assert stored(ticket).status == "new"


# --- conflicting edits ---------------------------------------------------------------------


def test_the_second_of_two_agents_is_told_and_nothing_is_overwritten(ticket, agent, teammate):
    shown = stored(ticket).version  # both agents opened the page at this version
    services.change_urgency(ticket=ticket, urgency="high", actor=teammate, expected_version=shown)
    before = counts()
    response = signed_in(agent).post(
        url("ticket_urgency", ticket), {"urgency": "low", "version": shown}, headers=HTMX
    )
    assert response.status_code == 412
    html = response.content.decode()
    assert (
        "teammate changed this ticket while you were editing: your change was not saved. "
        "Reload to see the latest." in html
    )
    assert 'id="sl-conflict"' in html
    assert f'hx-get="{url("ticket", ticket)}"' in html  # the reload button
    assert stored(ticket).urgency == "high"
    assert counts() == before


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("ticket_transition", {"to": "in_progress"}),
        ("ticket_assign", {"assignee": ""}),
        ("ticket_take", {}),
        ("ticket_transfer", {"team": "billing"}),
        ("ticket_category", {"category": ""}),
        ("ticket_merge", {"into": "CS-20990101-000001"}),
    ],
)
def test_every_action_refuses_a_stale_version(
    name, fields, ticket, agent, teammate, other_team, agent_client
):
    services.assign_ticket(ticket=ticket, assignee=teammate, actor=teammate)
    target = make_ticket(agent, customer_id=ticket.customer_id, description="The other one")
    fields = {**fields, "into": target.number} if name == "ticket_merge" else fields
    before = counts()
    response = agent_client.post(
        url(name, ticket), {**fields, "version": ticket.version}, headers=HTMX
    )
    assert response.status_code == 412
    assert "teammate changed this ticket" in response.content.decode()
    assert counts() == before


def test_the_reload_button_gets_the_fresh_workspace(agent_client, ticket):
    response = agent_client.get(url("ticket", ticket), headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="sl-ticket"')
    assert "<html" not in html


def test_without_htmx_a_conflict_shows_the_page_with_the_message(ticket, agent, teammate):
    services.change_urgency(ticket=ticket, urgency="high", actor=teammate)
    response = signed_in(agent).post(
        url("ticket_urgency", ticket), {"urgency": "low", "version": ticket.version}
    )
    assert response.status_code == 412
    html = response.content.decode()
    assert "<html" in html
    assert 'id="sl-conflict"' in html


# --- assignment, team, urgency, category ---------------------------------------------------


def test_the_assignee_choice_is_limited_to_the_team(agent_client, ticket, teammate, outsider):
    html = page(agent_client, ticket)
    select = re.search(r'<select name="assignee".*?</select>', html, re.S).group(0)
    assert f'value="{teammate.pk}"' in select
    assert f'value="{outsider.pk}"' not in select
    before = counts()
    response = agent_client.post(
        url("ticket_assign", ticket),
        {"assignee": outsider.pk, "version": ticket.version},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert 'data-error-for="assignee"' in response.content.decode()
    assert counts() == before


def test_an_agent_takes_the_ticket(agent_client, ticket, agent):
    assert 'id="sl-take"' in page(agent_client, ticket)
    response = agent_client.post(
        url("ticket_take", ticket), {"version": ticket.version}, headers=HTMX
    )
    assert response.status_code == 200
    assert stored(ticket).assignee == agent
    html = response.content.decode()
    assert 'id="sl-take"' not in html
    assert "王芳 took the ticket" in html
    assert toast(response) == "The ticket is yours."


def test_assigning_and_returning_to_the_queue(agent_client, ticket, teammate):
    given = agent_client.post(
        url("ticket_assign", ticket),
        {"assignee": teammate.pk, "version": ticket.version},
        headers=HTMX,
    )
    assert given.status_code == 200
    assert stored(ticket).assignee == teammate
    assert "王芳 assigned the ticket to teammate" in given.content.decode()
    back = agent_client.post(
        url("ticket_assign", ticket),
        {"assignee": "", "version": stored(ticket).version},
        headers=HTMX,
    )
    assert back.status_code == 200
    assert stored(ticket).assignee is None
    assert "returned the ticket to the team queue" in back.content.decode()
    event = AuditEvent.objects.filter(ticket_id=ticket.pk, action="ticket.assigned").latest("id")
    assert (event.before, event.after) == ({"assignee": teammate.pk}, {"assignee": None})


def test_a_transfer_moves_the_ticket_to_another_team(ticket, team, other_team):
    manager = make_user(Role.MANAGER, username="manager")  # sees every team's tickets
    response = signed_in(manager).post(
        url("ticket_transfer", ticket),
        {"team": "billing", "reason": "It is about a refund", "version": ticket.version},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert stored(ticket).team == other_team
    html = response.content.decode()
    assert "transferred the ticket from Support to Billing" in html
    assert "It is about a refund" in html
    assert toast(response) == "Transferred to Billing."


def test_a_ticket_transferred_out_of_the_agents_teams_sends_them_to_the_queue(
    agent_client, ticket, other_team
):
    response = agent_client.post(
        url("ticket_transfer", ticket), {"team": "billing", "version": ticket.version}, headers=HTMX
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("desk:queue")
    assert stored(ticket).team == other_team
    assert agent_client.get(url("ticket", ticket)).status_code == 404
    shown = [str(m) for m in response.wsgi_request._messages]
    assert shown == ["Transferred to Billing. It has left your teams' queue."]


def test_urgency_and_category_change(agent_client, ticket):
    make_category("damage")
    urgent = agent_client.post(
        url("ticket_urgency", ticket),
        {"urgency": "critical", "version": ticket.version},
        headers=HTMX,
    )
    assert urgent.status_code == 200
    assert "changed the urgency: Medium → Critical" in urgent.content.decode()
    moved = agent_client.post(
        url("ticket_category", ticket),
        {"category": "damage", "version": stored(ticket).version},
        headers=HTMX,
    )
    assert moved.status_code == 200
    after = stored(ticket)
    assert (after.urgency, after.category.code) == ("critical", "damage")
    assert "changed the category: Delivery → Damage" in moved.content.decode()


def test_an_unknown_choice_is_refused_on_its_field(agent_client, ticket):
    before = counts()
    response = agent_client.post(
        url("ticket_urgency", ticket),
        {"urgency": "whenever", "version": ticket.version},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert 'data-error-for="urgency"' in response.content.decode()
    missing = agent_client.post(url("ticket_urgency", ticket), {"urgency": "high"}, headers=HTMX)
    assert missing.status_code == 422
    assert 'data-error-for="version"' in missing.content.decode()
    assert counts() == before


# --- merge ---------------------------------------------------------------------------------


def test_a_duplicate_is_merged_into_another_ticket_of_the_customer(agent_client, ticket, agent):
    original = make_ticket(agent, customer_id=ticket.customer_id, description="The first one")
    response = agent_client.post(
        url("ticket_merge", ticket),
        {"into": original.number.lower(), "note": "Same parcel", "version": ticket.version},
        headers=HTMX,
    )
    assert response.status_code == 200
    after = stored(ticket)
    assert (after.status, after.merged_into_id) == ("closed", original.pk)
    html = response.content.decode()
    assert 'id="sl-closed"' in html
    assert f"merged this ticket into {original.number}" in html
    assert 'id="sl-composer"' in html
    assert 'value="reply"' not in html
    assert toast(response) == f"Merged into {original.number}."


@pytest.mark.parametrize("into", ["CS-20990101-000001", "nonsense", "other-customer", "itself"])
def test_a_merge_into_a_ticket_that_cannot_take_it_is_refused(agent_client, ticket, agent, into):
    numbers = {
        "other-customer": make_ticket(agent, description="Someone else").number,
        "itself": ticket.number,
    }
    before = counts()
    response = agent_client.post(
        url("ticket_merge", ticket),
        {"into": numbers.get(into, into), "version": ticket.version},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert 'data-error-for="into"' in response.content.decode()
    assert counts() == before


def test_a_ticket_out_of_scope_cannot_be_merged_into(agent_client, ticket, outsider, other_team):
    hidden = make_ticket(outsider, customer_id=ticket.customer_id, team="billing")
    response = agent_client.post(
        url("ticket_merge", ticket),
        {"into": hidden.number, "version": ticket.version},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "There is no such ticket, or you may not see it." in response.content.decode()


def test_actions_on_a_ticket_out_of_scope_are_404(ticket, outsider):
    client = signed_in(outsider)
    for name in ("ticket_urgency", "ticket_compose", "ticket_canned"):
        method = client.get if name == "ticket_canned" else client.post
        assert method(url(name, ticket), {"urgency": "high", "version": 1}).status_code == 404


def test_without_htmx_an_action_redirects_to_the_page(agent_client, ticket):
    response = agent_client.post(
        url("ticket_urgency", ticket), {"urgency": "high", "version": ticket.version}
    )
    assert response.status_code == 302
    assert response["Location"] == url("ticket", ticket)
    assert stored(ticket).urgency == "high"


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.ANALYST])
def test_read_only_roles_get_no_canned_replies(role, ticket):
    reply = CannedReply.objects.create(title="Hi", body="Hi", language="en")
    response = signed_in(make_user(role)).get(url("ticket_canned", ticket), {"reply": reply.pk})
    assert response.status_code == 403


def test_a_request_the_customer_sent_names_no_recorder(agent_client, customer_user, agent):
    ticket = make_ticket(customer_user, description="Sent from the portal")
    html = page(agent_client, ticket)
    assert "Sent from the portal" in html
    assert "recorded by" not in html


# --- keeping a promise ---------------------------------------------------------------------


def _promise(ticket, agent):
    return services.create_commitment(
        ticket=ticket,
        actor=agent,
        text="Call back at 10:00",
        due_at=clock.now() + timedelta(hours=3),
    )


def test_an_open_promise_is_marked_kept_from_the_timeline(agent_client, ticket, agent):
    promise = _promise(ticket, agent)
    keep = reverse("desk:ticket_keep_promise", args=[ticket.number, promise.pk])
    assert f'data-keep-promise="{promise.pk}"' in page(agent_client, ticket)
    response = agent_client.post(keep, headers=HTMX)
    assert response.status_code == 200
    assert toast(response) == "Marked as kept."
    promise.refresh_from_db()
    assert promise.status == "kept"
    assert AuditEvent.objects.filter(action="commitment.kept").exists()
    assert f'data-keep-promise="{promise.pk}"' not in response.content.decode()


def test_a_promise_kept_meanwhile_is_not_kept_twice(agent_client, ticket, agent, teammate):
    promise = _promise(ticket, agent)
    services.keep_commitment(commitment=promise, actor=teammate)
    keep = reverse("desk:ticket_keep_promise", args=[ticket.number, promise.pk])
    before = counts()
    response = agent_client.post(keep, headers=HTMX)
    assert response.status_code == 409
    assert counts() == before


def test_a_promise_of_another_ticket_is_not_found_here(agent_client, ticket, agent, customer):
    other = make_ticket(agent, customer_id=customer.pk, description="Another matter")
    promise = _promise(other, agent)
    keep = reverse("desk:ticket_keep_promise", args=[ticket.number, promise.pk])
    assert agent_client.post(keep, headers=HTMX).status_code == 404
    promise.refresh_from_db()
    assert promise.status == "open"


@pytest.mark.parametrize("role", [Role.ANALYST, Role.SPECIALIST])
def test_read_only_roles_cannot_keep_promises(role, ticket, agent):
    promise = _promise(ticket, agent)
    keep = reverse("desk:ticket_keep_promise", args=[ticket.number, promise.pk])
    assert signed_in(make_user(role)).post(keep, headers=HTMX).status_code == 403
    promise.refresh_from_db()
    assert promise.status == "open"
