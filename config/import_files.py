"""An uploaded table (contracts, people's WeCom accounts) as text, whatever saved it: Excel's .xlsx,
or CSV in the encodings a Chinese Windows PC writes (UTF-8 with or without BOM, GBK / GB18030,
UTF-16 from "Unicode text").

An .xlsx is known by its content (a zip holding xl/workbook.xml), not its name; its first sheet is
turned into CSV text, so the job keeps one kind of content and the worker one parser. Reads nothing
of the database: the upload form calls it, and refuses the file with its message.
"""

import csv
import io
import re
import zipfile
from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

MAX_BYTES = 5 * 1024 * 1024
MAX_COLUMNS = 30
MAX_ROWS = 5000  # rows (contracts, people) a file holds at most
# A run of blank rows this long ends a sheet's data (Excel formats whole columns down to row 1048576);
# rows read at most, blank ones included, so a sheet of gaps cannot keep the request busy.
BLANK_RUN_END = 1000
MAX_SHEET_ROWS = 3 * MAX_ROWS
# What the zip may unpack to: a 5 MB upload that unpacks to gigabytes is a zip bomb, not contracts.
MAX_UNPACKED = 60 * 1024 * 1024
# Bytes no text editor or spreadsheet writes into a CSV: the file is a program, an image or the like.
# C1 controls and line separators are left to each cell's own check, which names the row and column.
BINARY = re.compile("[\x00-\x08\x0e-\x1f]")
BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def upload_text(data: bytes) -> str:
    """The file's rows as CSV text; a ValidationError with the reason when it is none of the formats."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 5 MB."))
    if _is_xlsx(data):
        return rows_text(xlsx_rows(data))
    if data.startswith(OLE2):
        raise ValidationError(
            _("Old Excel files (.xls) are not read. In Excel, save it as .xlsx and try again.")
        )
    text = decode(data)
    if BINARY.search(text):
        raise ValidationError(_("This is not a CSV text file."))
    return text


def decode(data: bytes) -> str:
    """Bytes to text: by the BOM, else UTF-16 by its zero bytes, else UTF-8, else GB18030 (which
    contains GBK and GB2312); refused when none decodes the whole file."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            return _decoded(data, codec)
    for codec in (_utf16_without_bom(data), "utf-8", "gb18030"):
        if codec is None:
            continue
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        _(
            "The file's encoding is not recognised. In Excel, save it as “CSV UTF-8 (comma delimited)” "
            "or as .xlsx and try again."
        )
    )


def _decoded(data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        raise ValidationError(
            _("The file says it is %(codec)s text but is not. Save it again and try again.")
            % {"codec": codec.upper().removesuffix("-SIG")}
        ) from None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without its BOM: the separators, digits and Latin letters of a CSV have a zero high
    byte, so zeros gather on one side of each pair (a few on the other: 一 is U+4E00)."""
    head = data[:2000]
    if len(head) < 4 or b"\x00" not in head:
        return None
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if odd > len(head) // 8 and odd > 4 * even:
        return "utf-16-le"
    if even > len(head) // 8 and even > 4 * odd:
        return "utf-16-be"
    return None


def _is_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def xlsx_rows(data: bytes) -> list[list[str]]:
    """The first sheet's rows, each cell as text, blank rows kept so row numbers stay Excel's."""
    unreadable = _("The Excel file cannot be read. Open it in Excel, save it as .xlsx and try again.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(member.file_size for member in archive.infolist()) > MAX_UNPACKED:
                raise ValidationError(_("The Excel file is too large once unpacked."))
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ValidationError:
        raise
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ValidationError(unreadable) from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong sheet size; read what is there
        return _sheet_rows(sheet)
    except ValidationError:
        raise
    except Exception:
        raise ValidationError(unreadable) from None
    finally:
        book.close()


def _sheet_rows(sheet) -> list[list[str]]:
    rows: list[list[str]] = []
    blanks = 0
    for read, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)):
        if read >= MAX_SHEET_ROWS:
            raise ValidationError(too_many_rows())
        cells = [cell_text(value) for value in values]
        if not any(cells):
            blanks += 1
            if blanks >= BLANK_RUN_END:
                break
            continue
        if len(cells) > MAX_COLUMNS and any(cells[MAX_COLUMNS:]):
            raise ValidationError(too_many_columns())
        rows.extend([] for _ in range(blanks))
        blanks = 0
        rows.append(_trimmed(cells[:MAX_COLUMNS]))
    return rows


def too_many_columns() -> str:
    return _("The file has more than %(max)d columns.") % {"max": MAX_COLUMNS}


def too_many_rows() -> str:
    return _("At most %(max)d contracts per file.") % {"max": MAX_ROWS}


def _trimmed(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    return cells


def cell_text(value) -> str:
    """A cell as a person reads it in Excel: dates as 2026-11-30 10:00, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float):
        return _float_text(value)
    return str(value)


def _float_text(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    shown = f"{value:.15g}"  # what Excel shows: 0.1 + 0.2 is 0.3
    return shown if "e" not in shown else format(Decimal(repr(value)), "f")


def rows_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def text_rows(text: str) -> list[list[str]]:
    """CSV text to rows. csv.reader over a StringIO with newline="" breaks records only at CR and LF
    outside quotes: a cell holding U+2028, U+2029 or U+0085 stays in its row (str.splitlines would
    cut it). Excel's "Unicode text" is tab-separated: the header line tells."""
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
