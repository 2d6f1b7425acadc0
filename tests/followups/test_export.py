"""The follow-up lists as workbooks (?format=xlsx): the renewal list and the callbacks due this week,
every row of their pages, the manager's column for those the page shows it to, typed cells, one
access-log entry and a fixed number of queries."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followups.selectors import renewal_list
from tests.exports import XLSX, cells, column, headers, rows, title, workbook
from timeline.models import Access

from .conftest import at
from .test_exams_bounds import exam_of
from .test_followup_pages import students_with_hours
from .test_list_due import DUE, callback_for


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)


def test_the_renewal_list_exports_every_row_of_its_pages(client, company):
    students_with_hours(company, 130, manager=company.manager_a1, prefix="甲")
    students_with_hours(company, 3, manager=company.manager_a2, prefix="乙", hours_left=Decimal(3))
    client.force_login(company.supervisor_a)
    expected, number = [], 1
    while True:  # pages of 100
        page = client.get("/followups/", {"page": number}).context["page"]
        expected += [student.full_name for student in page]
        if not page.has_next():
            break
        number += 1
    sheet = workbook(client.get("/followups/", XLSX)).active
    assert column(sheet, "学生") == expected and len(expected) == 133
    assert headers(sheet)[:4] == ["学生", "状态", "学管师", "剩余课时"]
    assert title(sheet).startswith("续费名单 · 导出于 2026-12-01 10:00")
    hours = cells(sheet, "剩余课时")[0]
    first = client.get("/followups/").context["page"][0]
    assert (hours.value, hours.number_format, hours.data_type) == (float(first.hours_left), "0.0", "n")
    assert cells(sheet, "预计用完")[0].is_date and column(sheet, "答复")[0] == "尚未沟通"
    assert column(sheet, "每周课时")[0] == float(first.recent_hours / 4)


def test_a_learning_manager_s_export_has_no_manager_column(client, company):
    students_with_hours(company, 2, manager=company.manager_a1, prefix="甲")
    students_with_hours(company, 2, manager=company.manager_a2, prefix="乙")
    client.force_login(company.manager_a1)
    sheet = workbook(client.get("/followups/", {"all": "1", **XLSX})).active
    assert "学管师" not in headers(sheet) and column(sheet, "学生") == ["甲0000", "甲0001"]
    assert "学生: 全部在读学生" in title(sheet)
    entry = Access.objects.get(action=Access.Action.EXPORT)
    assert (entry.actor, entry.campus) == (company.manager_a1, company.campus_a)
    for person in ("finance", "teacher_a", "president"):
        client.force_login(getattr(company, person))
        assert client.get("/followups/", XLSX).status_code == client.get("/followups/").status_code == 403


def test_the_callbacks_due_export_as_their_page(client, company):
    late = callback_for(company.manager_a1, "迟回访", at(2026, 11, 20, 9, 0))
    callback_for(company.manager_a2, "同组回访", at(2026, 11, 30, 9, 0))
    callback_for(company.manager_b, "外校回访", at(2026, 11, 30, 9, 0))
    client.force_login(company.supervisor_a)
    page = [d.student.full_name for d in client.get(DUE).context["page"]]
    sheet = workbook(client.get("/followups/", {"due": "week", **XLSX})).active
    assert column(sheet, "学生") == page == ["迟回访", "同组回访"]
    assert headers(sheet) == ["学生", "学管师", "规则", "待办事项", "时间", "已逾期"]
    assert column(sheet, "已逾期") == ["是", "否"] and column(sheet, "规则") == ["L4", "L4"]
    due = cells(sheet, "时间")[0]
    assert due.is_date and due.value == timezone.localtime(late.due_at).replace(tzinfo=None)
    one = workbook(client.get("/followups/", {"due": "week", "manager": company.manager_a2.pk, **XLSX}))
    assert column(one.active, "学生") == ["同组回访"] and "学管师: 李娜" in title(one.active)
    html = client.get(DUE).content.decode()
    assert 'href="?due=week&amp;format=xlsx">导出 Excel</a>' in html


def test_a_manager_outside_the_scope_is_said_and_not_exported(client, company):
    callback_for(company.manager_a1, "迟回访", at(2026, 11, 20, 9, 0))
    client.force_login(company.supervisor_a)
    response = client.get("/followups/", {"due": "week", "manager": company.manager_b.pk})
    assert "manager" in response.context["form"].errors
    assert [d.student.full_name for d in response.context["page"]] == ["迟回访"]  # still this week's
    refused = client.get("/followups/", {"due": "week", "manager": company.manager_b.pk, **XLSX})
    assert "请修正筛选条件后再导出。" in refused.content.decode()


def test_the_export_runs_the_same_queries_at_two_sizes(client, company, django_assert_max_num_queries):
    client.force_login(company.director_a)
    client.get("/followups/")  # the first page of a session caches what every page reads
    counts = []
    for size, prefix in ((10, "丙"), (990, "丁")):
        students_with_hours(company, size, manager=company.manager_a1, prefix=prefix)
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(8):
            sheet = workbook(client.get("/followups/", XLSX)).active
        counts.append(len(queries))
        assert len(rows(sheet)) == renewal_list(company.director_a).count()
    assert counts[0] == counts[1]


def test_the_exam_calendar_exports_its_students_exam_by_exam(client, company, time_machine):
    time_machine.move_to(at(2026, 9, 28, 10, 0), tick=False)  # the L5 of 20 September is late
    exam, late_first = exam_of(company, 130)
    _, others = exam_of(company, 3, manager=company.manager_a2, prefix="李", day=21)
    client.force_login(company.director_a)
    one = [
        name
        for page in (1, 2)
        for name in re.findall(
            r'#scores">([^<]*)</a>',
            client.get(f"/followups/exams/?exam={exam.pk}&page={page}").content.decode(),
        )
    ]
    sheet = workbook(client.get("/followups/exams/", {"exam": exam.pk, **XLSX})).active
    assert column(sheet, "学生") == one == late_first
    assert headers(sheet) == ["考试日期", "考试", "学校", "年级", "学生", "学管师", "成绩任务", "截止"]
    assert column(sheet, "成绩任务")[0] == "进行中" and column(sheet, "成绩任务")[-1] == "已完成"  # as shown
    assert cells(sheet, "考试日期")[0].is_date and set(column(sheet, "年级")) == {"初二"}
    calendar = workbook(client.get("/followups/exams/", XLSX)).active  # the second concerns all 133
    days = [day.date() for day in column(calendar, "考试日期")]
    assert days == [date(2026, 9, 21)] * 133 + [date(2026, 9, 20)] * 130  # the newest exam first
    client.force_login(company.manager_a2)
    mine = workbook(client.get("/followups/exams/", XLSX)).active
    assert column(mine, "学生") == sorted(others)  # the exam of the 21st, none late yet: by name
    assert client.get("/followups/exams/", {"exam": 99_999, **XLSX}).status_code == 404
    client.force_login(company.teacher_a)
    assert client.get("/followups/exams/", XLSX).status_code == 403
