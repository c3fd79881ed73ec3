"""Text typed by people: what counts as written."""

import re

# Whitespace, and the characters that take no room on screen: zero-width spaces and joiners,
# direction marks, the word joiner and its kin, the byte-order mark, the soft hyphen.
_BLANK_EDGES = re.compile(
    r"^[\s\u00ad\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]+"
    r"|[\s\u00ad\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]+$"
)


def trimmed(text: str) -> str:
    """`text` without the blank characters at either end, invisible ones included, so that
    a text of nothing but zero-width spaces is empty (a required field refuses it) and the
    first line of a description is a line one can see."""
    return _BLANK_EDGES.sub("", text)
