"""The exam calendar (L5 as a real clock): an exam opens L5 for the students it concerns; the score
meets it on time or late; "no score" closes it with a reason."""

import uuid
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deadlines.models import Deadline, Status
from deadlines.services import sweep
from followups.exams import exam_add
from followups.models import Exam, ExamSitting
from students.models import Lesson, Student
from timeline.models import Event

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


def pupil(company, name, *, campus=None, manager=None, school="人大附中", grade="初二", status="active"):
    return Student.objects.create(
        full_name=name,
        campus=campus or company.campus_a,
        manager=manager or company.manager_a1,
        school=school,
        grade=grade,
        status=status,
    )


def post_exam(client, key=None, **changes):
    data = {
        "kind": "midterm",
        "date": "2026-09-30",
        "school": "人大附中",
        "grades": "初二、初三",
        "request_key": str(key or uuid.uuid4()),
        **changes,
    }
    return client.post("/followups/exams/", data)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(at(2026, 9, 28, 10, 0), tick=False)


def test_an_exam_opens_l5_for_the_right_students_only(client, company, now):
    right = pupil(company, "赵一鸣")
    other_grade_in = pupil(company, "钱二", grade="初三", manager=company.manager_a2)
    pupil(company, "孙三", grade="初一")
    pupil(company, "李四", school="北大附中")
    pupil(company, "周五", status="paused")
    pupil(company, "吴六", status="refunded")
    pupil(company, "郑七", status="ended")
    pupil(company, "王八", campus=company.campus_b, manager=company.manager_b)
    client.force_login(company.director_a)
    key = uuid.uuid4()
    assert post_exam(client, key=key).status_code == 302
    post_exam(client, key=key)  # a double submit
    assert Exam.objects.count() == 1
    clocks = Deadline.objects.filter(rule="L5")
    assert {d.student_id: d.owner_id for d in clocks} == {
        right.pk: company.manager_a1.pk,
        other_grade_in.pk: company.manager_a2.pk,
    }
    assert all(d.due_at.astimezone(SH).date().isoformat() == "2026-10-07" for d in clocks)
    html = client.get("/followups/exams/").content.decode()
    assert "赵一鸣" in html and "钱二" in html and "孙三" not in html


def score(client, student, exam, key=None, **changes):
    data = {
        "exam": str(exam.pk),
        "subject": "数学",
        "score": "86",
        "full_marks": "100",
        "analysis": "计算错误减少",
        "request_key": str(key or uuid.uuid4()),
        **changes,
    }
    return client.post(f"/followups/students/{student.pk}/scores/", data, HTTP_HX_REQUEST="true")


@pytest.mark.parametrize(
    ("when", "learned_on", "expected"),
    [
        (at(2026, 10, 6, 18, 0), "", Status.MET),  # within the week, in the National Day holiday
        (at(2026, 10, 8, 10, 0), "", Status.MET_LATE),  # the holiday does not stretch a calendar week
        (at(2026, 10, 8, 10, 0), "2026-10-05", Status.MET),  # the family learned it later
    ],
)
def test_the_score_meets_the_exams_clock_on_time_or_late(
    client, company, time_machine, when, learned_on, expected
):
    time_machine.move_to(at(2026, 9, 28, 10, 0), tick=False)
    student = pupil(company, "赵一鸣")
    exam, _ = exam_add(
        actor=company.manager_a1,
        request_key=uuid.uuid4(),
        kind="midterm",
        date=at(2026, 9, 30).date(),
        school="人大附中",
        grades=["初二"],
    )
    time_machine.move_to(when, tick=False)
    client.force_login(company.manager_a1)
    response = score(client, student, exam, learned_on=learned_on)
    assert response.status_code == 200 and response.headers.get("HX-Refresh") == "true"
    assert Deadline.objects.get(rule="L5").status == expected
    assert student.scores.get().exam_date == exam.date


