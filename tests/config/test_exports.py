"""The shared export module (config/exports.py): typed cells, the title and header rows, texts kept
as texts, the row ceiling, a queryset read in chunks through one query, the filters named."""

import io
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from config import exports
from config.exports import Column, Export, Sheet, Typed, filters_shown, sheet_name, workbook_write
from students.models import Student
from tests.exports import headers, rows, title

SH = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 12, 2, 10, 30, tzinfo=SH)


def written(export: Export):
    file = io.BytesIO()
    workbook_write(export, file, at=AT)
    file.seek(0)
    return load_workbook(file)


COLUMNS = (
    Column(_("Student"), "name"),
    Column("金额", "money", exports.MONEY),
    Column("日期", "day", exports.DATE),
    Column("时间", "at", exports.DATETIME),
    Column("课时", lambda row: row.hours, exports.HOURS),
    Column("是否", "flag"),
    Column("状态", "label"),
)


def row(**values):
    base = {
        "name": "陈子涵",
        "money": Decimal("1234.50"),
        "day": date(2026, 12, 1),
        "at": datetime(2026, 12, 1, 8, 5, tzinfo=ZoneInfo("UTC")),
        "hours": Decimal("7.5"),
        "flag": True,
        "label": _("Status"),
    }
    return SimpleNamespace(**{**base, **values})


def test_cells_are_typed_and_the_header_is_bold_and_frozen():
    book = written(Export("学生", [("状态", "在读")], [Sheet("学生", COLUMNS, [row()])]))
    sheet = book["学生"]
    assert title(sheet) == "学生 · 状态: 在读 · 导出于 2026-12-02 10:30"
    assert headers(sheet) == ["学生", "金额", "日期", "时间", "课时", "是否", "状态"]
    assert sheet["A1"].font.bold and sheet["A2"].font.bold and sheet.freeze_panes == "A3"
    name, money, day, at, hours, flag, label = sheet[3]
    assert name.value == "陈子涵" and name.data_type == "s"
    assert money.value == Decimal("1234.5") and money.data_type == "n" and money.number_format == "0.00"
    assert day.is_date and day.value == datetime(2026, 12, 1) and day.number_format == "yyyy-mm-dd"
    assert at.is_date and at.value == datetime(2026, 12, 1, 16, 5)  # UTC 08:05 is 16:05 in Beijing
    assert (hours.value, hours.number_format) == (Decimal("7.5"), "0.0")
    assert (flag.value, label.value) == ("是", "状态")
    assert sheet.column_dimensions["A"].width >= 6 and sheet.column_dimensions["D"].width >= 17


def test_a_text_is_never_a_formula_and_loses_its_control_characters():
    book = written(
        Export("学生", [], [Sheet("学生", COLUMNS[:1], [row(name='=HYPERLINK("x")\x00张\x1f三')])])
    )
    cell = book.active["A3"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("x")张三'


def test_empty_values_are_empty_cells_and_a_value_may_carry_its_format():
    sheet = Sheet(
        "学生",
        (Column("数", "n", exports.WHOLE),),
        [SimpleNamespace(n=None), SimpleNamespace(n=Typed(0.5, "0%"))],
    )
    cells = [r[0] for r in written(Export("学生", [], [sheet])).active.iter_rows(min_row=3)]
    assert cells[0].value is None
    assert (cells[1].value, cells[1].number_format) == (0.5, "0%")


def test_beyond_the_ceiling_the_last_row_says_what_was_left_out(monkeypatch):
    monkeypatch.setattr(exports, "ROW_CEILING", 3)
    book = written(
        Export("学生", [], [Sheet("学生", COLUMNS[:1], [row(name=str(n)) for n in range(5)], note="备注")])
    )
    assert rows(book.active) == [
        ("0",),
        ("1",),
        ("2",),
        ("仅导出了前 3 行：请缩小筛选范围以导出其余的行。",),
        ("备注",),
    ]
    exactly = written(Export("学生", [], [Sheet("学生", COLUMNS[:1], [row(name=str(n)) for n in range(3)])]))
    assert rows(exactly.active) == [("0",), ("1",), ("2",)]


@pytest.mark.django_db
def test_a_queryset_is_read_in_chunks_through_one_query(monkeypatch, company):
    monkeypatch.setattr(exports, "CHUNK", 7)
    Student.objects.bulk_create(Student(full_name=f"学生{n:03}", campus=company.campus_a) for n in range(50))
    sheet = Sheet("学生", (Column(_("Student"), "full_name"),), Student.objects.order_by("full_name"))
    with CaptureQueriesContext(connection) as queries:
        book = written(Export("学生", [], [sheet]))
    assert [name for (name,) in rows(book.active)] == [f"学生{n:03}" for n in range(50)]
    assert len(queries) == 1


def test_sheet_names_are_what_excel_accepts_and_unique():
    taken = set()
    assert sheet_name("报表 · 准时率/按周: [全部]?", taken) == "报表 · 准时率 按周   全部"
    assert sheet_name("报表 · 准时率/按周: [全部]?", taken) == "报表 · 准时率 按周   全部 (2)"
    assert len(sheet_name("长" * 40, taken)) == 31


class Filters(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), ("active", "在读")])
    since = forms.DateField(label="从", required=False)
    q = forms.CharField(label="姓名", required=False)


def test_the_filters_are_named_as_the_page_names_them():
    form = Filters({"status": "active", "since": "2026-12-01", "q": ""})
    assert filters_shown(form) == [("状态", "在读"), ("从", "2026-12-01")]
    assert filters_shown(Filters({"status": "nope"})) == []  # a wrong form names nothing
    export = Export("学生", filters_shown(form))
    assert export.detail() == "学生 (状态: 在读; 从: 2026-12-01)"
    assert export.filename(AT) == "学生_20261202_1030.xlsx"
