"""Cells of the spreadsheets people download (CSV and XLSX, opened in Excel or WPS): a
customer's text stays text. A cell that starts with = + - @ (or a tab or carriage return)
is a formula to a spreadsheet — `=HYPERLINK(...)` or `=cmd|...` typed into a complaint must
not run on the analyst's machine. Every export writes its cells here."""

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol

BOM = "\ufeff"  # Excel reads a CSV as UTF-8 (Chinese text) only with it
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

type Cell = str | int | float | bool | datetime | None


def defused(text: str) -> str:
    """Text for a CSV cell that no spreadsheet reads as a formula: a leading quote before a
    formula's first character (the spreadsheet shows the text, not the quote)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """A file-like object that hands back what csv.writer writes (one line at a time)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """The CSV file in pieces: the BOM and the header, then one line per row; text defused,
    numbers as numbers (a datetime: write it as text before)."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow([defused(label) for label in header])
    for row in rows:
        yield writer.writerow([defused(cell) if isinstance(cell, str) else cell for cell in row])


class Sheet(Protocol):
    """The part of an xlsxwriter worksheet that writes typed cells."""

    def write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> int: ...

    def write_number(self, row: int, col: int, number: float, cell_format: Any = None) -> int: ...

    def write_boolean(self, row: int, col: int, boolean: bool, cell_format: Any = None) -> int: ...

    def write_datetime(
        self, row: int, col: int, date: datetime, cell_format: Any = None
    ) -> int: ...


def write_cells(
    sheet: Sheet, row: int, cells: Sequence[Cell], *, cell_format: Any = None, stamp: Any = None
) -> None:
    """Write one row of typed cells: text as a string cell (never a formula), numbers and
    booleans as such, a datetime (already in the reader's time zone) with the `stamp`
    format, nothing for None."""
    for column, cell in enumerate(cells):
        if cell is None:
            continue
        if isinstance(cell, str):
            sheet.write_string(row, column, cell, cell_format)
        elif isinstance(cell, bool):
            sheet.write_boolean(row, column, cell, cell_format)
        elif isinstance(cell, datetime):
            sheet.write_datetime(row, column, cell, stamp)
        else:
            sheet.write_number(row, column, cell, cell_format)
