"""The retention board as a workbook (?format=xlsx): the closed cases, one stage's, or the whole board,
every case the page lists in its order, with its scope and the campus filter of the president."""

import re
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from retention import services
from retention.models import Case
from students.models import Student
from tests.exports import XLSX, column, headers, rows, title, workbook
from timeline.models import Access

from .test_pages import SH, bulk_cases


@pytest.fixture
def student(company, time_machine):
    time_machine.move_to(datetime(2026, 12, 3, 10, 0, tzinfo=SH), tick=False)
    return Student.objects.create(
        full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1, status="active"
    )


@pytest.fixture
def case(company, student):
    return services.case_open(student=student, actor=company.manager_a1, description="家长说孩子不想来了")[0]


def page_rows(client, query: dict) -> list[str]:
    """The students of every page of one stage's (or the closed) list, in order."""
    names, number = [], 1
    while True:
        response = client.get("/retention/", {**query, "page": number})
        names += [case.student.full_name for case in response.context["cases"]]
        if not response.context["cases"].has_next():
            return names
        number += 1


def page_headers(html: str) -> list[str]:
    table = html.split('<thead class="table-light">', 1)[1].split("</thead>", 1)[0]
    return re.findall(r"<th>([^<]*)</th>", table)


def test_a_stage_s_export_holds_every_case_of_its_pages(client, company, student, case, time_machine):
    warning = bulk_cases(company, 70, prefix="W")
    time_machine.move_to(datetime(2026, 12, 7, 10, 0, tzinfo=SH), tick=False)  # the case's E1 is late
    client.force_login(company.supervisor_a)
    expected = page_rows(client, {"stage": "warning"})
    assert expected == ["赵一鸣", *warning[::-1]]
    sheet = workbook(client.get("/retention/", {"stage": "warning", **XLSX})).active
    assert column(sheet, "学生") == expected
    assert headers(sheet)[:4] == ["学生", "类型", "学管师", "提出时间"]
    assert title(sheet).startswith("保单 · 苗头 · 导出于")
    late = rows(sheet)[0]
    assert late[headers(sheet).index("规则")] == "E1"
    assert isinstance(late[headers(sheet).index("截止")], datetime)
    assert column(sheet, "下一步")[0] == "等待学管师稳定家长"
    html = client.get("/retention/", {"stage": "warning"}).content.decode()
    assert 'href="?stage=warning&amp;format=xlsx">导出 Excel</a>' in html


def test_the_closed_cases_export_as_their_list(client, company, student):
    closed = bulk_cases(company, 60, stage="closed", prefix="C")
    client.force_login(company.supervisor_a)
    sheet = workbook(client.get("/retention/", {"closed": "1", **XLSX})).active
    assert column(sheet, "学生") == page_rows(client, {"closed": "1"}) == closed[::-1]
    assert headers(sheet) == page_headers(client.get("/retention/?closed=1").content.decode())
    assert set(column(sheet, "结果")) == {"失单"}


def test_the_board_exports_every_open_case_stage_by_stage(client, company, student, case):
    bulk_cases(company, 60, prefix="W")
    bulk_cases(company, 2, stage="rescue", prefix="R")
    client.force_login(company.director_a)
    sheet = workbook(client.get("/retention/", XLSX)).active
    stages = column(sheet, "环节")
    assert len(stages) == 63 and stages == sorted(stages, key=["苗头", "保单"].index)
    assert column(sheet, "发现的情况")[0] == "家长说孩子不想来了"
    entry = Access.objects.get(action=Access.Action.EXPORT)
    assert (entry.actor, entry.campus, entry.detail) == (
        company.director_a,
        company.campus_a,
        "保单 · 进行中",
    )


def test_the_scope_and_the_roles_are_the_page_s(client, company, student, case):
    bulk_cases(company, 3, campus="b", prefix="B")
    client.force_login(company.director_b)
    assert column(workbook(client.get("/retention/", XLSX)).active, "学生") == [
        "学生B0002",
        "学生B0001",
        "学生B0000",
    ]  # the newest raised first, as on the board
    client.force_login(company.manager_a2)
    assert column(workbook(client.get("/retention/", XLSX)).active, "学生") == []
    for person in ("finance", "teacher_a", "consultant_a"):
        client.force_login(getattr(company, person))
        assert client.get("/retention/", XLSX).status_code == client.get("/retention/").status_code == 403


def test_the_president_filters_by_campus_a_director_cannot(client, company, student, case):
    bulk_cases(company, 2, campus="b", prefix="B")
    client.force_login(company.president)
    html = client.get("/retention/").content.decode()
    assert f'<option value="{company.campus_b.pk}">徐汇校区</option>' in html
    chosen = {"campus": company.campus_b.pk}
    response = client.get("/retention/", {**chosen, "stage": "warning"})
    assert [c.student.full_name for c in response.context["cases"]] == ["学生B0001", "学生B0000"]
    board = client.get("/retention/", chosen).content.decode()
    assert "赵一鸣" not in board and f"?closed=1&amp;campus={company.campus_b.pk}" in board
    sheet = workbook(client.get("/retention/", {**chosen, **XLSX})).active
    assert column(sheet, "学生") == ["学生B0001", "学生B0000"] and "校区: 徐汇校区" in title(sheet)
    assert Access.objects.get(action=Access.Action.EXPORT).campus == company.campus_b
    client.force_login(company.director_a)
    assert 'name="campus"' not in client.get("/retention/").content.decode()
    refused = client.get("/retention/", {**chosen, "stage": "warning"})
    assert refused.context["form"].errors["campus"] == ["请选择您可以查看的校区。"]
    assert [c.student.full_name for c in refused.context["cases"]] == ["赵一鸣"]
    assert "请修正筛选条件后再导出。" in client.get("/retention/", {**chosen, **XLSX}).content.decode()
    assert not Access.objects.filter(actor=company.director_a).exists()


def test_the_export_runs_the_same_queries_at_two_sizes(
    client, company, student, django_assert_max_num_queries
):
    client.force_login(company.director_a)
    client.get("/retention/")  # the content types cached, as after any first page
    counts = []
    for size in (10, 990):
        bulk_cases(company, size, stage="report", prefix=f"{size}-")
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(8):
            sheet = workbook(client.get("/retention/", {"stage": "report", **XLSX})).active
        counts.append(len(queries))
        assert len(rows(sheet)) == Case.objects.filter(stage="report").count()
    assert counts[0] == counts[1]
