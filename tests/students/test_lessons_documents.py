"""Scheduling lessons (one or weekly), marking them, and the private documents of the file."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from students.models import Document, Lesson, Student
from timeline.models import Event

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def student(company, time_machine, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    time_machine.move_to(datetime(2026, 12, 1, 10, 0, tzinfo=SH), tick=False)
    return Student.objects.create(full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1)


def schedule(client, student, company, **changes):
    data = {
        "starts_at": "2026-12-05T09:00",
        "ends_at": "2026-12-05T11:00",
        "subject": "数学",
        "hours": "2",
        "teacher": company.teacher_a.pk,
        "classroom": "301",
        "weeks": "4",
        **changes,
    }
    return client.post(f"/students/{student.pk}/lessons/new/", data)


def test_a_weekly_series_is_booked_whole(client, student, company):
    client.force_login(company.scheduler_a)
    assert schedule(client, student, company).status_code == 302
    starts = list(Lesson.objects.order_by("starts_at").values_list("starts_at", flat=True))
    assert [s.day for s in starts] == [5, 12, 19, 26]
    assert Event.objects.filter(kind="lessons.scheduled").count() == 1


def test_a_clash_on_one_date_books_none_and_names_the_date(client, student, company):
    other = Student.objects.create(full_name="钱多多", campus=company.campus_a, manager=company.manager_a2)
    Lesson.objects.create(
        student=other,
        starts_at=datetime(2026, 12, 19, 10, 0, tzinfo=SH),
        ends_at=datetime(2026, 12, 19, 12, 0, tzinfo=SH),
        subject="英语",
        hours=Decimal(2),
        teacher=company.teacher_a,
    )
    client.force_login(company.manager_a1)
    response = schedule(client, student, company)
    assert response.status_code == 200
    assert "2026-12-19" in response.content.decode() and "该时段已有课" in response.content.decode()
    assert not Lesson.objects.filter(student=student).exists()


def test_who_may_schedule(client, student, company):
    for person, status in (
        ("manager_a2", 404),
        ("teacher_a", 404),
        ("supervisor_a", 403),
        ("consultant_a", 404),
    ):
        client.force_login(getattr(company, person))
        assert schedule(client, student, company).status_code == status, person


def test_teacher_marks_a_started_lesson_done_once_and_hours_are_used(client, student, company, time_machine):
    client.force_login(company.manager_a1)
    schedule(client, student, company, weeks="1")
    lesson = Lesson.objects.get()
    client.force_login(company.teacher_a)
    early = client.post(f"/students/{student.pk}/lessons/{lesson.pk}/mark/", {"status": "done"}, follow=True)
    assert "课程开始后才能标记。" in early.content.decode()
    time_machine.move_to(datetime(2026, 12, 5, 11, 5, tzinfo=SH), tick=False)
    client.force_login(company.teacher_a)
    client.post(f"/students/{student.pk}/lessons/{lesson.pk}/mark/", {"status": "done"})
    client.post(f"/students/{student.pk}/lessons/{lesson.pk}/mark/", {"status": "absent"})  # too late: marked
    lesson.refresh_from_db()
    assert lesson.status == "done"
    assert Event.objects.filter(kind="lesson.done", actor=company.teacher_a).count() == 1
    student.refresh_from_db()
    assert student.status == "active"  # onboarding ends with the first lesson taught
    assert Event.objects.filter(kind="student.active").count() == 1
    client.force_login(company.manager_a1)
    assert client.get("/students/").context["page"][0].hours_used == 2


def test_a_teacher_sees_lessons_and_documents_not_the_file(client, student, company):
    student.hobbies = "篮球"
    student.save()
    Lesson.objects.create(
        student=student,
        starts_at=datetime(2026, 12, 5, 9, 0, tzinfo=SH),
        ends_at=datetime(2026, 12, 5, 11, 0, tzinfo=SH),
        subject="数学",
        hours=Decimal(2),
        teacher=company.teacher_a,
    )
    client.force_login(company.teacher_a)
    html = client.get(f"/students/{student.pk}/").content.decode()
    assert "课次" in html and "文档" in html
    assert "篮球" not in html and "个性化档案" not in html and "合同" not in html and "时间线" not in html


def test_documents_upload_with_limits_and_private_download(client, student, company):
    client.force_login(company.manager_a1)
    bad_type = client.post(
        f"/students/{student.pk}/documents/new/",
        {"kind": "tutoring_draft", "file": SimpleUploadedFile("x.exe", b"MZ")},
    )
    assert "请上传 PDF、Word、Excel、PowerPoint 或图片文件" in bad_type.content.decode()
    big = SimpleUploadedFile("big.pdf", b"0" * (20 * 1024 * 1024 + 1))
    too_big = client.post(f"/students/{student.pk}/documents/new/", {"kind": "tutoring_draft", "file": big})
    assert "文件超过 20 MB。" in too_big.content.decode()
    assert not Document.objects.exists()
    ok = client.post(
        f"/students/{student.pk}/documents/new/",
        {
            "kind": "tutoring_draft",
            "title": "辅导草案",
            "file": SimpleUploadedFile("draft.pdf", b"%PDF-1.4 draft"),
        },
    )
    assert ok.status_code == 302
    document = Document.objects.get()
    assert document.uploaded_by == company.manager_a1
    download = client.get(f"/students/{student.pk}/documents/{document.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 draft"
    client.force_login(company.manager_b)
    assert client.get(f"/students/{student.pk}/documents/{document.pk}/").status_code == 404
    client.force_login(company.president)
    assert client.get(f"/students/{student.pk}/documents/new/").status_code == 403
    client.force_login(company.finance)  # finance sees refunds, not student files
    assert client.get(f"/students/{student.pk}/documents/{document.pk}/").status_code == 404
