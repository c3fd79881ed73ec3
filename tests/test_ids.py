"""core.ids.parse_id: ids typed into query strings and forms."""

import pytest

from serviceloop.core.ids import MAX_ID, parse_id


@pytest.mark.parametrize(("text", "expected"), [("7", 7), (" 42 ", 42), (str(MAX_ID), MAX_ID)])
def test_it_reads_an_id(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", None, "0", "-1", "+1", "1.0", "²", "١٢", "１２", "12a", "1 2", str(MAX_ID + 1), "9" * 40],
)
def test_anything_else_is_no_id(text):
    assert parse_id(text) is None