def test_no_score_needs_a_reason_and_closes_the_clock(client, company, now):
    student = pupil(company, "赵一鸣")
    exam, _ = exam_add(
        actor=company.manager_a1,
        request_key=uuid.uuid4(),
        kind="monthly",
        date=at(2026, 9, 25).date(),
        school="人大附中",
        grades=["初二"],
    )
    sitting = ExamSitting.objects.get(exam=exam, student=student)
    client.force_login(company.manager_a1)
    client.post(f"/followups/exams/sittings/{sitting.pk}/no-score/", {"reason": "  "})
    assert Deadline.objects.get(rule="L5").status == Status.OPEN
    client.post(f"/followups/exams/sittings/{sitting.pk}/no-score/", {"reason": "生病缺考"})
    clock = Deadline.objects.get(rule="L5")
    assert clock.status == Status.WAIVED and clock.reason == "生病缺考"
    client.force_login(company.manager_b)
    assert (
        client.post(f"/followups/exams/sittings/{sitting.pk}/no-score/", {"reason": "x"}).status_code == 404
    )


def test_a_students_own_exam_opens_their_clock_alone(client, company, now):
    student = pupil(company, "赵一鸣")
    pupil(company, "钱二")
    client.force_login(company.manager_a1)
    data = {"kind": "final", "date": "2026-09-27", "request_key": str(uuid.uuid4())}
    response = client.post(f"/followups/students/{student.pk}/exams/", data, HTTP_HX_REQUEST="true")
    assert response.headers.get("HX-Refresh") == "true"
    assert [d.student_id for d in Deadline.objects.filter(rule="L5")] == [student.pk]
    assert "2026-09-27" in client.get(f"/students/{student.pk}/").content.decode()
    client.force_login(company.director_b)
    assert client.post(f"/followups/students/{student.pk}/exams/", data).status_code == 404


def test_a_students_own_exam_is_listed_only_for_those_who_see_the_student(client, company, now):
    student = pupil(company, "赵一鸣", school="十一学校")
    client.force_login(company.manager_a1)
    data = {"kind": "final", "date": "2026-09-27", "request_key": str(uuid.uuid4())}
    client.post(f"/followups/students/{student.pk}/exams/", data)
    assert len(client.get("/followups/exams/").context["page"]) == 1
    client.force_login(company.manager_a2)
    page = client.get("/followups/exams/")
    assert len(page.context["page"]) == 0 and "十一学校" not in page.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("director_a", 302),
        ("supervisor_a", 302),
        ("manager_a1", 302),
        ("teacher_a", 403),
        ("consultant_a", 403),
        ("finance", 403),
    ],
)
def test_who_may_enter_exams(client, company, now, role, status):
    client.force_login(getattr(company, role))
    assert post_exam(client).status_code == status
    assert Exam.objects.count() == (1 if status == 302 else 0)


def test_another_campus_does_not_see_the_exam(client, company, now):
    student = pupil(company, "赵一鸣")
    client.force_login(company.director_a)
    post_exam(client)
    client.force_login(company.director_b)
    html = client.get("/followups/exams/").content.decode()
    assert student.full_name not in html and "人大附中" not in html
    sitting = ExamSitting.objects.get()
    assert (
        client.post(f"/followups/exams/sittings/{sitting.pk}/no-score/", {"reason": "x"}).status_code == 404
    )


def test_the_exams_page_runs_the_same_queries_for_10_and_200_students(client, company, now):
    def count(n):
        Student.objects.all().delete()
        Exam.objects.all().delete()
        Student.objects.bulk_create(
            Student(
                full_name=f"学生{i}",
                campus=company.campus_a,
                manager=company.manager_a1,
                school="人大附中",
                grade="初二",
                status="active",
            )
            for i in range(n)
        )
        exam_add(
            actor=company.director_a,
            request_key=uuid.uuid4(),
            kind="final",
            date=at(2026, 9, 20).date(),
            school="人大附中",
            grades=["初二"],
        )
        client.force_login(company.director_a)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/followups/exams/").status_code == 200
        return len(queries)

    assert count(10) == count(200)


