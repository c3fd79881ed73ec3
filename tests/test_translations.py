"""Every user-visible string exists in Chinese and English, and what runs (.mo) is what was
translated (.po). English is the source language of the code; zh-Hans must be complete."""

import io
from pathlib import Path

import polib
import pytest
from babel.messages.extract import extract, extract_python
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "serviceloop" / "locale"
CATALOGS = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))
KEYWORDS = {
    "_": None, "gettext": None, "gettext_lazy": None, "gettext_noop": None,
    "ngettext": (1, 2), "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2), "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3), "npgettext_lazy": ((1, "c"), 2, 3),
}  # fmt: skip


def _source_messages() -> set[tuple[str | None, str]]:
    """(context, msgid) of every translatable string in our Python code and templates."""
    found: set[tuple[str | None, str]] = set()
    sources = [
        p
        for p in (ROOT / "serviceloop").rglob("*.py")
        if "/tests/" not in str(p) and "migrations" not in p.parts
    ]
    templates = list((ROOT / "serviceloop").rglob("templates/**/*.html"))
    for path in sources + templates:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            # what makemessages hands to xgettext; indentation means nothing there, but
            # Babel's extractor tokenises it as Python, so it goes
            text = "\n".join(
                line.lstrip() for line in templatize(text, origin=str(path)).splitlines()
            )
        for _line, message, _comments, context in extract(
            extract_python, io.BytesIO(text.encode()), keywords=KEYWORDS
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.add((context, msgid))
    return found


def test_there_is_a_chinese_catalogue():
    assert LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po" in CATALOGS


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_every_message_is_translated(po_path):
    catalog = polib.pofile(str(po_path))
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert not untranslated, f"untranslated in {po_path.name}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy (needs review) in {po_path.name}: {fuzzy[:10]}"


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_the_compiled_catalogue_matches_its_source(po_path):
    """A .mo older than its .po (by content, not by file time) fails here: run `make messages`."""
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"

    def messages(catalog):
        return {
            (entry.msgctxt, entry.msgid): entry.msgstr or tuple(sorted(entry.msgstr_plural.items()))
            for entry in catalog
            if entry.msgid and (entry.msgstr or entry.msgstr_plural)
        }

    source = polib.pofile(str(po_path))
    compiled = polib.mofile(str(mo_path))
    assert messages(compiled) == messages(source)
    assert compiled.metadata.get("Plural-Forms") == source.metadata.get("Plural-Forms")


def test_every_string_in_the_code_is_in_the_catalogue():
    catalog = polib.pofile(str(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    known = {(entry.msgctxt, entry.msgid) for entry in catalog}
    missing = sorted((m for m in _source_messages() if m not in known), key=str)
    assert not missing, f"not in the catalogue (run `make messages`): {missing[:10]}"
