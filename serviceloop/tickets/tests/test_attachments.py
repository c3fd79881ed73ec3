"""add_attachment: files on a ticket — accepted by what their bytes are, limited in size,
fingerprinted, hidden from customers when internal, and never half-stored."""

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import override_settings

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import Conflict, DomainError, NotPermitted
from serviceloop.tickets import queries
from serviceloop.tickets.models import Attachment
from serviceloop.tickets.services import add_attachment, add_interaction
from tests.builders import ELF, PDF, PNG, make_user

from .given import rows, ticket_in

HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
# GIF89a, 1x1, and then a page: a browser that is told it is HTML runs the script
GIF_HTML = b"GIF89a\x01\x00\x01\x00\x00\x00\x00<html><script>alert(document.domain)</script>"


@pytest.fixture
def customer_user(team):
    return make_user(Role.CUSTOMER, username="li-wei")


@pytest.fixture
def ticket(agent, customer_user):
    return ticket_in("in_progress", agent=agent, customer_id=customer_user.customer.pk)


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(media):
    return [path for path in Path(media).rglob("*") if path.is_file()]


# --- what is accepted ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type", "stored_name"),
    [
        ("photo.png", PNG, "image/png", "photo.png"),
        ("photo.jpg", PNG, "image/png", "photo.png"),  # the bytes decide, not the name
        ("invoice.pdf", PDF, "application/pdf", "invoice.pdf"),
        ("scan", PDF, "application/pdf", "scan.pdf"),
        ("notes.txt", "订单 12345 未送达\n".encode(), "text/plain", "notes.txt"),
        ("orders.csv", b"order,status\nSO-1,late\n", "text/csv", "orders.csv"),
        ("NOTES.TXT", b"plain words", "text/plain", "NOTES.TXT"),
    ],
)
def test_it_accepts_files_by_what_their_bytes_are(
    ticket, agent, media, name, content, content_type, stored_name
):
    attachment = add_attachment(ticket=ticket, actor=agent, upload=upload(name, content))
    stored = Attachment.objects.get(pk=attachment.pk)
    assert stored.content_type == content_type
    assert stored.filename == stored_name
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    with stored.file.open("rb") as file:
        assert file.read() == content
    assert Path(stored.file.path).is_relative_to(media)
    assert stored.file.name.endswith(stored.sha256)  # the client's name never reaches the disk


@pytest.mark.parametrize(
    ("name", "content", "stored_name"),
    [
        # a GIF that is also a web page: saved from a download, it must open as a picture
        ("page.html", GIF_HTML, "page.gif"),
        ("page.HTM", GIF_HTML, "page.gif"),
        ("page.gif.html", GIF_HTML, "page.gif.gif"),
        ("page.GIF", GIF_HTML, "page.GIF"),
        # Python calls a shell script plain text too, and a desktop would run it
        ("run.ksh", b"rm -rf ~\n", "run.txt"),
        ("invoice.exe", PDF, "invoice.pdf"),
        ("report.final", PDF, "report.final.pdf"),  # no type's extension: part of the name
        (".profile", PNG, ".profile.png"),
        ("C:\\Users\\li\\photo.html", PNG, "photo.png"),
        ("a" * 300 + ".html", GIF_HTML, "a" * 250 + ".gif"),  # Django cut it to 255 first
        ("a" * 300 + ".gif", GIF_HTML, "a" * 251 + ".gif"),
    ],
)
def test_the_stored_name_ends_in_the_extension_of_what_the_bytes_are(
    ticket, agent, name, content, stored_name
):
    attachment = add_attachment(ticket=ticket, actor=agent, upload=upload(name, content))

    stored = Attachment.objects.get(pk=attachment.pk)
    assert stored.filename == stored_name
    assert stored.download_name == stored_name
    assert AuditEvent.objects.get(action="attachment.added").after["filename"] == stored_name


def test_a_file_stored_under_another_types_name_downloads_under_its_own(ticket, agent):
    attachment = add_attachment(ticket=ticket, actor=agent, upload=upload("p.gif", GIF_HTML))
    Attachment.objects.filter(pk=attachment.pk).update(filename="page.html")  # stored before

    assert Attachment.objects.get(pk=attachment.pk).download_name == "page.gif"


def test_a_text_file_cut_inside_a_character_at_the_sniffing_edge_is_text(ticket, agent):
    content = b"a" * 8191 + "我们".encode()  # the first 8 KiB end inside 我
    attachment = add_attachment(ticket=ticket, actor=agent, upload=upload("log.txt", content))
    assert attachment.content_type == "text/plain"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", HTML),
        ("page.htm", HTML),
        ("tool", ELF),
        ("tool.txt", ELF),  # a binary named like text
        ("readme.txt", b"\xff\xfe\x00h\x00i" + b"\x00\x80" * 20),  # not UTF-8
        ("readme.txt", b"Order 12345 \x80 is late, please help us find the parcel"),
        ("readme.txt", b"Order 12345 is late \xff"),  # invalid byte at the very end
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60),
        ("data.bin", b"just some words"),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
    ],
)
def test_it_refuses_other_files_and_stores_nothing(ticket, agent, media, name, content):
    before = rows()
    with pytest.raises(DomainError) as refused:
        add_attachment(ticket=ticket, actor=agent, upload=upload(name, content, "image/png"))
    assert refused.value.field == "file"
    assert rows() == before
    assert stored_files(media) == []


