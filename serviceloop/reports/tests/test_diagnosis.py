"""The diagnosis PDF carries its font: every font in it is embedded (a TrueType subset,
FontFile2), and every character it prints, Chinese and the signs › · – − → alike, has a
glyph of its own in the embedded font, not the empty box of a missing one."""

import io
from datetime import date

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from serviceloop.analytics import queries
from serviceloop.analytics.scope import Scope, Window
from serviceloop.reports.diagnosis import diagnosis_pdf
from serviceloop.reports.plans import PlanLine

TITLE = "物流 › 配送 · A–B −3"
EFFECT = "−30 min (95 % CI −45 min to −12 min; n 420 → 380)"


def report_of(title: str) -> bytes:
    window = Window(date(2026, 11, 16), date(2026, 11, 22))
    board = queries.dashboard(Scope(), window, queries.Visibility(teams=None))
    plan = PlanLine(
        code="IP-2026-001",
        title=title,
        phase="执行",
        owner="孙专员",
        deadline="2026-12-31",
        effect=EFFECT,
        overdue=False,
    )
    return diagnosis_pdf(board, [plan])


@pytest.fixture
def report(db) -> bytes:
    return report_of(TITLE)


def fonts_of(pdf: bytes) -> list[DictionaryObject]:
    found: dict[int, DictionaryObject] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            found[ref.idnum] = ref.get_object()
    return list(found.values())


def glyphs(pdf: bytes) -> dict[str, bool]:
    """Each character the report's fonts can show (by their ToUnicode maps), and whether
    the embedded font has a glyph for it: one with an outline, and not the box (.notdef)
    that code 0, standing for nothing, gets. ReportLab draws a character the font lacks
    with code 0, so such a character is not in the map at all."""
    drawn: dict[str, bool] = {}
    for font in fonts_of(pdf):
        embedded = TTFont(io.BytesIO(font["/FontDescriptor"]["/FontFile2"].get_data()))
        codes = embedded["cmap"].getcmap(1, 0).cmap  # ReportLab's subsets: Macintosh, 1 byte
        glyf = embedded["glyf"]
        missing = {".notdef", codes.get(0)}  # code 0 stands for nothing
        for code, char in _to_unicode(font["/ToUnicode"].get_data().decode("ascii")).items():
            name = codes.get(code, ".notdef")
            shown = name not in missing and glyf[name].numberOfContours != 0
            drawn[char] = drawn.get(char, False) or shown
    return drawn


def _to_unicode(cmap: str) -> dict[int, str]:
    """The bfchar and bfrange lines of a ToUnicode CMap: code -> character (codes that
    stand for nothing, U+0000, left out)."""
    mapped: dict[int, str] = {}
    section = None
    for line in cmap.splitlines():
        words = line.split()
        if words and words[-1] in {"beginbfchar", "beginbfrange"}:
            section = words[-1]
        elif words and words[0] in {"endbfchar", "endbfrange"}:
            section = None
        elif section:
            numbers = [int(word.strip("<>"), 16) for word in words]
            low, high, first = numbers if section == "beginbfrange" else (*numbers[:1], *numbers)
            for offset in range(high - low + 1):
                if first + offset:
                    mapped[low + offset] = chr(first + offset)
    return mapped


def test_every_font_of_the_report_is_embedded(report):
    fonts = fonts_of(report)

    assert fonts
    for font in fonts:
        assert font["/Subtype"] == "/TrueType", font
        assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]
        assert "+WenQuanYiMicroHei-" in font["/BaseFont"], font["/BaseFont"]  # a subset
    assert b"STSong" not in report
    assert len(report) < 400_000  # a subset of the glyphs it uses, not the 5 MB font


def test_every_character_printed_has_a_glyph_in_the_embedded_font(report):
    drawn = glyphs(report)

    for char in set(TITLE + EFFECT + "孙专员执行") - {" "}:
        assert char in drawn, f"{char!r} is not in the report's fonts"
        assert drawn[char], f"{char!r} ({ord(char):04X}) has no glyph in the embedded font"


def test_a_character_the_font_lacks_is_told_apart(db):
    """The check above would see a missing glyph: U+2096 (subscript k) is not in the font,
    and ReportLab draws it with code 0, which stands for nothing."""
    drawn = glyphs(report_of("n\u2096 物流"))

    assert "\u2096" not in drawn
    assert drawn["物"] is True


def test_the_text_reads_back_as_it_was_written(report):
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(report)).pages)

    assert TITLE in text
    assert "→ 380" in text