# From the student's page: the day the family learned the results, and "no score", per open exam.


@pytest.fixture
def sitting(company, now):
    """赵一鸣 (manager_a1's) sat the school's monthly exam on Friday 25 September: L5 due 2 October."""
    student = pupil(company, "赵一鸣")
    exam, _ = exam_add(
        actor=company.director_a,
        request_key=uuid.uuid4(),
        kind="monthly",
        date=at(2026, 9, 25).date(),
        school="人大附中",
        grades=["初二"],
    )
    return ExamSitting.objects.select_related("student", "exam").get(exam=exam, student=student)


def learned(client, sitting, day):
    url = f"/followups/students/{sitting.student_id}/exams/{sitting.pk}/learned/"
    return client.post(url, {"learned_on": day}, HTTP_HX_REQUEST="true")


def no_score(client, sitting, reason):
    url = f"/followups/students/{sitting.student_id}/exams/{sitting.pk}/no-score/"
    return client.post(url, {"reason": reason}, HTTP_HX_REQUEST="true")


def test_the_family_learned_later_moves_the_week_before_the_score(client, company, sitting, time_machine):
    time_machine.move_to(at(2026, 10, 6, 10, 0), tick=False)
    sweep(now=timezone.now())
    assert Deadline.objects.get(rule="L5").status == Status.ESCALATED  # late since 2 October
    client.force_login(company.manager_a1)
    page = client.get(f"/students/{sitting.student_id}/").content.decode()
    assert f"/followups/students/{sitting.student_id}/exams/{sitting.pk}/learned/" in page
    assert "家长较晚得知成绩" in page and "该学生无成绩" in page
    response = learned(client, sitting, "2026-10-05")
    assert response.headers.get("HX-Refresh") == "true"
    learned(client, sitting, "2026-10-05")  # a double submit
    clock = Deadline.objects.get(rule="L5")
    assert clock.status == Status.OPEN and clock.round == 1 and clock.escalation_level == 0
    assert clock.due_at.astimezone(SH).date().isoformat() == "2026-10-12"
    (event,) = Event.objects.filter(kind="deadline.rescheduled")
    assert event.actor == company.manager_a1 and event.at == at(2026, 10, 6, 10, 0)
    assert event.reason == "家长于 2026-10-05 得知成绩。" and event.student_id == sitting.student_id
    page = client.get(f"/students/{sitting.student_id}/").content.decode()
    assert "家长于 2026-10-05 得知成绩" in page and "已改期" in page
    # The score entered within the new week meets it on time, and says when the family learned it.
    time_machine.move_to(at(2026, 10, 9, 10, 0), tick=False)
    client.force_login(company.manager_a1)  # days later: a new session
    assert score(client, sitting.student, sitting.exam).headers.get("HX-Refresh") == "true"
    assert Deadline.objects.get(rule="L5").status == Status.MET
    assert sitting.student.scores.get().learned_on.isoformat() == "2026-10-05"
    assert Event.objects.filter(kind="deadline.rescheduled").count() == 1
    assert "家长较晚得知成绩" not in client.get(f"/students/{sitting.student_id}/").content.decode()


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2026-09-24", "考试在 2026-09-25：家长得知成绩的日期不能早于考试。"),
        ("2026-09-29", "家长得知成绩的日期不能晚于今天。"),
        ("1999-12-31", "2000-01-01"),
        ("", "这个字段是必填项。"),
    ],
)
def test_a_day_before_the_exam_or_to_come_is_refused_in_chinese(client, company, sitting, day, message):
    client.force_login(company.manager_a1)
    response = learned(client, sitting, day)
    html = response.content.decode()
    assert response.status_code == 200 and "HX-Refresh" not in response.headers
    assert message in html and f'value="{day}"' in html if day else message in html
    assert 'id="scores"' in html and "<html" not in html
    clock = Deadline.objects.get(rule="L5")
    assert clock.round == 0 and clock.event_at is None
    assert not Event.objects.filter(kind="deadline.rescheduled").exists()


