"""An attachment's name ends the way its bytes are: a file whose bytes are a GIF is named
`.gif`, whatever it was called when it came in. A GIF that is also an HTML page (a polyglot)
uploaded as `page.html` is stored and served as `page.gif`: saved from a download, it opens
as the picture it was accepted as, never as a page."""

import mimetypes
from pathlib import PurePath

import filetype

MAX_NAME = 255  # Attachment.filename

# The extensions a type may keep, the first one the one it gets; types not listed get the
# one filetype (which detected them) knows.
_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
    # only .txt: Python also calls .bat, .pl or .ksh plain text, which a desktop would run
    "text/plain": (".txt",),
    "text/csv": (".csv",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/zip": (".zip",),
    "audio/mpeg": (".mp3",),
    "audio/x-wav": (".wav",),
    "video/mp4": (".mp4",),
}


def extensions_of(content_type: str) -> tuple[str, ...]:
    """The extensions a file of `content_type` may have, the usual one first; () for a type
    nobody knows."""
    if content_type in _EXTENSIONS:
        return _EXTENSIONS[content_type]
    kind = filetype.get_type(mime=content_type)
    if kind is not None:
        return (f".{kind.extension}",)
    guessed = mimetypes.guess_extension(content_type)
    return (guessed,) if guessed else ()


def name_for_type(name: str, content_type: str) -> str:
    """`name` without any folder, ending in an extension of `content_type`: kept when it
    has one (in any case), put in place of one that claims another type (`page.html` is
    `page.gif`), added to a name without one (`scan` is `scan.pdf`), within MAX_NAME."""
    base = PurePath(name.replace("\\", "/")).name or "file"
    allowed = extensions_of(content_type)
    if not allowed:
        return base[:MAX_NAME]
    stem, suffix = _split(base)
    if suffix.lower() in allowed:
        return stem[: MAX_NAME - len(suffix)] + suffix
    if suffix and mimetypes.guess_type(f"x{suffix}")[0] is None:
        stem = base  # not a type's extension ("report.final"): part of the name
    extension = allowed[0]
    return stem[: MAX_NAME - len(extension)] + extension


def _split(base: str) -> tuple[str, str]:
    """("page", ".html") of "page.html"; a leading dot is no extension (".profile")."""
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem:
        return base, ""
    return stem, f".{suffix}"