@override_settings(ATTACHMENT_MAX_BYTES=len(PNG))
def test_a_file_at_the_size_limit_is_accepted(ticket, agent):
    attachment = add_attachment(ticket=ticket, actor=agent, upload=upload("a.png", PNG))
    assert attachment.size == len(PNG)


@override_settings(ATTACHMENT_MAX_BYTES=len(PNG) - 1)
def test_a_file_over_the_size_limit_is_refused(ticket, agent, media):
    before = rows()
    with pytest.raises(DomainError) as refused:
        add_attachment(ticket=ticket, actor=agent, upload=upload("a.png", PNG))
    assert refused.value.field == "file"
    assert "limit" in refused.value.message
    assert rows() == before
    assert stored_files(media) == []


def test_an_empty_file_is_refused(ticket, agent, media):
    before = rows()
    with pytest.raises(DomainError) as refused:
        add_attachment(ticket=ticket, actor=agent, upload=upload("empty.txt", b""))
    assert refused.value.field == "file"
    assert rows() == before
    assert stored_files(media) == []


def test_a_path_in_the_file_name_is_dropped(ticket, agent):
    attachment = add_attachment(
        ticket=ticket, actor=agent, upload=upload("../../etc/passwd.txt", b"root")
    )
    assert attachment.filename == "passwd.txt"


def test_the_upload_is_audited(ticket, agent):
    attachment = add_attachment(ticket=ticket, actor=agent, upload=upload("photo.png", PNG))
    event = AuditEvent.objects.get(action="attachment.added")
    assert (event.actor, event.ticket_id, event.target_id) == (agent, ticket.pk, str(attachment.pk))
    assert event.after == {
        "filename": "photo.png",
        "content_type": "image/png",
        "size": len(PNG),
        "sha256": hashlib.sha256(PNG).hexdigest(),
        "is_internal": False,
    }


# --- internal files ------------------------------------------------------------------------


def test_a_file_of_an_internal_note_is_internal(ticket, agent, customer_user):
    note = add_interaction(ticket=ticket, actor=agent, content="Courier's photo", is_internal=True)
    attachment = add_attachment(
        ticket=ticket, actor=agent, upload=upload("photo.png", PNG), interaction=note
    )
    assert Attachment.objects.get(pk=attachment.pk).is_internal
    assert list(queries.attachments_of(ticket, user=agent)) == [attachment]
    assert list(queries.attachments_of(ticket, user=customer_user)) == []
    with pytest.raises(Http404):
        queries.get_attachment_for(customer_user, attachment.pk)


def test_a_file_of_a_public_reply_is_public_unless_marked_internal(ticket, agent, customer_user):
    reply = add_interaction(ticket=ticket, actor=agent, content="Your label")
    public = add_attachment(
        ticket=ticket, actor=agent, upload=upload("label.pdf", PDF), interaction=reply
    )
    hidden = add_attachment(
        ticket=ticket, actor=agent, upload=upload("cost.csv", b"a,b\n"), is_internal=True
    )
    assert (public.is_internal, hidden.is_internal) == (False, True)
    assert list(queries.attachments_of(ticket, user=customer_user)) == [public]
    assert queries.get_attachment_for(customer_user, public.pk) == public


def test_a_customer_attaches_to_their_own_ticket(ticket, customer_user):
    attachment = add_attachment(ticket=ticket, actor=customer_user, upload=upload("a.png", PNG))
    assert (attachment.uploaded_by, attachment.is_internal) == (customer_user, False)


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.PARTNER])
def test_customers_and_partners_may_not_mark_a_file_internal(ticket, team, media, role):
    user = make_user(role, teams=[team])
    before = rows()
    with pytest.raises(DomainError) as refused:
        add_attachment(ticket=ticket, actor=user, upload=upload("a.png", PNG), is_internal=True)
    assert refused.value.field == "is_internal"
    assert rows() == before
    assert stored_files(media) == []


# --- where and who -------------------------------------------------------------------------


def test_a_closed_ticket_takes_no_files(agent, media):
    closed = ticket_in("closed", agent=agent)
    before = rows()
    with pytest.raises(Conflict):
        add_attachment(ticket=closed, actor=agent, upload=upload("a.png", PNG))
    assert rows() == before
    assert stored_files(media) == []


def test_an_interaction_of_another_ticket_is_refused(ticket, agent, media):
    elsewhere = add_interaction(ticket=ticket_in("new", agent=agent), actor=agent, content="Hi")
    before = rows()
    with pytest.raises(DomainError) as refused:
        add_attachment(
            ticket=ticket, actor=agent, upload=upload("a.png", PNG), interaction=elsewhere
        )
    assert refused.value.field == "interaction"
    assert rows() == before
    assert stored_files(media) == []


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.ANALYST])
def test_read_only_staff_may_not_attach(ticket, team, media, role):
    user = make_user(role, teams=[team])
    before = rows()
    with pytest.raises(NotPermitted):
        add_attachment(ticket=ticket, actor=user, upload=upload("a.png", PNG))
    assert rows() == before
    assert stored_files(media) == []
