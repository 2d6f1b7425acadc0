"""L9: a missed lesson's real reason is due by the end of the next working day."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from deadlines.models import Deadline, Status
from followups.models import AbsenceReason
from students.models import Lesson, Student
from students.services import lesson_mark
from timeline.models import Event

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def missed(company, time_machine):
    """Friday 4 Dec 16:00, marked absent at 18:10: the reason is due Monday 7 Dec 18:00."""
    time_machine.move_to(datetime(2026, 12, 4, 18, 10, tzinfo=SH), tick=False)
    student = Student.objects.create(
        full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1, status="active"
    )
    lesson = Lesson.objects.create(
        student=student,
        starts_at=datetime(2026, 12, 4, 16, 0, tzinfo=SH),
        ends_at=datetime(2026, 12, 4, 18, 0, tzinfo=SH),
        subject="数学",
        hours=Decimal(2),
        teacher=company.teacher_a,
    )
    lesson_mark(lesson=lesson, actor=company.teacher_a, status="absent")
    return lesson


def test_an_absence_opens_l9_on_the_working_calendar(missed, company):
    l9 = Deadline.objects.get(rule="L9")
    assert (l9.owner, l9.student, l9.due_at) == (
        company.manager_a1,
        missed.student,
        datetime(2026, 12, 7, 18, 0, tzinfo=SH),
    )


def test_the_manager_records_the_reason_once(client, missed, company):
    client.force_login(company.manager_a1)
    url = f"/followups/students/{missed.student_id}/lessons/{missed.pk}/absence/"
    empty = client.post(url, {"reason": " "}, follow=True)
    assert "请说明学生缺勤的原因。" in empty.content.decode() and not AbsenceReason.objects.exists()
    client.post(url, {"reason": "家里临时有事，家长忘了请假"})
    client.post(url, {"reason": "again"})  # a second click
    assert AbsenceReason.objects.get().reason == "家里临时有事，家长忘了请假"
    assert Deadline.objects.get(rule="L9").status == Status.MET
    assert Event.objects.filter(kind="absence.reason").count() == 1
    assert "家里临时有事" in client.get(f"/students/{missed.student_id}/").content.decode()


def test_only_missed_lessons_and_the_right_people(client, missed, company):
    client.force_login(company.teacher_a)
    url = f"/followups/students/{missed.student_id}/lessons/{missed.pk}/absence/"
    refused = client.post(url, {"reason": "x"})
    assert refused.status_code == 403
    client.force_login(company.manager_a2)
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert not AbsenceReason.objects.exists()
