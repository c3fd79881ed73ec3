"""core.spreadsheets: what every export writes into a cell."""

import csv
import io
from datetime import datetime

import openpyxl
import pytest
import xlsxwriter

from serviceloop.core import spreadsheets


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_a_spreadsheet_would_run_gets_a_quote_in_csv(start):
    assert spreadsheets.defused(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("text", ["Parcel late", "包裹丢失 =1", "a-b", "", "'=quoted"])
def test_other_text_is_left_as_it_is(text):
    assert spreadsheets.defused(text) == text


def test_a_csv_has_the_bom_numbers_as_numbers_and_text_defused():
    lines = list(spreadsheets.csv_lines(["=Number", "Hours"], [["=1+2", -3.5], ["客户", 7]]))
    assert lines[0].startswith(spreadsheets.BOM)
    rows = list(csv.reader(io.StringIO("".join(lines).removeprefix(spreadsheets.BOM))))
    assert rows == [["'=Number", "Hours"], ["'=1+2", "-3.5"], ["客户", "7"]]


def test_cells_keep_their_types_in_a_workbook():
    when = datetime(2026, 11, 20, 9, 30)  # noqa: DTZ001 - a workbook has no time zones
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    spreadsheets.write_cells(sheet, 0, ["=SUM(1)", 2, 2.5, True, when, None], stamp=stamp)
    book.close()
    written = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    cells = [written.cell(1, column) for column in range(1, 7)]
    assert [(c.data_type, c.value) for c in cells[:4]] == [
        ("s", "=SUM(1)"), ("n", 2), ("n", 2.5), ("b", True),
    ]  # fmt: skip
    assert cells[4].value == when
    assert cells[5].value is None