def test_no_score_from_the_students_page_needs_a_reason(client, company, sitting):
    client.force_login(company.manager_a1)
    response = no_score(client, sitting, "  ")
    assert "请说明该学生为何没有这次考试的成绩。" in response.content.decode()
    assert Deadline.objects.get(rule="L5").status == Status.OPEN
    assert no_score(client, sitting, "生病缺考").headers.get("HX-Refresh") == "true"
    clock = Deadline.objects.get(rule="L5")
    assert (
        clock.status == Status.WAIVED and clock.reason == "生病缺考" and clock.closed_by == company.manager_a1
    )
    no_score(client, sitting, "又点了一次")  # a double submit
    assert Deadline.objects.get(rule="L5").reason == "生病缺考"
    page = client.get(f"/students/{sitting.student_id}/").content.decode()
    assert "该学生无成绩" not in page
    # Closed: the day the family learned the results moves nothing any more.
    assert learned(client, sitting, "2026-09-27").headers.get("HX-Refresh") == "true"
    assert "这次考试的成绩任务已经关闭" in client.get(f"/students/{sitting.student_id}/").content.decode()


def test_without_javascript_a_refusal_is_a_page_of_its_own(client, company, sitting):
    client.force_login(company.manager_a1)
    url = f"/followups/students/{sitting.student_id}/exams/{sitting.pk}/learned/"
    response = client.post(url, {"learned_on": "2026-09-20"})
    assert response.status_code == 200 and "<html" in response.content.decode()
    response = client.post(url, {"learned_on": "2026-09-27"})
    assert response.status_code == 302 and response.url.endswith(f"/students/{sitting.student_id}/#scores")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("supervisor_a", 200),
        ("director_a", 200),
        ("teacher_a", 403),  # teaches the student: sees the page, keeps no file
        ("manager_a2", 404),  # not their caseload
        ("manager_b", 404),  # another campus
        ("director_b", 404),
    ],
)
def test_who_records_the_day_the_family_learned_and_no_score(client, company, sitting, role, status):
    Lesson.objects.create(
        student=sitting.student,
        starts_at=at(2026, 9, 26, 9, 0),
        ends_at=at(2026, 9, 26, 11, 0),
        subject="数学",
        hours=Decimal(2),
        teacher=company.teacher_a,
    )
    client.force_login(getattr(company, role))
    assert learned(client, sitting, "2026-09-27").status_code == status
    assert no_score(client, sitting, "缺考").status_code == status
    clock = Deadline.objects.get(rule="L5")
    if status == 200:
        assert clock.status == Status.WAIVED and clock.event_at is not None
    else:
        assert clock.status == Status.OPEN and clock.event_at is None


def test_a_sitting_of_another_student_is_a_404(client, company, sitting):
    other = pupil(company, "钱二", school="十一学校")
    client.force_login(company.manager_a1)
    url = f"/followups/students/{other.pk}/exams/{sitting.pk}/learned/"
    assert client.post(url, {"learned_on": "2026-09-27"}).status_code == 404


def test_the_students_page_runs_the_same_queries_for_1_and_6_open_exams(client, company, now):
    student = pupil(company, "赵一鸣")
    client.force_login(company.manager_a1)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/students/{student.pk}/").status_code == 200
        return len(queries)

    def exam(day):
        exam_add(
            actor=company.manager_a1,
            request_key=uuid.uuid4(),
            kind="monthly",
            date=at(2026, 9, day).date(),
            student=student,
        )

    exam(1)
    one = count()
    for day in range(2, 7):
        exam(day)
    assert count() == one
