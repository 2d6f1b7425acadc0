"""The exam calendar at company size: each exam shows its first 10 students (those whose L5 is late
first) with its count and a link to all of them, a page of 100 at a time; fixed queries, one campus."""

import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines.models import Deadline, Status
from followups.exams import exam_add
from followups.selectors import EXAM_PAGE, EXAM_STUDENTS
from students.models import Student

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(datetime(2026, 9, 28, 10, 0, tzinfo=SH), tick=False)  # L5 of 09-20 is late


def exam_of(company, n, *, manager=None, prefix="学生", day=20):
    """An exam on September `day` for `n` new students of 人大附中 初二 (names in order); every L5
    met but for the odd ones, which are late."""
    students = Student.objects.bulk_create(
        Student(
            full_name=f"{prefix}{i:04}",
            campus=company.campus_a,
            manager=manager or company.manager_a1,
            school="人大附中",
            grade="初二",
            status="active",
        )
        for i in range(n)
    )
    exam, _ = exam_add(
        actor=company.director_a,
        request_key=uuid.uuid4(),
        kind="monthly",
        date=datetime(2026, 9, day, tzinfo=SH).date(),
        school="人大附中",
        grades=["初二"],
    )
    even = [s.pk for i, s in enumerate(students) if i % 2 == 0]
    Deadline.objects.filter(rule="L5", student_id__in=even).update(status=Status.MET)
    names = [s.full_name for s in students]
    return exam, [n for i, n in enumerate(names) if i % 2] + [n for i, n in enumerate(names) if not i % 2]


def students(html: str) -> list[str]:
    return re.findall(r'#scores">([^<]*)</a>', html)


def test_an_exam_shows_its_first_10_late_first_with_its_count_and_a_link_to_all(client, company):
    exam, late_first = exam_of(company, 25)
    client.force_login(company.director_a)
    html = client.get("/followups/exams/").content.decode()
    assert students(html) == late_first[:EXAM_STUDENTS]
    assert "25 名学生" in html and f'<a href="?exam={exam.pk}">查看全部 25 个</a>' in html
    every = client.get(f"/followups/exams/?exam={exam.pk}").content.decode()
    assert students(every) == late_first and "查看全部" not in every and "返回考试日历" in every


def test_one_exam_pages_its_students(client, company):
    exam, late_first = exam_of(company, 130)
    client.force_login(company.director_a)
    first = client.get(f"/followups/exams/?exam={exam.pk}").content.decode()
    assert students(first) == late_first[:EXAM_PAGE]
    assert f'href="?exam={exam.pk}&amp;page=2"' in first
    assert (
        students(client.get(f"/followups/exams/?exam={exam.pk}&page=2").content.decode()) == late_first[100:]
    )


def test_the_calendar_runs_the_same_queries_for_30_and_300_students(
    client, company, django_assert_max_num_queries
):
    client.force_login(company.director_a)
    client.get("/followups/exams/")  # the content types cached, as after any first page
    calendar, one = [], []
    for day, n in ((20, 30), (21, 300)):
        Student.objects.all().delete()
        exam, _ = exam_of(company, n, prefix=f"S{n}-", day=day)
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(12):
            html = client.get("/followups/exams/").content.decode()
        calendar.append(len(queries))
        assert len(students(html)) == EXAM_STUDENTS
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(12):
            client.get(f"/followups/exams/?exam={exam.pk}&page=2")
        one.append(len(queries))
    assert calendar[0] == calendar[1] and one[0] == one[1]


def test_the_students_and_the_exam_keep_to_the_scope(client, company):
    exam, _ = exam_of(company, 12)
    exam_of(company, 3, manager=company.manager_a2, prefix="李", day=21)
    client.force_login(company.manager_a2)
    html = client.get("/followups/exams/").content.decode()
    assert sorted(students(html)) == ["李0000", "李0001", "李0002"]  # only their own students
    assert "查看全部" not in html
    assert students(client.get(f"/followups/exams/?exam={exam.pk}").content.decode()) == []
    client.force_login(company.director_b)
    assert client.get(f"/followups/exams/?exam={exam.pk}").status_code == 404
