"""L7: a concern is due before the student's next lesson ends, handled with teacher, parent and student."""

import uuid
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from deadlines.models import Deadline, Status
from followups.models import Concern
from students.models import Lesson, Student

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def student(company, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 10, 0, tzinfo=SH), tick=False)
    student = Student.objects.create(
        full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1, status="active"
    )
    Lesson.objects.create(
        student=student,
        starts_at=datetime(2026, 12, 5, 9, 0, tzinfo=SH),
        ends_at=datetime(2026, 12, 5, 11, 0, tzinfo=SH),
        subject="数学",
        hours=Decimal(2),
        teacher=company.teacher_a,
    )
    return student


def raise_(client, student, key=None, **changes):
    data = {
        "kind": "mood",
        "description": "最近上课走神，作业拖延",
        "request_key": str(key or uuid.uuid4()),
        **changes,
    }
    return client.post(f"/followups/students/{student.pk}/concerns/", data, HTTP_HX_REQUEST="true")


def test_a_teacher_raises_a_concern_due_before_the_next_lesson_ends(client, student, company):
    client.force_login(company.teacher_a)
    key = uuid.uuid4()
    response = raise_(client, student, key=key)
    raise_(client, student, key=key)  # a double click
    assert response.headers["HX-Refresh"] == "true"
    assert "已提出关注事项。" in client.get(f"/students/{student.pk}/").content.decode()
    assert Concern.objects.count() == 1
    l7 = Deadline.objects.get(rule="L7")
    assert (l7.owner, l7.due_at) == (company.manager_a1, datetime(2026, 12, 5, 11, 0, tzinfo=SH))


def test_the_manager_handles_it_with_all_three_talks(client, student, company):
    client.force_login(company.teacher_a)
    raise_(client, student)
    concern = Concern.objects.get()
    client.force_login(company.manager_a1)
    url = f"/followups/students/{student.pk}/concerns/{concern.pk}/handle/"
    partial = client.post(url, {"analysis": "与老师分析：睡眠不足"}, HTTP_HX_REQUEST="true")
    assert "这个字段是必填项。" in partial.content.decode()
    client.post(
        url,
        {
            "analysis": "与老师分析：睡眠不足",
            "parent_advice": "建议家长调整作息",
            "student_talk": "和学生约定每晚十点前睡觉",
        },
        HTTP_HX_REQUEST="true",
    )
    concern.refresh_from_db()
    assert concern.handled_by == company.manager_a1
    assert Deadline.objects.get(rule="L7").status == Status.MET


def test_without_a_booked_lesson_the_concern_is_due_in_three_days(client, student, company):
    Lesson.objects.all().delete()
    client.force_login(company.manager_a1)
    raise_(client, student)
    assert Deadline.objects.get(rule="L7").due_at == datetime(2026, 12, 5, 10, 0, tzinfo=SH)


def test_who_raises_and_who_handles(client, student, company):
    client.force_login(company.scheduler_a)
    assert raise_(client, student).status_code == 403
    client.force_login(company.manager_a1)
    raise_(client, student)
    concern = Concern.objects.get()
    client.force_login(company.teacher_a)
    url = f"/followups/students/{student.pk}/concerns/{concern.pk}/handle/"
    assert client.post(url, {"analysis": "x", "parent_advice": "x", "student_talk": "x"}).status_code == 403
    assert Concern.objects.get().handled_at is None


def test_an_open_concern_is_a_watch_item_of_the_next_callback(client, student, company):
    client.force_login(company.teacher_a)
    raise_(client, student)
    client.force_login(company.manager_a1)
    page = client.get(f"/students/{student.pk}/").content.decode()
    callbacks = page[page.index('id="callbacks"') :]
    assert "本次回访请关注" in callbacks and "最近上课走神，作业拖延" in callbacks
