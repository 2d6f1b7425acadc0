"""The student list as a workbook (?format=xlsx): every row of the page's list with its filters and
scope, Chinese headers as the page's, typed cells, no phone, one access-log entry, a fixed number of
queries; and the campus filter of the company-wide roles."""

import re
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines.services import deadline_open
from students.models import Guardian, Lesson, Student
from tests.deadlines.conftest import at
from tests.exports import XLSX, column, headers, rows, title, workbook
from timeline.models import Access

from .test_list_bounded import NOW, many_students


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def page_names(client, query: dict) -> list[str]:
    """The students of every page of the list, in order, as the pages show them."""
    names, number = [], 1
    while True:
        response = client.get("/students/", {**query, "page": number})
        names += [student.full_name for student in response.context["page"]]
        if not response.context["page"].has_next():
            return names
        number += 1


def page_headers(html: str) -> list[str]:
    return re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', html)


def test_the_export_holds_every_row_of_the_pages_in_their_order(client, company, now):
    made = many_students(company, 75, prefix="甲", late_every=9)
    Lesson.objects.create(
        student=made[3], starts_at=at(2026, 12, 5, 9), ends_at=at(2026, 12, 5, 11), subject="数学", hours=2
    )
    client.force_login(company.director_a)
    expected = page_names(client, {})
    assert len(expected) == 75  # two pages of 50
    sheet = workbook(client.get("/students/", XLSX)).active
    assert column(sheet, "学生") == expected
    assert expected[:9] == [s.full_name for s in made[::9]]  # the late ones first, as on the page
    html = client.get("/students/").content.decode()
    assert headers(sheet) == page_headers(html)[:8]
    assert headers(sheet)[:4] == ["学生", "状态", "年级", "学管师"]
    assert title(sheet).startswith("学生 · 导出于 2026-12-02 10:00")
    assert 'href="?format=xlsx">导出 Excel</a>' in html


def test_the_cells_are_typed_numbers_and_dates(client, company, now):
    (student,) = many_students(company, 1, prefix="乙")
    Lesson.objects.create(
        student=student, starts_at=at(2026, 12, 5, 9), ends_at=at(2026, 12, 5, 11), subject="数学", hours=2
    )
    deadline_open(rule="H4", subject=student, owner=company.manager_a1, start=at(2026, 11, 30, 9, 0))
    client.force_login(company.manager_a1)
    sheet = workbook(client.get("/students/", XLSX)).active
    (row,) = sheet.iter_rows(min_row=3)
    name, status, _grade, manager, hours, lesson, open_deadlines, late = row
    assert (name.value, status.value, manager.value) == ("乙0000", "在读", "王芳")
    assert hours.data_type == "n" and hours.value == 38 and hours.number_format == "0.0"
    assert lesson.is_date and lesson.value == datetime(2026, 12, 5, 9, 0)  # Beijing time, as shown
    assert (open_deadlines.value, late.value) == (1, 1)
    assert sheet.freeze_panes == "A3" and sheet["A2"].font.bold


def test_the_filters_are_kept_and_named(client, company, now):
    many_students(company, 3, prefix="丙")
    Student.objects.filter(full_name="丙0001").update(status="paused")
    client.force_login(company.director_a)
    sheet = workbook(client.get("/students/", {"status": "paused", **XLSX})).active
    assert column(sheet, "学生") == ["丙0001"] and "状态: 暂停" in title(sheet)
    entry = Access.objects.get(action=Access.Action.EXPORT)
    assert entry.actor == company.director_a and entry.campus == company.campus_a
    assert entry.detail == "学生 (状态: 暂停)"


def test_each_reader_exports_their_own_scope(client, company, now):
    many_students(company, 2, prefix="丁")
    many_students(company, 2, prefix="戊", manager=company.manager_b)
    for person, names in (
        ("manager_a1", ["丁0000", "丁0001"]),
        ("manager_a2", []),
        ("director_b", ["戊0000", "戊0001"]),
        ("president", ["丁0000", "丁0001", "戊0000", "戊0001"]),
        ("finance", []),
    ):
        client.force_login(getattr(company, person))
        assert column(workbook(client.get("/students/", XLSX)).active, "学生") == names, person
    client.logout()
    assert client.get("/students/", XLSX).status_code == client.get("/students/").status_code == 302


def test_no_phone_number_is_exported(client, company, now):
    made = many_students(company, 2, prefix="己")
    phones = list(Guardian.objects.filter(student__in=made).values_list("phone", flat=True))
    client.force_login(company.president)
    book = workbook(client.get("/students/", {"q": phones[0], **XLSX}))
    values = " ".join(str(value) for row in rows(book.active) for value in row)
    assert column(book.active, "学生") == [made[0].full_name]
    assert not [phone for phone in phones if phone in values or phone[-4:] in values]


def test_a_company_wide_reader_filters_by_campus_and_a_director_cannot_pick_another(client, company, now):
    many_students(company, 2, prefix="庚")
    many_students(company, 2, prefix="辛", manager=company.manager_b)
    client.force_login(company.president)
    html = client.get("/students/").content.decode()
    assert f'<option value="{company.campus_b.pk}">徐汇校区</option>' in html
    chosen = {"campus": company.campus_b.pk}
    assert [s.full_name for s in client.get("/students/", chosen).context["page"]] == ["辛0000", "辛0001"]
    sheet = workbook(client.get("/students/", {**chosen, **XLSX})).active
    assert column(sheet, "学生") == ["辛0000", "辛0001"] and "校区: 徐汇校区" in title(sheet)
    assert Access.objects.get(action=Access.Action.EXPORT).campus == company.campus_b
    client.force_login(company.director_a)
    assert 'name="campus"' not in client.get("/students/").content.decode()
    response = client.get("/students/", chosen)
    assert response.context["form"].errors["campus"] == ["请选择您可以查看的校区。"]
    assert [s.full_name for s in response.context["page"]] == ["庚0000", "庚0001"]  # never campus B's
    refused = client.get("/students/", {**chosen, **XLSX})
    assert (
        refused["Content-Type"].startswith("text/html")
        and "请修正筛选条件后再导出。" in refused.content.decode()
    )
    assert Access.objects.filter(actor=company.director_a).count() == 0


def test_the_export_runs_the_same_queries_at_10_and_1000_students(
    client, company, now, django_assert_max_num_queries
):
    client.force_login(company.director_a)
    client.get("/students/")  # the first page of a session caches what every page reads
    counts = []
    for size, prefix in ((10, "壬"), (990, "癸")):
        many_students(company, size, prefix=prefix, late_every=7)
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(10):
            sheet = workbook(client.get("/students/", {"hours_below": "50", **XLSX})).active
        counts.append(len(queries))
        assert len(rows(sheet)) == Student.objects.count()
    assert counts[0] == counts[1]
    assert set(column(sheet, "剩余课时")) == {38}
