"""core.text.trimmed: what counts as written."""

import pytest

from serviceloop.core.text import trimmed

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e"


@pytest.mark.parametrize("text", ["", "   ", INVISIBLE, f" {INVISIBLE}\n\t{INVISIBLE} ", "\u3000"])
def test_a_text_of_blank_characters_is_empty(text):
    assert trimmed(text) == ""


def test_the_ends_go_and_the_inside_stays():
    assert trimmed(f"{INVISIBLE} 包裹\u200b丢失 \n") == "包裹\u200b丢失"
