"""The student's record in print: a period of the file on A4 — the personal file, contracts and hours,
scores with the chart, callbacks, growth records and concerns — bounded, logged, in scope."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from followups.models import Callback, Concern, ExamScore, GrowthRecord
from students.models import Contract, Student
from timeline.models import Access

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def student(company, time_machine):
    """赵一鸣, signed on 2 Nov 2026; his file, a score of each of two months, talks before and inside
    December, a growth record and a handled concern. Today is 24 Dec."""
    time_machine.move_to(at(2026, 11, 2, 10, 0), tick=False)
    student = Student.objects.create(
        full_name="赵一鸣",
        campus=company.campus_a,
        manager=company.manager_a1,
        status="active",
        personality="外向 <b>好动</b>",
        hours_bought=Decimal(40),
        hours_used=Decimal(6),
        hours_left=Decimal(34),
    )
    Contract.objects.create(
        student=student,
        number="HD-1",
        signed_at=at(2026, 11, 2, 9, 0),
        consultant=company.consultant_a,
        subjects="数学",
        hours=Decimal(40),
        unit_price=Decimal(200),
        amount=Decimal(8000),
    )
    for day, value in ((date(2026, 11, 20), 70), (date(2026, 12, 18), 86)):
        ExamScore.objects.create(
            student=student,
            kind="monthly",
            subject="数学",
            score=Decimal(value),
            exam_date=day,
            analysis="应用题仍需练习",
            created_by=company.manager_a1,
        )
    talks = ((at(2026, 11, 10, 19), "十一月的回访"), (at(2026, 12, 9, 19), "十二月的回访 <script>x</script>"))
    for when, summary in talks:
        Callback.objects.create(student=student, at=when, summary=summary, created_by=company.manager_a1)
    GrowthRecord.objects.create(
        student=student, month=date(2026, 12, 1), text="能主动提问", created_by=company.manager_a1
    )
    time_machine.move_to(at(2026, 12, 11, 10, 0), tick=False)
    Concern.objects.create(
        student=student,
        kind="mood",
        description="上课走神",
        raised_by=company.teacher_a,
        analysis="睡眠不足",
        parent_advice="建议早睡",
        student_talk="约定作息",
        handled_by=company.manager_a1,
        handled_at=at(2026, 12, 11, 18, 0),
    )
    time_machine.move_to(at(2026, 12, 24, 10, 0), tick=False)
    return student


def test_the_record_prints_the_whole_file_from_the_contract_until_today(client, company, student):
    client.force_login(company.manager_a1)
    html = client.get(f"/students/{student.pk}/record/").content.decode()
    assert 'value="2026-11-02"' in html and 'value="2026-12-24"' in html  # the default period
    assert "外向 &lt;b&gt;好动&lt;/b&gt;" in html  # the personal file, escaped
    assert "HD-1" in html and ">40<" in html and ">34<" in html  # bought, left
    assert "十一月的回访" in html and "十二月的回访 &lt;script&gt;" in html and "<script>x" not in html
    assert "能主动提问" in html and "上课走神" in html and "建议早睡" in html
    assert html.count("</title></circle>") == 2  # the score chart, one marker a score
    access = Access.objects.get(action=Access.Action.PRINT)
    assert access.student == student and access.actor == company.manager_a1


def test_a_period_shows_its_records_only(client, company, student):
    client.force_login(company.manager_a1)
    html = client.get(f"/students/{student.pk}/record/?from=2026-12-01&to=2026-12-24").content.decode()
    assert "十二月的回访" in html and "十一月的回访" not in html
    assert "2026-12-18" in html and "2026-11-20" not in html
    assert html.count("</title></circle>") == 1


def test_a_wrong_period_says_so_and_shows_the_whole_record(client, company, student):
    client.force_login(company.manager_a1)
    html = client.get(f"/students/{student.pk}/record/?from=2026-12-24&to=2026-12-01").content.decode()
    assert "结束日期须在开始日期之后。" in html and "十一月的回访" in html
    assert client.get(f"/students/{student.pk}/record/?from=0001-01-01&to=x").status_code == 200


def test_who_prints_the_record(client, company, student):
    url = f"/students/{student.pk}/record/"
    for name in ("manager_b", "manager_a2", "teacher_a", "finance"):
        client.force_login(getattr(company, name))
        assert client.get(url).status_code == 404, name
    for name in ("supervisor_a", "director_a", "president"):
        client.force_login(getattr(company, name))
        assert client.get(url).status_code == 200, name
    assert not Access.objects.filter(actor=company.teacher_a).exists()


def test_a_long_record_is_bounded_and_its_queries_do_not_grow(
    client, company, student, django_assert_max_num_queries
):
    by = company.manager_a1
    Callback.objects.bulk_create(
        Callback(student=student, at=at(2026, 12, 1 + n % 20, 9, n % 60), summary=f"回访{n}", created_by=by)
        for n in range(230)
    )
    client.force_login(company.manager_a1)
    with django_assert_max_num_queries(10):
        html = client.get(f"/students/{student.pk}/record/").content.decode()
    assert html.count("回访") >= 200 and "还有 32 条未显示" in html
