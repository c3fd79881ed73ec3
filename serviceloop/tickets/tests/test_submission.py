"""submit_ticket: a request handed in with its files (portal) or with the answer an agent
already gave on the call (desk), all or nothing."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from serviceloop.accounts.choices import Role
from serviceloop.core.errors import DomainError
from serviceloop.customers.services import CustomerIdentity
from serviceloop.tickets import services
from serviceloop.tickets.models import Attachment, Interaction
from tests.builders import ELF, PNG, make_user

from .given import rows


def files_in(media):
    return [path for path in Path(media).rglob("*") if path.is_file()]


@pytest.fixture
def customer_user(team):
    return make_user(Role.CUSTOMER, username="li.wei")


def draft(text="My parcel is broken", **fields):
    return services.TicketDraft(description=text, **fields)


def test_a_customers_request_comes_with_its_files(customer_user, media):
    intake = services.submit_ticket(
        actor=customer_user,
        draft=draft(channel="web"),
        attachments=[SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.png", PNG)],
    )
    assert intake.created
    assert Attachment.objects.filter(ticket=intake.ticket).count() == 2
    assert len(files_in(media)) == 2


def test_a_refused_file_stores_no_ticket_and_no_file(customer_user, media):
    before = rows()
    with pytest.raises(DomainError) as refused:
        services.submit_ticket(
            actor=customer_user,
            draft=draft(),
            attachments=[SimpleUploadedFile("ok.png", PNG), SimpleUploadedFile("x.exe", ELF)],
        )
    assert refused.value.field == "attachments"
    assert "x.exe" in str(refused.value.message)
    assert rows() == before
    assert files_in(media) == []


def test_the_answer_given_on_the_call_is_the_first_response(agent):
    intake = services.submit_ticket(
        actor=agent,
        draft=draft(channel="phone", customer=CustomerIdentity(phone="13800138000")),
        answer="Told her a new parcel leaves today",
    )
    answer = Interaction.objects.get(ticket=intake.ticket)
    assert (answer.channel, answer.direction) == ("phone", "outbound")
    intake.ticket.refresh_from_db()
    assert intake.ticket.first_response_at == answer.occurred_at


def test_no_answer_no_interaction(agent):
    intake = services.submit_ticket(
        actor=agent,
        draft=draft(channel="phone", customer=CustomerIdentity(phone="13800138000")),
        answer="   ",
    )
    assert not Interaction.objects.filter(ticket=intake.ticket).exists()


def test_a_duplicate_returns_the_earlier_ticket_untouched(customer_user, media):
    first = services.submit_ticket(actor=customer_user, draft=draft())
    again = services.submit_ticket(
        actor=customer_user, draft=draft(), attachments=[SimpleUploadedFile("a.png", PNG)]
    )
    assert again.duplicate
    assert again.ticket.pk == first.ticket.pk
    assert not Attachment.objects.exists()
