"""The exam calendar (L5 as a real clock): an exam opens L5 for the students it concerns; the score
meets it on time or late; "no score" closes it with a reason."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines.models import Deadline, Status
from followups.exams import exam_add
from followups.models import Exam, ExamSitting
from students.models import Student

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
