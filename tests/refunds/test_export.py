"""The refund list as a workbook (?format=xlsx): what waits for the reader and every refund, two sheets
of every row of the page's two lists, amounts as money; the campus filter of finance and the
president, through an index."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from refunds.models import Refund
from refunds.selectors import refund_rows
from refunds.views import PAGE
from tests.exports import XLSX, cells, column, headers, rows, title, workbook
from timeline.models import Access

from .test_list_pages import make_refunds, names, now  # noqa: F401 (the time fixture)


def all_pages(client, list_name: str, param: str, query: dict | None = None) -> list[str]:
    """The students of every page of one list of the page ("waiting" or "all-refunds")."""
    found, number = [], 1
    while True:
        response = client.get("/refunds/", {**(query or {}), param: number})
        found += names(response.content.decode(), list_name)
        page = response.context["queue" if list_name == "waiting" else "refunds"]
        if not page.has_next():
            return found
        number += 1


def test_both_lists_export_every_row_in_the_page_s_order(client, company):
    made = [s.full_name for s in make_refunds(company, 120)]
    client.force_login(company.finance)
    book = workbook(client.get("/refunds/", XLSX))
    waiting, every = book.worksheets
    assert (waiting.title, every.title) == ("待您处理", "全部退费")
    assert column(waiting, "学生") == all_pages(client, "waiting", "queue_page") == made[::-1]
    assert column(every, "学生") == all_pages(client, "all-refunds", "page") == made
    assert headers(every)[:5] == ["学生", "校区", "退费金额", "提交时间", "状态"]
    amount = cells(every, "退费金额")[0]
    assert amount.value == Decimal("6000") and amount.number_format == "0.00" and amount.data_type == "n"
    assert cells(every, "提交时间")[0].is_date
    assert set(column(every, "等待")) == {"财务"}
    assert title(every).startswith("退单 · 导出于")


def test_a_supervisor_exports_the_refunds_they_see_without_a_queue(client, company):
    make_refunds(company, 2, prefix="A")
    make_refunds(company, 2, campus="b", prefix="B")
    client.force_login(company.supervisor_a)
    html = client.get("/refunds/").content.decode()
    assert 'id="waiting"' not in html and "导出 Excel" in html
    (every,) = workbook(client.get("/refunds/", XLSX)).worksheets
    assert column(every, "学生") == ["退A0000", "退A0001"]
    entry = Access.objects.get(action=Access.Action.EXPORT)
    assert (entry.actor, entry.campus, entry.detail) == (company.supervisor_a, company.campus_a, "退单")
    for person in ("manager_a1", "teacher_a", "admin"):
        client.force_login(getattr(company, person))
        assert client.get("/refunds/", XLSX).status_code == client.get("/refunds/").status_code == 403


def test_finance_filters_by_campus_and_a_director_cannot(client, company):
    make_refunds(company, 2, prefix="A", waiting_role="director")
    make_refunds(company, 3, campus="b", prefix="B", waiting_role="director")
    client.force_login(company.president)
    assert (
        f'<option value="{company.campus_b.pk}">徐汇校区</option>' in client.get("/refunds/").content.decode()
    )
    client.force_login(company.finance)
    chosen = {"campus": company.campus_b.pk}
    html = client.get("/refunds/", chosen).content.decode()
    assert names(html, "all-refunds") == ["退B0000", "退B0001", "退B0002"]
    waiting, every = workbook(client.get("/refunds/", {**chosen, **XLSX})).worksheets
    assert column(every, "学生") == ["退B0000", "退B0001", "退B0002"] and column(waiting, "学生") == []
    assert "校区: 徐汇校区" in title(every)
    assert Access.objects.get(action=Access.Action.EXPORT).campus == company.campus_b
    client.force_login(company.director_a)
    response = client.get("/refunds/", chosen)
    assert response.context["form"].errors["campus"] == ["请选择您可以查看的校区。"]
    assert names(response.content.decode(), "all-refunds") == ["退A0000", "退A0001"]
    refused = client.get("/refunds/", {**chosen, **XLSX})
    assert "请修正筛选条件后再导出。" in refused.content.decode()
    assert f'href="?campus={company.campus_b.pk}&amp;format=xlsx"' in refused.content.decode()
    assert not Access.objects.filter(actor=company.director_a).exists()


def test_one_campus_s_list_is_read_through_an_index(company):
    make_refunds(company, 5)
    query = refund_rows(company.finance, campus_id=company.campus_a.pk)[:PAGE]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = query.explain()
    assert "refund_campus_submitted" in plan, plan


def test_the_export_runs_the_same_queries_at_two_sizes(client, company, django_assert_max_num_queries):
    client.force_login(company.finance)
    client.get("/refunds/")  # the content types cached, as after any first page
    counts = []
    for size in (10, 990):
        make_refunds(company, size, prefix=f"{size}-")
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(8):
            waiting, every = workbook(client.get("/refunds/", XLSX)).worksheets
        counts.append(len(queries))
        assert len(rows(every)) == len(rows(waiting)) == Refund.objects.count()
    assert counts[0] == counts[1]
