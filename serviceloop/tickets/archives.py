"""What an archive unpacks to, checked before it is accepted as an attachment: an archive
bomb (a small file that unpacks to gigabytes, or to millions of files) is refused.

An archive is read through to the end, without writing anything out: every file in it is
decompressed and counted (a zip's stated sizes are checked first, so an outsized one is
refused at once, and then against what its data really unpacks to), and an archive inside
it is read the same way, counting towards the same limits, down to MAX_DEPTH. Zips (and the
documents that are zips: .docx, .xlsx, .odt, .epub...), tar, gzip, bzip2 and xz are read;
a kind of archive this module cannot read is refused rather than let through unchecked.
"""

import bz2
import gzip
import lzma
import struct
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from io import BufferedIOBase
from typing import IO, Final, Protocol

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# Archives inside archives are read down to this depth (the upload is depth 0).
MAX_DEPTH: Final = 3
# An archive may always unpack to this much, however tightly it is compressed.
RATIO_FLOOR_BYTES: Final = 1024 * 1024
_CHUNK = 1024 * 1024
_HEAD = 512 + 265  # a tar's magic number is at 257

ZIP_TYPES: Final = frozenset(
    {
        "application/zip",
        "application/epub+zip",
        "application/java-archive",
        "application/x-google-chrome-extension",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)
# each opened in a `with` where it is used
_STREAMS: Final[dict[str, Callable[[IO[bytes]], BufferedIOBase]]] = {
    "application/gzip": lambda file: gzip.GzipFile(fileobj=file, mode="rb"),
    "application/x-bzip2": lambda file: bz2.BZ2File(file, mode="rb"),
    "application/x-xz": lambda file: lzma.LZMAFile(file, mode="rb"),  # noqa: SIM115
}
TAR: Final = "application/x-tar"
# Archives (as filetype names them) that cannot be read here: refused if they are allowed.
UNREADABLE_TYPES: Final = frozenset(
    {
        "application/x-rar-compressed",
        "application/x-7z-compressed",
        "application/zstd",
        "application/x-lzip",
        "application/x-lz4",
        "application/x-lzop",
        "application/x-compress",
        "application/x-brotli",
        "application/vnd.ms-cab-compressed",
        "application/x-deb",
        "application/x-rpm",
        "application/x-unix-archive",
    }
)


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class ArchiveRefused(Exception):
    """The archive is refused; `message` (translated) says why."""

    def __init__(self, message: Promise | str) -> None:
        super().__init__(message)
        self.message = message


def is_archive(content_type: str) -> bool:
    return (
        content_type in ZIP_TYPES
        or content_type in _STREAMS
        or content_type == TAR
        or content_type in UNREADABLE_TYPES
    )


@dataclass(frozen=True)
class Limits:
    entries: int
    unpacked: int
    ratio: int

    @classmethod
    def configured(cls) -> "Limits":
        return cls(
            entries=int(settings.ATTACHMENT_ARCHIVE_MAX_ENTRIES),
            unpacked=int(settings.ATTACHMENT_ARCHIVE_MAX_UNPACKED_BYTES),
            ratio=int(settings.ATTACHMENT_ARCHIVE_MAX_RATIO),
        )


def check_archive(
    file: IO[bytes], content_type: str, *, size: int, limits: Limits | None = None
) -> None:
    """Raise ArchiveRefused when `file` (of `size` bytes, sniffed as `content_type`) is an
    archive that holds more than ATTACHMENT_ARCHIVE_MAX_ENTRIES files, unpacks to more than
    ATTACHMENT_ARCHIVE_MAX_UNPACKED_BYTES or to more than ATTACHMENT_ARCHIVE_MAX_RATIO times
    its size (beyond RATIO_FLOOR_BYTES), is damaged, or cannot be read. Anything else
    passes. `file` is left at its start."""
    if not is_archive(content_type):
        return
    if content_type in UNREADABLE_TYPES:
        raise ArchiveRefused(_("This kind of archive cannot be checked; send a zip instead."))
    count = _Count(limits or Limits.configured(), size)
    file.seek(0)
    try:
        if content_type in ZIP_TYPES:
            _zip(file, count, depth=0)
        elif content_type == TAR:
            _tar(file, count, depth=0)
        else:
            count.entries(1)
            with _STREAMS[content_type](file) as unpacked:
                _entry(unpacked, count, depth=0)
    except (
        zipfile.BadZipFile,
        tarfile.TarError,
        EOFError,
        OSError,
        lzma.LZMAError,
        zlib.error,
    ) as error:
        raise ArchiveRefused(_("The archive is damaged and cannot be read.")) from error
    except (RuntimeError, NotImplementedError, ValueError) as error:
        # zipfile: a compression method it does not know; a bad header
        raise ArchiveRefused(_("The archive is damaged and cannot be read.")) from error
    finally:
        file.seek(0)


class _Count:
    """The files and bytes unpacked so far, at every depth, against the limits."""

    def __init__(self, limits: Limits, size: int) -> None:
        self.limits = limits
        self.most = min(limits.unpacked, max(limits.ratio * size, RATIO_FLOOR_BYTES))
        self.files = 0
        self.bytes = 0

    def entries(self, count: int) -> None:
        self.files += count
        if self.files > self.limits.entries:
            raise ArchiveRefused(
                format_lazy(
                    _("The archive holds more than {count} files."),
                    count=f"{self.limits.entries:,}",
                )
            )

    def stated(self, count: int) -> None:
        """Refuse at once what an archive says it will unpack to, if that is too much."""
        self._check(self.bytes + count)

    def unpacked(self, count: int) -> None:
        self.bytes += count
        self._check(self.bytes)

    def _check(self, total: int) -> None:
        if total <= self.most:
            return
        if total > self.limits.unpacked:
            raise ArchiveRefused(
                format_lazy(
                    _("The archive unpacks to more than {limit}."),
                    limit=filesizeformat(self.limits.unpacked),
                )
            )
        raise ArchiveRefused(
            format_lazy(
                _("The archive unpacks to more than {ratio} times its size, as archive bombs do."),
                ratio=self.limits.ratio,
            )
        )


def _zip(file: IO[bytes], count: _Count, *, depth: int) -> None:
    with zipfile.ZipFile(file) as archive:
        members = archive.infolist()
        count.entries(len(members))
        # what the zip says first: an outsized one is refused without unpacking anything
        count.stated(sum(member.file_size for member in members))
        for member in members:
            if member.is_dir():
                continue
            if member.flag_bits & 0x1:  # encrypted: only its stated size can be known
                count.unpacked(member.file_size)
            elif member.compress_type == zipfile.ZIP_DEFLATED:
                inflated = _Inflated(file, member)
                _entry(inflated, count, depth=depth)
                inflated.check()
            else:
                # stored, bzip2, lzma: zipfile reads no more than the stated size and then
                # checks the CRC, so data that unpacks to more than it says is damaged
                with archive.open(member) as unpacked:
                    _entry(unpacked, count, depth=depth)


class _Inflated:
    """The data of a deflated zip member as it really unpacks, to the end of its deflate
    stream: a bomb may state a small size (zipfile would stop there, but other unzip tools
    go on), so the stated size is checked against it, and the CRC."""

    def __init__(self, file: IO[bytes], member: zipfile.ZipInfo) -> None:
        file.seek(member.header_offset)
        header = file.read(30)
        if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
            raise zipfile.BadZipFile("no local header")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        file.seek(member.header_offset + 30 + name_length + extra_length)
        self.file, self.member = file, member
        self.left = member.compress_size
        self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        self.size = 0
        self.crc = 0

    def read(self, size: int = -1, /) -> bytes:
        wanted = size if size > 0 else _CHUNK
        out = bytearray()
        while len(out) < wanted and not self.inflater.eof:
            data = self.inflater.unconsumed_tail
            if not data:
                data = self.file.read(min(_CHUNK, self.left))
                self.left -= len(data)
                if not data:
                    raise zipfile.BadZipFile("the deflate stream is cut short")
            out += self.inflater.decompress(data, wanted - len(out))
        self.size += len(out)
        self.crc = zlib.crc32(out, self.crc)
        return bytes(out)

    def check(self) -> None:
        """After the last read: the member is what its directory says."""
        if self.size != self.member.file_size or self.crc != self.member.CRC:
            raise zipfile.BadZipFile("the member is not what the directory says")


def _tar(file: IO[bytes], count: _Count, *, depth: int) -> None:
    with tarfile.open(fileobj=file, mode="r|") as archive:
        for member in archive:
            count.entries(1)
            if not member.isfile():
                continue
            count.stated(member.size)
            unpacked = archive.extractfile(member)
            if unpacked is not None:
                _entry(unpacked, count, depth=depth)


def _entry(unpacked: _Readable, count: _Count, *, depth: int) -> None:
    """Read one unpacked file to its end, counting its bytes; an archive in it is read the
    same way (from a temporary copy, which zipfile needs to seek in)."""
    head = unpacked.read(_HEAD)
    count.unpacked(len(head))
    inner = _kind(head)
    if inner is None:
        while chunk := unpacked.read(_CHUNK):
            count.unpacked(len(chunk))
        return
    if depth + 1 > MAX_DEPTH:
        raise ArchiveRefused(_("The archive holds archives nested too deeply."))
    with tempfile.SpooledTemporaryFile(max_size=_CHUNK) as copy:
        copy.write(head)
        while chunk := unpacked.read(_CHUNK):
            count.unpacked(len(chunk))
            copy.write(chunk)
        copy.seek(0)
        if inner == "zip":
            _zip(copy, count, depth=depth + 1)
        elif inner == "tar":
            _tar(copy, count, depth=depth + 1)
        else:
            count.entries(1)
            with _STREAMS[inner](copy) as stream:
                _entry(stream, count, depth=depth + 1)


def _kind(head: bytes) -> str | None:
    """The archive `head` begins, by its magic number: "zip", "tar", or a stream's type."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "application/gzip"
    if head.startswith(b"BZh"):
        return "application/x-bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "application/x-xz"
    if head[257:262] == b"ustar":
        return "tar"
    return None
