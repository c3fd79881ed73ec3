"""Archive attachments are unpacked (without writing anything out) and refused when they hold
too many files, unpack to too much or to too many times their size, lie about their sizes,
or hide a bomb inside another archive. The archives are made here, with zipfile and tarfile."""

import io
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from xlsxwriter import Workbook

from serviceloop.accounts.choices import Role
from serviceloop.core.errors import DomainError
from serviceloop.tickets.models import Attachment
from serviceloop.tickets.services import add_attachment
from tests.builders import make_user

from .given import rows, ticket_in

MB = 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def ticket(agent):
    customer = make_user(Role.CUSTOMER, username="li-wei").customer
    return ticket_in("in_progress", agent=agent, customer_id=customer.pk)


def zipped(files: dict[str, bytes | int]) -> bytes:
    """A zip of `files`: bytes as they are, a number as that many zero bytes (written in
    pieces, so a bomb is never whole in memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in files.items():
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            with archive.open(name, "w", force_zip64=True) as entry:
                for start in range(0, content, MB):
                    entry.write(bytes(min(MB, content - start)))
    return buffer.getvalue()


def tar_gz(files: dict[str, int]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, size in files.items():
            info = tarfile.TarInfo(name)
            info.size = size
            archive.addfile(info, io.BytesIO(bytes(size)))
    return buffer.getvalue()


def attach(ticket, agent, name, content):
    return add_attachment(
        ticket=ticket, actor=agent, upload=SimpleUploadedFile(name, content, "application/zip")
    )


def stored_files(media) -> list[Path]:
    return [path for path in Path(media).rglob("*") if path.is_file()]


def refused(ticket, agent, media, name, content) -> str:
    before = (rows(), stored_files(media))
    with pytest.raises(DomainError) as refusal:
        attach(ticket, agent, name, content)
    assert refusal.value.field == "file"
    assert (rows(), stored_files(media)) == before
    return str(refusal.value.message)


# --- accepted ------------------------------------------------------------------------------


def test_an_ordinary_zip_is_accepted(ticket, agent):
    content = zipped(
        {"order.txt": "订单 SO-1 未送达\n".encode() * 50, "photos/": b"", "a.bin": 4096}
    )

    attachment = attach(ticket, agent, "evidence.zip", content)

    assert (attachment.content_type, attachment.filename) == ("application/zip", "evidence.zip")


def test_a_spreadsheet_is_accepted(ticket, agent):
    buffer = io.BytesIO()
    workbook = Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for row in range(2_000):
        sheet.write_row(row, 0, [f"SO-{row}", "late", row * 1.5])
    workbook.close()

    attachment = attach(ticket, agent, "orders.xlsx", buffer.getvalue())

    assert attachment.content_type == XLSX


def test_a_small_archive_may_be_packed_tightly(ticket, agent):
    """Under 1 MiB unpacked, the ratio does not count: a page of one repeated line is fine."""
    attachment = attach(ticket, agent, "log.zip", zipped({"log.txt": b"ok\n" * 300_000}))

    assert attachment.size < 10_000


# --- refused -------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_by_what_it_unpacks_to(ticket, agent, media):
    """201 MiB of zeros pack into some 200 KiB; the zip's stated size refuses it at once."""
    bomb = zipped({"zeros.bin": 201 * MB})
    assert len(bomb) < 10 * MB

    message = refused(ticket, agent, media, "bomb.zip", bomb)

    assert message == "The archive unpacks to more than 200.0\xa0MB."


def test_a_zip_that_unpacks_to_hundreds_of_times_its_size_is_refused(ticket, agent, media):
    message = refused(ticket, agent, media, "zeros.zip", zipped({"zeros.bin": 20 * MB}))

    assert message == ("The archive unpacks to more than 100 times its size, as archive bombs do.")


def test_a_zip_of_too_many_files_is_refused(ticket, agent, media):
    content = zipped({f"f{n}.txt": b"" for n in range(10_001)})

    message = refused(ticket, agent, media, "many.zip", content)

    assert message == "The archive holds more than 10,000 files."


def test_the_limits_are_settings(ticket, agent, media, settings):
    settings.ATTACHMENT_ARCHIVE_MAX_ENTRIES = 2
    content = zipped({"a.txt": b"a", "b.txt": b"b", "c.txt": b"c"})

    assert refused(ticket, agent, media, "three.zip", content) == (
        "The archive holds more than 2 files."
    )
    settings.ATTACHMENT_ARCHIVE_MAX_ENTRIES = 3
    settings.ATTACHMENT_ARCHIVE_MAX_UNPACKED_BYTES = 2
    assert refused(ticket, agent, media, "three.zip", content) == (
        "The archive unpacks to more than 2\xa0bytes."
    )


def test_a_zip_that_states_a_smaller_size_than_its_data_is_refused(ticket, agent, media):
    """A bomb whose directory says its member is 1,000 zeros, with the CRC of 1,000 zeros:
    Python's zipfile would stop there, content; unzip tools read on. Its data counts."""
    content = bytearray(zipped({"zeros.bin": 50 * MB}))
    directory = content.index(b"PK\x01\x02")
    struct.pack_into("<I", content, directory + 16, zlib.crc32(bytes(1_000)))
    struct.pack_into("<I", content, directory + 24, 1_000)  # the uncompressed size
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.read("zeros.bin") == bytes(1_000)  # what zipfile alone would see

    message = refused(ticket, agent, media, "liar.zip", bytes(content))

    assert "times its size" in message


def test_a_bomb_inside_an_archive_is_found(ticket, agent, media):
    inner = zipped({"zeros.bin": 50 * MB})
    outer = zipped({"photos.zip": inner, "note.txt": b"see inside"})

    message = refused(ticket, agent, media, "nested.zip", outer)

    assert "times its size" in message


def test_archives_nested_too_deeply_are_refused(ticket, agent, media):
    content = zipped({"note.txt": b"deep"})
    for depth in range(4):
        content = zipped({f"level{depth}.zip": content})

    message = refused(ticket, agent, media, "deep.zip", content)

    assert message == "The archive holds archives nested too deeply."


def test_a_damaged_zip_is_refused(ticket, agent, media):
    content = bytearray(zipped({"a.txt": b"x" * 5000}))
    content[40:60] = b"\xff" * 20  # inside the compressed data

    assert refused(ticket, agent, media, "broken.zip", bytes(content)) == (
        "The archive is damaged and cannot be read."
    )


def test_a_docx_bomb_is_refused(ticket, agent, media):
    """A document that is a zip is an archive too."""
    content = zipped(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
            "word/zeros.bin": 30 * MB,
        }
    )

    assert "times its size" in refused(ticket, agent, media, "report.docx", content)


def test_a_tar_gz_bomb_is_refused_when_tar_gz_is_allowed(ticket, agent, media, settings):
    settings.ATTACHMENT_TYPES = [*settings.ATTACHMENT_TYPES, "application/gzip"]
    assert attach(ticket, agent, "logs.tar.gz", tar_gz({"a.log": 1000})).filename == ("logs.tar.gz")

    message = refused(ticket, agent, media, "logs.tar.gz", tar_gz({"a.log": 30 * MB}))

    assert "times its size" in message
    assert Attachment.objects.count() == 1


def test_an_archive_that_cannot_be_read_here_is_refused_when_allowed(
    ticket, agent, media, settings
):
    settings.ATTACHMENT_TYPES = [*settings.ATTACHMENT_TYPES, "application/x-7z-compressed"]
    seven_zip = b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(64)

    assert refused(ticket, agent, media, "photos.7z", seven_zip) == (
        "This kind of archive cannot be checked; send a zip instead."
    )
