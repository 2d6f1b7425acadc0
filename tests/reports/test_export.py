"""The reports as workbooks (?format=xlsx): each report page's tables, this period beside the previous
one, and each list behind a figure, every row its pages list; the reader's scope and narrowing, the
roles of the page, one access-log entry, and as many queries with ten times the students."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.exports import XLSX, cells, column, headers, rows, title, workbook
from timeline.models import Access

from .conftest import DECEMBER, NOVEMBER
from .test_query_counts import MOST, PAGES, grow


def page_rows(client, path: str, query: dict) -> list[str]:
    """The students of every page of a list behind a figure."""
    names, number = [], 1
    while True:
        page = client.get(path, {**query, "page": number}).context["page"]
        names += [row.student.full_name for row in page]
        if not page.has_next():
            return names
        number += 1


@pytest.mark.parametrize("person", ["supervisor_a", "director_a", "president", "finance"])
def test_every_report_and_list_exports_with_as_many_queries_at_two_sizes(
    client, company, person, django_assert_max_num_queries
):
    client.force_login(getattr(company, person))
    pages = {
        page: query
        for page, query in PAGES.items()
        if person != "finance" or page in ("/reports/", "/reports/retention/", "/reports/retention/refunds/")
    }
    grow(company, 3)
    for page, query in pages.items():  # what a process reads once (content types, the session) aside
        client.get(page, query)
    small = {}
    for page, query in pages.items():
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(MOST):
            workbook(client.get(page, {**query, **XLSX}))
        small[page] = len(queries)
    grow(company, 27)
    for page, query in pages.items():
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(MOST):
            book = workbook(client.get(page, {**query, **XLSX}))
        assert len(queries) == small[page], (person, page)
        assert all(headers(sheet) for sheet in book.worksheets), page
    assert Access.objects.filter(action=Access.Action.EXPORT).count() == 2 * len(pages)


def test_a_list_behind_a_figure_exports_every_row_of_its_pages(client, company):
    grow(company, 30)
    client.force_login(company.director_a)
    query = {**DECEMBER, "figure": "raised"}
    expected = page_rows(client, "/reports/retention/cases/", query)
    assert len(expected) == 60  # two pages of 50: campus A's two managers
    sheet = workbook(client.get("/reports/retention/cases/", {**query, **XLSX})).active
    assert column(sheet, "学生") == expected
    assert headers(sheet) == ["学生", "学管师", "校区", "新增苗头", "环节", "结果", "结果确定日期"]
    assert cells(sheet, "新增苗头")[0].is_date
    assert "时间段: 2026-12-01 – 2026-12-31" in title(sheet) and "对象: 新增苗头" in title(sheet)
    refunds = workbook(client.get("/reports/retention/refunds/", {**DECEMBER, "figure": "paid", **XLSX}))
    amount = cells(refunds.active, "退费金额")[0]
    assert amount.value == 3000 and amount.number_format == "0.00"


def test_a_report_s_table_is_the_page_s_with_the_previous_period_beside(client, company):
    grow(company, 3)
    client.force_login(company.director_a)
    report = client.get("/reports/punctuality/").context["report"]
    book = workbook(client.get("/reports/punctuality/", XLSX))
    by_person, by_week = book.worksheets
    assert (by_person.title, by_week.title) == ("按人员和规则", "按周")
    assert column(by_person, "人员") == [row.label for row in report.rows]
    assert headers(by_person)[1:3] == ["准时率", "准时率 · 上期"]
    rates = cells(by_person, "准时率")
    assert [cell.value for cell in rates] == [row.total.now.rate / 100 for row in report.rows]
    assert rates[0].number_format == "0%"
    assert column(by_person, "准时率 · 上期") == [row.total.before.rate / 100 for row in report.rows]
    assert len(rows(by_week)) == len(report.weeks)
    retention = workbook(client.get("/reports/retention/", XLSX))
    assert [sheet.title for sheet in retention.worksheets] == ["保单案例（按学管师）", "失单原因", "退单"]
    assert column(retention["退单"], "人员")[-1] == "合计"


def test_the_president_narrows_to_a_campus_and_the_entry_says_which(client, company):
    grow(company, 3)
    client.force_login(company.president)
    by_campus = workbook(client.get("/reports/caseload/", XLSX)).worksheets[0]
    assert column(by_campus, "校区") == ["海淀校区", "徐汇校区", "合计"]
    narrowed = workbook(client.get("/reports/caseload/", {"campus": company.campus_b.pk, **XLSX}))
    assert column(narrowed.worksheets[0], "人员") == ["周敏", "合计"]
    assert "校区: 徐汇校区" in title(narrowed.worksheets[0])
    entry = Access.objects.filter(action=Access.Action.EXPORT).latest("pk")
    assert entry.campus == company.campus_b and entry.detail.startswith("报表 · 学生与课时")


def test_finance_exports_the_refunds_only_and_a_wrong_period_is_refused(client, company):
    grow(company, 3)
    client.force_login(company.finance)
    retention = workbook(client.get("/reports/retention/", {**NOVEMBER, **XLSX}))
    assert [sheet.title for sheet in retention.worksheets] == ["退单"]
    overview = workbook(client.get("/reports/", XLSX)).active
    assert column(overview, "指标") == ["申请退费", "申请退费金额", "已退款", "已退金额"]
    for page in ("/reports/punctuality/", "/reports/caseload/", "/reports/retention/cases/"):
        assert client.get(page, {**DECEMBER, **XLSX}).status_code == client.get(page, DECEMBER).status_code
        assert client.get(page, {**DECEMBER, **XLSX}).status_code == 403
    client.force_login(company.director_a)
    refused = client.get("/reports/renewal/", {"from": "2026-12-10", "to": "2026-12-01", **XLSX})
    assert refused["Content-Type"].startswith("text/html")
    assert "请修正筛选条件后再导出。" in refused.content.decode()
    outside = client.get("/reports/retention/cases/", {**DECEMBER, "figure": "raised", "campus": 1, **XLSX})
    assert outside.status_code == 404  # as the list itself
