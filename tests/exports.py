"""Reading the workbooks of the exports (config/exports.py) in the tests: the response's bytes opened
with openpyxl, the title row, the header row and the rows below."""

import io

from openpyxl import load_workbook

from config.exports import CONTENT_TYPE

XLSX = {"format": "xlsx"}


def workbook(response):
    """The workbook a response sends (its whole body read)."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def title(sheet) -> str:
    return sheet.cell(row=1, column=1).value


def headers(sheet) -> list[str]:
    return [cell.value for cell in sheet[2]]


def rows(sheet) -> list[tuple]:
    """The rows below the header, as values."""
    return [row for row in sheet.iter_rows(min_row=3, values_only=True)]


def column(sheet, header: str) -> list:
    """One column's values, by its header."""
    index = headers(sheet).index(header)
    return [row[index] for row in rows(sheet)]


def cells(sheet, header: str) -> list:
    """One column's cells (their types and number formats), by its header."""
    index = headers(sheet).index(header)
    return [row[index] for row in sheet.iter_rows(min_row=3)]
