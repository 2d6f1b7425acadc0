"""The handover list as a workbook (?format=xlsx): every handover of the reader's scope in the list's
order, each step as its badge says it; one access-log entry; a fixed number of queries."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from handover.models import Handover
from students.models import Contract, Student
from students.services import student_assign
from tests.exports import XLSX, column, headers, rows, title, workbook
from timeline.models import Access

from .test_handover import REVIEW, SH, url


@pytest.fixture
def handover(company, time_machine):
    """Signed Friday 4 Dec 10:00, assigned at once (as tests/handover/test_handover.py's)."""
    time_machine.move_to(datetime(2026, 12, 4, 10, 0, tzinfo=SH), tick=False)
    student = Student.objects.create(full_name="赵一鸣", campus=company.campus_a)
    Contract.objects.create(
        student=student,
        number="HD-1",
        signed_at=datetime(2026, 12, 4, 10, 0, tzinfo=SH),
        consultant=company.consultant_a,
        subjects="数学",
        hours=Decimal(40),
        unit_price=Decimal(200),
        amount=Decimal(8000),
    )
    student_assign(student=student, manager=company.manager_a1, actor=company.supervisor_a)
    return Handover.objects.get()


def page_names(client) -> list[str]:
    names, number = [], 1
    while True:
        page = client.get("/handover/", {"page": number}).context["handovers"]
        names += [h.student.full_name for h in page]
        if not page.has_next():
            return names
        number += 1


def many_handovers(company, n: int, prefix: str, *, manager=None) -> None:
    """n handovers of `manager` (manager_a1), written at once."""
    manager = manager or company.manager_a1
    students = Student.objects.bulk_create(
        Student(full_name=f"{prefix}{i:04}", campus=manager.campus, manager=manager) for i in range(n)
    )
    contracts = Contract.objects.bulk_create(
        Contract(
            student=s,
            number=f"{prefix}-{s.pk}",
            signed_at=datetime(2026, 12, 1, 10, 0, tzinfo=SH),
            consultant=company.consultant_a,
            subjects="数学",
            hours=Decimal(40),
            unit_price=Decimal(200),
            amount=Decimal(8000),
        )
        for s in students
    )
    Handover.objects.bulk_create(
        Handover(
            contract=c, student=c.student, campus=manager.campus, manager=manager, consultant=c.consultant
        )
        for c in contracts
    )


def test_the_export_holds_every_handover_of_the_pages(client, company, handover, time_machine):
    many_handovers(company, 130, "甲")
    client.force_login(company.manager_a1)
    client.post(url(handover, "receive"), REVIEW)
    time_machine.move_to(datetime(2026, 12, 10, 10, 0, tzinfo=SH), tick=False)
    client.force_login(company.supervisor_a)
    expected = page_names(client)
    sheet = workbook(client.get("/handover/", XLSX)).active
    assert column(sheet, "学生") == expected and len(expected) == 131  # two pages of 100
    assert headers(sheet)[:4] == ["学生", "合同编号", "学管师", "咨询师"]
    row = rows(sheet)[expected.index("赵一鸣")]
    assert row[1] == "HD-1" and row[4] == "已完成" and row[5] == "逾期" and row[8] == "待签字"
    assert title(sheet).startswith("接档 · 导出于 2026-12-10 10:00")
    entry = Access.objects.get(action=Access.Action.EXPORT)
    assert (entry.actor, entry.campus, entry.detail) == (company.supervisor_a, company.campus_a, "接档")
    assert 'href="?format=xlsx">导出 Excel</a>' in client.get("/handover/").content.decode()


def test_each_reader_exports_their_own_scope(client, company, handover):
    many_handovers(company, 2, "乙", manager=company.manager_b)
    for person, names in (
        ("manager_a1", ["赵一鸣"]),
        ("consultant_a", ["赵一鸣"]),  # the contracts they signed on their campus
        ("manager_a2", []),
        ("teacher_a", []),
        ("director_b", ["乙0001", "乙0000"]),
    ):
        client.force_login(getattr(company, person))
        assert sorted(column(workbook(client.get("/handover/", XLSX)).active, "学生")) == sorted(names), (
            person
        )


def test_the_export_runs_the_same_queries_at_two_sizes(
    client, company, handover, django_assert_max_num_queries
):
    client.force_login(company.director_a)
    client.get("/handover/")  # the content types cached, as after any first page
    counts = []
    for size, prefix in ((10, "丙"), (990, "丁")):
        many_handovers(company, size, prefix)
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(8):
            sheet = workbook(client.get("/handover/", XLSX)).active
        counts.append(len(queries))
        assert len(rows(sheet)) == Handover.objects.count()
    assert counts[0] == counts[1]
