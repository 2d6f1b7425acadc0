"""A list or a report of the product as an Excel workbook (.xlsx), the way campus offices work.

Each list declares its columns once (`Column`: the header, as the page's own table heads it and so
translated; where the value is read from; its Excel number format), and its page's view hands the
same rows it pages — the same selector, filters and scope — to `xlsx_file`: every row, not the page,
read in chunks of CHUNK rows through a server-side cursor (a fixed number of queries whatever the
list's length), up to ROW_CEILING rows a sheet; beyond it the sheet's last row says what was left
out. A sheet opens with a title row naming the page, its filters and the time of the export, then
the bold header row, frozen; dates are dates, money numbers with two decimals.

The workbook is built while the request waits — openpyxl's write-only mode to a spooled temporary
file, then a FileResponse — rather than by the worker: its zip cannot be streamed while it is being
written, and a bounded export (ROW_CEILING) is ready in seconds with no job, progress page or stored
file to clean up, and is written to the access log by the view that answers it. This module reads
no app: the view records the access (timeline.exports).
"""

import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import islice

from django import forms
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# A page is exported by its own address with ?format=xlsx (its filters kept): the same view answers.
FORMAT = "format"
XLSX = "xlsx"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Rows a sheet holds at most: the time the request waits (about 6 s for 50,000 rows of 8 columns on a
# campus server) and the gunicorn worker's 30 s. A company-wide list longer than this is exported a
# campus at a time (the campus filter); the sheet's last row says so.
ROW_CEILING = 50_000
# Rows read from the database at a time (one FETCH of the server-side cursor).
CHUNK = 2_000
# Kept in memory up to this size, on disk beyond.
SPOOL_BYTES = 8 * 2**20

# Excel number formats.
GENERAL = "General"
WHOLE = "0"
HOURS = "0.0"
MONEY = "0.00"
PERCENT = "0%"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"

# What openpyxl refuses in a cell (C0 controls but tab and line breaks), and what a sheet's name.
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010\013\014\016-\037]")
SHEET_NAME_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31
CELL_LENGTH = 32_767
BOLD = Font(bold=True)


@dataclass(frozen=True)
class Typed:
    """A value with its own number format, where one column holds figures of several kinds."""

    value: object
    number_format: str


@dataclass(frozen=True)
class Column:
    """One column of an export: its header (translatable), its value — a row's attribute path
    ("student.full_name", a method such as "get_status_display" is called) or a function of the row
    — and its Excel number format."""

    header: str | Promise
    value: str | Callable[[object], object]
    number_format: str = GENERAL
    width: int | None = None  # in characters; from the header and the format when not given

    def of(self, row) -> object:
        if callable(self.value):
            return self.value(row)
        found = row
        for name in self.value.split("."):
            found = getattr(found, name, None)
            if found is None:
                return None
        return found() if callable(found) else found

    def chars(self) -> int:
        if self.width:
            return self.width
        header = str(self.header)
        shown = sum(2 if ord(ch) > 0x2E7F else 1 for ch in header)  # a Chinese character is two wide
        least = {DATETIME: 17, DATE: 11}.get(self.number_format, 8)
        return max(shown + 2, least)


@dataclass
class Sheet:
    """A table of the workbook: its name, columns and rows (a queryset is read CHUNK rows at a time;
    `each` is applied to each row before its columns are read)."""

    title: str | Promise
    columns: Sequence[Column]
    rows: Iterable
    each: Callable[[object], None] | None = None
    note: str | Promise = ""  # a last row, e.g. what the page leaves out


@dataclass
class Export:
    """A page as a workbook: the page's name, its filters as (label, value) pairs, its sheets."""

    title: str | Promise
    filters: list[tuple[str, str]] = field(default_factory=list)
    sheets: list[Sheet] = field(default_factory=list)

    def heading(self, at: datetime) -> str:
        """The title row: the page, its filters, and when it was exported."""
        parts = [str(self.title)]
        parts += [f"{label}: {value}" for label, value in self.filters]
        parts.append(_("exported %(at)s") % {"at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")})
        return " · ".join(parts)

    def detail(self) -> str:
        """What the access log says was exported: the page and its filters."""
        filters = "; ".join(f"{label}: {value}" for label, value in self.filters)
        return f"{self.title} ({filters})" if filters else str(self.title)

    def filename(self, at: datetime) -> str:
        name = SHEET_NAME_CHARACTERS.sub("", str(self.title)).replace(" ", "_") or "export"
        return f"{name}_{timezone.localtime(at):%Y%m%d_%H%M}.xlsx"


