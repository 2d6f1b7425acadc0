"""A list or a report of the product as an Excel workbook (.xlsx), the way campus offices work.

Each list declares its columns once (`Column`: the header, as the page's own table heads it and so
translated; where the value is read from; its Excel number format), and its page's view hands the
same rows it pages — the same selector, filters and scope — to `xlsx_file`: every row, not the page,
read in chunks of CHUNK rows through a server-side cursor (a fixed number of queries whatever the
list's length); a sheet longer than Excel holds says in its last row what was left out. A sheet
opens with a title row naming the page, its filters and the time of the export, then the bold
header row, frozen; dates are dates, money numbers with two decimals.

Up to ROW_CEILING rows a sheet, the workbook is built while the request waits — openpyxl's write-only
mode to a spooled temporary file, then a FileResponse: its zip cannot be streamed while it is being
written, and such an export is ready in seconds with no job, progress page or stored file to clean
up. A longer one (`rows_over`, a count bounded at the ceiling) is built by the worker instead, by
the same view (timeline.export_jobs): `workbook_write` with the ceiling lifted to what a sheet of
Excel holds, reporting its progress. This module reads no app: the view records the access
(timeline.exports).
"""

import re
import tempfile
from collections.abc import Callable, Iterable, Sequence, Sized
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

# Rows a sheet built while the request waits holds at most: the time it waits (about 6 s for 50,000
# rows of 8 columns on a campus server) and the gunicorn worker's 30 s. A longer export is the worker's.
ROW_CEILING = 50_000
# What a sheet of Excel holds, and so the worker's ceiling: its rows less the title, the header, the
# row saying what was left out and the sheet's note.
SHEET_ROWS = 1_048_576
BUILT_CEILING = SHEET_ROWS - 4
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


def _rows(sheet: Sheet, ceiling: int) -> tuple[Iterable, Callable[[], bool]]:
    """The sheet's rows, at most `ceiling`, and whether there were more (once they are read)."""
    rows = sheet.rows
    if isinstance(rows, QuerySet):
        rows = rows[: ceiling + 1].iterator(chunk_size=CHUNK)
    read = {"n": 0}

    def counted():
        for row in islice(rows, ceiling + 1):
            read["n"] += 1
            if read["n"] > ceiling:
                return
            yield row

    return counted(), lambda: read["n"] > ceiling


def _bounded(rows, ceiling: int) -> int | None:
    """How many rows, counting no further than one past the ceiling; None for rows that only a read
    would count (a generator)."""
    if isinstance(rows, QuerySet):
        return rows[: ceiling + 1].count()
    if isinstance(rows, Sized):
        return min(len(rows), ceiling + 1)
    return None


def rows_over(export: Export) -> int | None:
    """The export's rows (each sheet's counted no further than one past ROW_CEILING) when a sheet
    holds more than ROW_CEILING — the worker builds it — else None. One query a sheet of a queryset."""
    counts = [_bounded(sheet.rows, ROW_CEILING) for sheet in export.sheets]
    if any(n is not None and n > ROW_CEILING for n in counts):
        return sum(n or 0 for n in counts)
    return None


def rows_counted(export: Export) -> int:
    """The export's rows as the worker writes them: each sheet counted in full, up to BUILT_CEILING."""
    return sum(min(_bounded(sheet.rows, BUILT_CEILING) or 0, BUILT_CEILING) for sheet in export.sheets)


def workbook_write(
    export: Export,
    file,
    *,
    at: datetime,
    ceiling: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Writes the export's workbook to `file`; returns the rows written (all sheets). `ceiling`: rows
    a sheet holds (ROW_CEILING unless given); `progress` is told the rows written every CHUNK rows."""
    ceiling = ROW_CEILING if ceiling is None else ceiling
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
        rows, more = _rows(sheet, ceiling)
        for row in rows:
            if sheet.each is not None:
                sheet.each(row)
            table.append([_cell(table, column.of(row), column.number_format) for column in sheet.columns])
            written += 1
            if progress is not None and written % CHUNK == 0:
                progress(written)
        if more():
            left_out = _("Only the first %(n)s rows are exported: narrow the filters to export the others.")
            table.append([_cell(table, left_out % {"n": f"{ceiling:,}"}, GENERAL, BOLD)])
        if sheet.note:
            table.append([_cell(table, sheet.note, GENERAL)])
    book.save(file)
    return written


def spooled_workbook(export: Export, *, at: datetime, **options) -> tuple[tempfile.SpooledTemporaryFile, int]:
    """The export's workbook in a spooled temporary file, read from its start (the caller closes it),
    and the rows written. `options`: workbook_write's ceiling and progress."""
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the caller closes it)
    try:
        written = workbook_write(export, file, at=at, **options)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return file, written


def xlsx_file(export: Export, *, at: datetime | None = None) -> FileResponse:
    """The export as a downloaded workbook, built before the response starts."""
    at = at or timezone.now()
    file, _written = spooled_workbook(export, at=at)  # the response closes the file
    return FileResponse(file, as_attachment=True, filename=export.filename(at), content_type=CONTENT_TYPE)
