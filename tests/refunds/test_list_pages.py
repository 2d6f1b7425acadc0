"""The refund list at company size: what waits for the reader and every refund, each a page of 50 with
its count (the longest waiting first, the newest first), in a fixed number of queries, through an
index."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext

from refunds.models import Refund
from refunds.selectors import refund_rows
from refunds.views import PAGE
from retention.models import Case
from students.models import Student

SH = ZoneInfo("Asia/Shanghai")
BASE = datetime(2026, 12, 1, 9, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(datetime(2026, 12, 3, 10, 0, tzinfo=SH), tick=False)


def make_refunds(company, n, *, campus="a", waiting_role="finance", prefix=""):
    """`n` refunds of lost cases at campus A or B, each submitted a minute before the one made before
    it (so the newest is the first made, and neither order is the ids')."""
    campus, manager = (
        (company.campus_a, company.manager_a1) if campus == "a" else (company.campus_b, company.manager_b)
    )
    students = Student.objects.bulk_create(
        Student(full_name=f"退{prefix}{i:04}", campus=campus, manager=manager) for i in range(n)
    )
    cases = Case.objects.bulk_create(
        Case(
            student=s,
            campus=campus,
            manager=manager,
            source="manager",
            description="x",
            raised_by=manager,
            stage="closed",
            outcome="lost",
        )
        for s in students
    )
    refunds = Refund.objects.bulk_create(
        Refund(
            case=c,
            student=c.student,
            campus=campus,
            applicant="家长",
            applied_on=date(2026, 12, 1),
            reason="不想继续",
            scan="refunds/x.pdf",
            hours_bought=40,
            hours_used=10,
            unit_price=200,
            amount_paid=8000,
            amount=6000,
            chain=["director", "finance", "president"],
            step=1,
            waiting_role=waiting_role,
            submitted_by=company.supervisor_a,
        )
        for c in cases
    )
    ids = [r.pk for r in refunds]
    Refund.objects.filter(pk__in=ids).update(submitted_at=RawSQL("%s - id * interval '1 minute'", [BASE]))
    return students


def names(html: str, section: str) -> list[str]:
    """The students listed in one section of the page ("waiting" or "all-refunds"), top down."""
    part = html.split(f'id="{section}"', 1)[1].split('<h2 id="', 1)[0]
    return re.findall(r"<td>(?:<a [^>]*>)?(退[^<]*)<", part)


def test_each_list_is_a_page_of_50_with_its_count_and_the_next_page(client, company):
    made = [s.full_name for s in make_refunds(company, 120)]  # made[0] the newest, made[-1] the oldest
    client.force_login(company.finance)
    html = client.get("/refunds/").content.decode()
    assert names(html, "waiting") == made[::-1][:PAGE]  # the longest waiting first
    assert names(html, "all-refunds") == made[:PAGE]  # the newest first
    assert re.search(r'id="waiting" class="h5">待您处理 <span class="badge [^"]*">120</span>', html)
    assert re.search(r'id="all-refunds" class="h5">全部退费 <span class="badge [^"]*">120</span>', html)
    assert 'href="?queue_page=2#waiting">下一页</a>' in html
    assert 'href="?page=2#all-refunds">下一页</a>' in html
    # Each list pages on its own and keeps the other's page.
    second = client.get("/refunds/?page=3&queue_page=2").content.decode()
    assert names(second, "waiting") == made[::-1][PAGE : 2 * PAGE]
    assert names(second, "all-refunds") == made[2 * PAGE :]
    assert 'href="?page=3&amp;queue_page=3#waiting">下一页</a>' in second
    assert 'href="?queue_page=2&amp;page=2#all-refunds">上一页</a>' in second


def test_the_page_runs_the_same_queries_for_60_and_600_refunds(
    client, company, django_assert_max_num_queries
):
    client.force_login(company.finance)
    client.get("/refunds/")  # the content types cached, as after any first page
    counts = []
    for size in (60, 540):
        make_refunds(company, size, prefix=f"{size}-")
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(12):
            html = client.get("/refunds/?page=2").content.decode()
        counts.append(len(queries))
        assert len(names(html, "waiting")) == PAGE and len(names(html, "all-refunds")) <= PAGE
    assert counts[0] == counts[1]


def test_a_director_lists_their_campus_only(client, company):
    make_refunds(company, 3, campus="a", waiting_role="director", prefix="A")
    make_refunds(company, 60, campus="b", waiting_role="director", prefix="B")
    client.force_login(company.director_a)
    html = client.get("/refunds/").content.decode()
    assert sorted(names(html, "waiting")) == ["退A0000", "退A0001", "退A0002"]
    assert sorted(names(html, "all-refunds")) == ["退A0000", "退A0001", "退A0002"]
    assert "?page=2" not in html and "?queue_page=2" not in html
    client.force_login(company.director_b)
    html = client.get("/refunds/?page=2&queue_page=2").content.decode()
    assert not [n for n in names(html, "waiting") + names(html, "all-refunds") if n.startswith("退A")]
    assert len(names(html, "all-refunds")) == 10


def test_the_list_reads_the_newest_refunds_through_an_index(company):
    make_refunds(company, 5)
    query = refund_rows(company.finance)[:PAGE]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = query.explain()
    assert "refund_submitted" in plan, plan
