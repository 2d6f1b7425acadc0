"""The access log as a workbook (?format=xlsx): every entry of the page's filters and scope, newest
first, its times as times; an export is itself an entry, written once the workbook is built."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from students.models import Student
from tests.exports import XLSX, cells, column, headers, rows, title, workbook
from timeline.models import Access

SH = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 12, 1, 9, 0, tzinfo=SH)


def entries(company, n: int, *, campus=None, actor=None, name="陈子涵") -> Student:
    campus, actor = campus or company.campus_a, actor or company.manager_a1
    student = Student.objects.create(full_name=name, campus=campus)
    made = Access.objects.bulk_create(
        Access(actor=actor, action=Access.Action.FILE_OPENED, campus=campus, student=student)
        for _ in range(n)
    )
    for i, entry in enumerate(made):
        entry.at = AT + timedelta(minutes=i)
    Access.objects.bulk_update(made, ["at"])
    return student


def test_the_log_exports_every_entry_of_its_filters_newest_first(client, company, time_machine):
    time_machine.move_to(datetime(2026, 12, 3, 10, 0, tzinfo=SH), tick=False)
    entries(company, 70)
    entries(company, 3, name="林浩然")
    entries(company, 4, campus=company.campus_b, actor=company.manager_b, name="周子墨")
    client.force_login(company.director_a)
    query = {"student": "陈子涵"}
    page = [e.pk for n in (1, 2) for e in client.get("/access-log/", {**query, "page": n}).context["page"]]
    sheet = workbook(client.get("/access-log/", {**query, **XLSX})).active
    assert len(rows(sheet)) == len(page) == 70
    assert headers(sheet) == ["时间", "谁", "做了什么", "学生", "对象"]
    when = cells(sheet, "时间")
    assert when[0].is_date and when[0].value == datetime(2026, 12, 1, 10, 9)  # the newest, Beijing time
    assert set(column(sheet, "学生")) == {"陈子涵"} and set(column(sheet, "谁")) == {"王芳"}
    assert "学生: 陈子涵" in title(sheet)
    (entry,) = Access.objects.filter(action=Access.Action.EXPORT)
    assert (entry.actor, entry.campus, entry.detail) == (
        company.director_a,
        company.campus_a,
        "访问记录 (学生: 陈子涵)",
    )
    everything = workbook(client.get("/access-log/", XLSX)).active
    assert "周子墨" not in column(everything, "学生") and column(everything, "做了什么")[0] == "导出"


def test_only_the_log_s_readers_export_it(client, company):
    for person in ("manager_a1", "supervisor_a", "finance", "president"):
        client.force_login(getattr(company, person))
        assert client.get("/access-log/", XLSX).status_code == client.get("/access-log/").status_code == 403
    client.force_login(company.admin)
    assert workbook(client.get("/access-log/", XLSX)).active is not None
    assert Access.objects.get(action=Access.Action.EXPORT).campus is None  # the company's


def test_a_wrong_date_is_said_and_not_exported(client, company):
    client.force_login(company.director_a)
    refused = client.get("/access-log/", {"since": "9999-01-01", **XLSX})
    assert refused["Content-Type"].startswith("text/html")
    assert "请修正筛选条件后再导出。" in refused.content.decode()
    assert not Access.objects.exists()


def test_the_export_runs_the_same_queries_at_two_sizes(client, company, django_assert_max_num_queries):
    client.force_login(company.director_a)
    client.get("/access-log/")
    counts = []
    for size in (10, 990):
        entries(company, size)
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(8):
            sheet = workbook(client.get("/access-log/", XLSX)).active
        counts.append(len(queries))
        assert len(rows(sheet)) == Access.objects.filter(campus=company.campus_a).count() - 1  # not itself
    assert counts[0] == counts[1]
