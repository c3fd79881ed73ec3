"""Row ids that arrive as text (a query parameter, a form field, a bulk action's value)."""

import re

MAX_ID = 2**63 - 1  # the largest bigint: a larger number is no row, and PostgreSQL refuses it
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(text: str | None) -> int | None:
    """The id written in `text` (ASCII digits, surrounding spaces allowed), or None when it
    is none: empty, a sign, other characters — `"²".isdigit()` is true, but `int("²")`
    fails — or beyond the largest id a table can hold."""
    text = (text or "").strip()
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
