"""The register as CSV and XLSX: headers in the reader's language, Chinese text intact,
formulas defused."""

import csv
import io
import tempfile

import openpyxl
from django.utils import translation

from serviceloop.feedback import exports, queries
from serviceloop.feedback.services import classify_feedback

from .given import customer_item, staff_item


def test_the_csv_has_a_bom_headers_and_chinese_text(specialist, customer_user, team):
    item = customer_item(customer_user, title="客服电话打不通", text="打了三次都占线")
    classify_feedback(item=item, actor=specialist, type="resource_shortage", team=team.code)
    anonymous = staff_item(specialist, title='=HYPERLINK("http://evil")', anonymous=True)

    body = b"".join(exports.csv_lines(exports.Export(queries.feedback_visible_to(specialist))))

    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:6] == ["Number", "Created", "Source", "Title", "Text", "Type"]
    by_number = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_number[item.number]["Title"] == "客服电话打不通"
    assert by_number[item.number]["Text"] == "打了三次都占线"
    assert by_number[item.number]["Type"] == "Resource shortage"
    assert by_number[item.number]["Customer"] == "li.wei"
    assert by_number[item.number]["Submitted by"] == "李伟"
    assert by_number[item.number]["Team"] == team.name_en
    assert by_number[item.number]["Created"] == "2026-11-25 10:00"
    assert by_number[anonymous.number]["Submitted by"] == "Anonymous"
    assert by_number[anonymous.number]["Title"] == '\'=HYPERLINK("http://evil")'


def test_the_xlsx_reads_back_with_the_same_rows(specialist, agent):
    items = [staff_item(agent, title=f"第{n}条反馈") for n in range(3)]
    export = exports.Export(queries.feedback_visible_to(specialist))

    with tempfile.TemporaryFile() as destination:
        exports.write_xlsx(export, destination)
        destination.seek(0)
        sheet = openpyxl.load_workbook(destination, read_only=True).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]

    assert rows[0] == export.headers
    assert [row[0] for row in rows[1:]] == [item.number for item in reversed(items)]
    assert [row[3] for row in rows[1:]] == ["第2条反馈", "第1条反馈", "第0条反馈"]


def test_labels_follow_the_language_active_when_the_export_is_made(specialist, agent):
    staff_item(agent)

    with translation.override("zh-hans"):
        export = exports.Export(queries.feedback_visible_to(specialist))
    rows = list(export.rows())

    assert rows[0][2] == "员工"  # Staff
    assert export.headers[5:7] == ["类型", "紧急程度"]  # Type, Urgency


def test_an_export_reads_the_items_in_few_queries(specialist, agent, django_assert_max_num_queries):
    for _ in range(5):
        staff_item(agent)

    with django_assert_max_num_queries(2):
        rows = list(exports.Export(queries.feedback_visible_to(specialist)).rows())

    assert len(rows) == 5