def asked(request) -> bool:
    """Whether the page is asked for as a workbook (?format=xlsx)."""
    return request.GET.get(FORMAT) == XLSX


def filters_shown(form: forms.Form, *, skip: Iterable[str] = ()) -> list[tuple[str, str]]:
    """A valid filter form's chosen values as the page says them: each field's label and its value
    (a choice's label, a record's name, a date); empty fields left out."""
    if not (form.is_bound and form.is_valid()):
        return []
    shown = []
    for name, bound in form.fields.items():
        value = form.cleaned_data.get(name)
        if name in skip or value in (None, "", [], False):
            continue
        shown.append((str(bound.label or name), _shown(bound, value, form.data.get(name))))
    return shown


def _shown(bound: forms.Field, value, raw) -> str:
    if isinstance(bound, forms.ModelChoiceField):
        return str(getattr(value, "display_name", value))
    if isinstance(bound, forms.ChoiceField):
        labels = dict(_flat(bound.choices))
        return str(labels.get(str(raw), labels.get(value, value)))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _flat(choices) -> list[tuple[str, object]]:
    flat = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            flat += _flat(label)
        else:
            flat.append((str(value), label))
    return flat


def sheet_name(title, taken: set[str]) -> str:
    """A name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    name = SHEET_NAME_CHARACTERS.sub(" ", str(title)).strip()[:SHEET_NAME_LENGTH] or "Sheet"
    unique, n = name, 2
    while unique in taken:
        suffix = f" ({n})"
        unique, n = name[: SHEET_NAME_LENGTH - len(suffix)] + suffix, n + 1
    taken.add(unique)
    return unique


def cell_value(value):
    """A row's value as Excel keeps it: local wall-clock times without a zone (Excel has none), texts
    (lazy ones too) without the control characters openpyxl refuses, numbers and dates as they are."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value
    return ILLEGAL_CHARACTERS.sub("", str(value))[:CELL_LENGTH]


def _cell(sheet, value, number_format: str, font=None) -> WriteOnlyCell:
    if isinstance(value, Typed):
        value, number_format = value.value, value.number_format
    if isinstance(value, bool):
        value = _("Yes") if value else _("No")
    cell = WriteOnlyCell(sheet, value=cell_value(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # a name beginning with "=" is a text, never a formula
    elif number_format != GENERAL and cell.value is not None:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


def _rows(sheet: Sheet) -> tuple[Iterable, Callable[[], bool]]:
    """The sheet's rows, at most ROW_CEILING, and whether there were more (once they are read)."""
    rows = sheet.rows
    if isinstance(rows, QuerySet):
        rows = rows[: ROW_CEILING + 1].iterator(chunk_size=CHUNK)
    read = {"n": 0}

    def counted():
        for row in islice(rows, ROW_CEILING + 1):
            read["n"] += 1
            if read["n"] > ROW_CEILING:
                return
            yield row

    return counted(), lambda: read["n"] > ROW_CEILING


def workbook_write(export: Export, file, *, at: datetime) -> int:
    """Writes the export's workbook to `file`; returns the rows written (all sheets)."""
    book = Workbook(write_only=True)
    taken: set[str] = set()
    written = 0
    heading = export.heading(at)
    for sheet in export.sheets or [Sheet(export.title, [], [])]:
        table = book.create_sheet(sheet_name(sheet.title, taken))
        for n, column in enumerate(sheet.columns, start=1):
            table.column_dimensions[get_column_letter(n)].width = column.chars()
        table.freeze_panes = "A3"  # the title and the header stay in view
        table.append([_cell(table, heading, GENERAL, BOLD)])
        table.append([_cell(table, column.header, GENERAL, BOLD) for column in sheet.columns])
        rows, more = _rows(sheet)
        for row in rows:
            if sheet.each is not None:
                sheet.each(row)
            table.append([_cell(table, column.of(row), column.number_format) for column in sheet.columns])
            written += 1
        if more():
            left_out = _("Only the first %(n)s rows are exported: narrow the filters to export the others.")
            table.append([_cell(table, left_out % {"n": f"{ROW_CEILING:,}"}, GENERAL, BOLD)])
        if sheet.note:
            table.append([_cell(table, sheet.note, GENERAL)])
    book.save(file)
    return written


def xlsx_file(export: Export, *, at: datetime | None = None) -> FileResponse:
    """The export as a downloaded workbook, built before the response starts."""
    at = at or timezone.now()
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    try:
        workbook_write(export, file, at=at)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=export.filename(at), content_type=CONTENT_TYPE)
