"""The register as a spreadsheet: CSV streamed row by row, XLSX written in constant memory.

Labels, headers and the time zone are fixed when the export is made (the request's
language and zone), since the rows are produced later, while the response streams. Cells
that a spreadsheet would run as a formula are written as text (core.spreadsheets): a
customer's feedback must not become code on the analyst's machine.
"""

from collections.abc import Iterator
from datetime import datetime, tzinfo
from typing import IO

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from serviceloop.core import spreadsheets

from .choices import FeedbackStatus, FeedbackType, FeedbackUrgency, Nature, Source, Stage
from .models import FeedbackItem
from .queries import LIST_RELATED

CHUNK = 500


def _headers() -> list[str]:
    return [
        gettext("Number"),
        gettext("Created"),
        gettext("Source"),
        gettext("Title"),
        gettext("Text"),
        gettext("Type"),
        gettext("Urgency"),
        gettext("Stage"),
        gettext("Nature"),
        gettext("Status"),
        gettext("Reason for rejecting"),
        gettext("Category"),
        gettext("Team"),
        gettext("Customer"),
        gettext("Partner"),
        gettext("Submitted by"),
        gettext("Tickets"),
        gettext("Classified"),
    ]


class Export:
    """The rows of `items` as lists of strings, in the language and zone active now."""

    def __init__(self, items: QuerySet[FeedbackItem]) -> None:
        self.items = items.select_related(*LIST_RELATED).prefetch_related("tickets")
        self.headers = _headers()
        self.zone: tzinfo = timezone.get_current_timezone()
        self.anonymous = gettext("Anonymous")
        self.labels: dict[str, dict[str, str]] = {
            "source": {c.value: str(c.label) for c in Source},
            "type": {c.value: str(c.label) for c in FeedbackType},
            "urgency": {c.value: str(c.label) for c in FeedbackUrgency},
            "stage": {c.value: str(c.label) for c in Stage},
            "nature": {c.value: str(c.label) for c in Nature},
            "status": {c.value: str(c.label) for c in FeedbackStatus},
        }

    def _time(self, moment: datetime | None) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    def _label(self, name: str, item: FeedbackItem) -> str:
        value: str = getattr(item, name)
        return self.labels[name].get(value, value)

    def row(self, item: FeedbackItem) -> list[str]:
        if item.submitted_by is not None:
            submitter = item.submitted_by.display_name
        else:
            submitter = self.anonymous if item.is_anonymous else ""
        return [
            item.number,
            self._time(item.created_at),
            self._label("source", item),
            item.title,
            item.text,
            self._label("type", item),
            self._label("urgency", item),
            self._label("stage", item),
            self._label("nature", item),
            self._label("status", item),
            item.rejection_reason,
            item.category.name if item.category else "",
            item.team.name if item.team else "",
            item.customer.name if item.customer else "",
            item.organisation.name if item.organisation else "",
            submitter,
            " ".join(sorted(ticket.number for ticket in item.tickets.all())),
            self._time(item.classified_at),
        ]

    def rows(self) -> Iterator[list[str]]:
        """Every item as a row, read CHUNK rows at a time (with their tickets)."""
        for item in self.items.order_by("-created_at", "-id").iterator(chunk_size=CHUNK):
            yield self.row(item)


def csv_lines(export: Export) -> Iterator[bytes]:
    """The CSV file in pieces: the BOM and headers, then one line per item."""
    for line in spreadsheets.csv_lines(export.headers, export.rows()):
        yield line.encode()


def write_xlsx(export: Export, destination: IO[bytes]) -> None:
    """Write the workbook into `destination` (an open binary file) in constant memory: each
    row goes to disk as it is written. The caller rewinds and streams the file."""
    import xlsxwriter  # here: ~10 MB that a worker needs only for a workbook

    workbook = xlsxwriter.Workbook(destination, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet(gettext("Feedback"))
    bold = workbook.add_format({"bold": True})
    widths = [20, 17, 10, 40, 60, 16, 8, 10, 10, 10, 30, 20, 16, 20, 20, 16, 24, 17]
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    spreadsheets.write_cells(sheet, 0, export.headers, cell_format=bold)
    for index, row in enumerate(export.rows(), start=1):
        spreadsheets.write_cells(sheet, index, row)  # text, never a formula
    sheet.freeze_panes(1, 0)
    workbook.close()


def content_type(fmt: str) -> str:
    return {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[fmt]


def filename(fmt: str, at: datetime) -> str:
    return f"feedback-{timezone.localtime(at):%Y%m%d-%H%M}.{fmt}"


FORMATS = ("csv", "xlsx")
