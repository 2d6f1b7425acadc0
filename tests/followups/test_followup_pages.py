"""The follow-up pages and buttons, for each role that may use them and for one that may not."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines.models import Deadline, Kind, Notification, Status
from followups.models import LessonTalk, Renewal
from students.models import Contract, Document, Lesson, Student
from students.services import hours_recount
from timeline.models import Event

from .conftest import at


def students_with_hours(company, count, *, manager, hours_left=Decimal(6), prefix="学生"):
    """`count` active students of `manager`, each with a 40-hour contract and lessons done lately."""
    students = Student.objects.bulk_create(
        Student(full_name=f"{prefix}{i:04}", campus=manager.campus, manager=manager, status="active")
        for i in range(count)
    )
    Contract.objects.bulk_create(
        Contract(
            student=s,
            number=f"{prefix}-{manager.pk}-{i}",
            signed_at=at(2026, 10, 1, 9, 0),
            consultant=company.consultant_a,
            subjects="数学",
            hours=Decimal(40),
            unit_price=Decimal(200),
            amount=Decimal(8000),
        )
        for i, s in enumerate(students)
    )
    used = Decimal(40) - hours_left
    Lesson.objects.bulk_create(
        Lesson(
            student=s,
            starts_at=at(2026, 11, 30, 16, 0) - timedelta(days=7 * week),
            ends_at=at(2026, 11, 30, 18, 0) - timedelta(days=7 * week),
            subject="数学",
            hours=used / 4,
            status="done",
        )
        for s in students
        for week in range(4)
    )
    hours_recount(student_ids=[s.pk for s in students])  # rows written past the services: counted
    return students


def test_the_renewal_list_forecasts_when_the_hours_run_out(client, company, taught):
    (low,) = students_with_hours(company, 1, manager=company.manager_a1)
    students_with_hours(company, 1, manager=company.manager_a1, hours_left=Decimal(20), prefix="充足")
    client.force_login(company.manager_a1)
    response = client.get("/followups/")
    rows = list(response.context["page"])
    assert [s.full_name for s in rows] == [low.full_name]  # 20 and 38 hours left are above 10
    # 34 hours in four weeks = 8.5 a week; 6 hours left last another 5 days.
    assert (rows[0].weekly_pace, rows[0].runs_out_on) == (Decimal("8.5"), at(2026, 12, 6, 0, 0).date())
    assert response.context["counts"].below_threshold == 1
    everyone = client.get("/followups/?all=1").context["page"]
    assert len(everyone) == 3
    page = response.content.decode()
    assert "续费名单" in page and "2026-12-06" in page


@pytest.mark.parametrize(
    ("person", "sees"),
    [
        ("manager_a1", {"甲"}),
        ("manager_a2", {"乙"}),
        ("supervisor_a", {"甲", "乙"}),
        ("director_a", {"甲", "乙"}),
        ("director_b", {"丙"}),
    ],
)
def test_each_role_sees_the_renewal_list_of_its_scope(client, company, person, sees, time_machine):
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)
    students_with_hours(company, 1, manager=company.manager_a1, prefix="甲")
    students_with_hours(company, 1, manager=company.manager_a2, prefix="乙")
    students_with_hours(company, 1, manager=company.manager_b, prefix="丙")
    client.force_login(getattr(company, person))
    names = {s.full_name[0] for s in client.get("/followups/").context["page"]}
    assert names == sees


@pytest.mark.parametrize("person", ["teacher_a", "consultant_a", "finance", "president"])
def test_others_have_no_renewal_list(client, company, person):
    client.force_login(getattr(company, person))
    assert client.get("/followups/").status_code == 403


def test_the_renewal_list_runs_the_same_queries_for_10_and_1000_students(
    client, company, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)
    client.force_login(company.supervisor_a)
    counts = []
    for size in (10, 990):
        students_with_hours(company, size, manager=company.manager_a1, prefix=f"批{size}")
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(14):
            assert client.get("/followups/?all=1").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_student_timeline_filters_and_its_queries_do_not_grow(
    client, company, taught, django_assert_max_num_queries
):
    client.force_login(company.manager_a1)
    client.get(f"/students/{taught.pk}/")  # the content types cached, as after any first page
    counts = []
    for size in (10, 1000):
        Event.objects.bulk_create(
            Event(
                subject_type_id=Event.objects.first().subject_type_id,
                subject_id=taught.pk,
                student_id=taught.pk,
                campus_id=taught.campus_id,
                kind="score.recorded" if i % 2 else "callback.recorded",
                data={"subject": "数学"},
            )
            for i in range(size)
        )
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/students/{taught.pk}/")
        assert page.status_code == 200
        counts.append(len(queries))
        with django_assert_max_num_queries(8):
            scores = client.get(f"/students/{taught.pk}/?show=scores", HTTP_HX_REQUEST="true")
        text = scores.content.decode()
        assert "<html" not in text and "<div>考试成绩 · 数学</div>" in text and "<div>回访" not in text
    assert counts[0] == counts[1]
    unknown = client.get(f"/students/{taught.pk}/?show=nonsense", HTTP_HX_REQUEST="true")
    assert unknown.content.decode().count('<li class="mb-2') == 50  # unknown: all, newest 50


def test_the_manager_s_home_counts_callbacks_due_and_low_hours(client, company, taught):
    students_with_hours(company, 2, manager=company.manager_a1)
    client.force_login(company.manager_a1)
    page = client.get("/").content.decode()
    assert "本周到期回访与沟通 3 项" in page  # F1, L3 and L4 of the student just taught
    assert "低于续费阈值的学生 2 名" in page


def talk(client, taught, **notes):
    lesson = taught.lessons.get()
    data = {"teacher_notes": "专注度好", "student_notes": "函数有点难", "parent_notes": "家长放心", **notes}
    return client.post(f"/followups/students/{taught.pk}/lessons/{lesson.pk}/talk/", data)


def test_the_post_lesson_talk_page(client, company, taught):
    client.force_login(company.manager_a2)
    assert talk(client, taught).status_code == 404  # another manager's student
    client.force_login(company.teacher_a)
    assert talk(client, taught).status_code == 403  # sees the student, does not keep the file
    client.force_login(company.manager_a1)
    bad = talk(client, taught, parent_notes=" ")
    assert bad.status_code == 200 and "这个字段是必填项。" in bad.content.decode()
    assert "函数有点难" in bad.content.decode()  # nothing typed is lost
    assert talk(client, taught).status_code == 302
    assert talk(client, taught).status_code == 302  # a second send records nothing more
    assert LessonTalk.objects.count() == 1
    assert Deadline.objects.get(rule="L3").status == Status.MET


def test_a_scheduler_s_change_reaches_the_manager_who_tells_the_family(client, company, taught):
    start = at(2026, 12, 8, 16, 0)
    lesson = Lesson.objects.create(
        student=taught, starts_at=start, ends_at=start + timedelta(hours=2), subject="数学", hours=2
    )
    url = f"/students/{taught.pk}/lessons/{lesson.pk}/change/"
    data = {
        "starts_at": "2026-12-09T16:00",
        "ends_at": "2026-12-09T18:00",
        "classroom": "402",
        "reason": "老师出差",
    }
    client.force_login(company.teacher_a)
    assert client.post(url, data).status_code in (403, 404)
    client.force_login(company.scheduler_a)
    missing = client.post(url, {**data, "reason": ""})
    assert "这个字段是必填项。" in missing.content.decode()
    assert client.post(url, data).status_code == 302
    assert Notification.objects.get(kind=Kind.OPENED).recipient == company.manager_a1
    client.force_login(company.manager_a1)
    page = client.get(f"/students/{taught.pk}/").content.decode()
    assert "已告知家长和学生" in page
    told = f"/followups/students/{taught.pk}/lessons/{lesson.pk}/told/"
    client.force_login(company.manager_a2)
    assert client.post(told).status_code == 404
    client.force_login(company.manager_a1)
    client.post(told)
    client.post(told)
    assert Deadline.objects.get(rule="L10").status == Status.MET
    assert Event.objects.filter(kind="lesson.change_told").count() == 1


def test_documents_given_and_filed_from_the_student_page(client, company, taught, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(company.teacher_a)
    client.post(
        f"/students/{taught.pk}/documents/new/",
        {"kind": "lesson_record", "file": SimpleUploadedFile("record.pdf", b"%PDF-1.4")},
    )
    record = Document.objects.get()
    assert Deadline.objects.get(rule="F4").owner == company.manager_a1
    client.force_login(company.manager_a1)
    client.post(
        f"/students/{taught.pk}/documents/new/",
        {"kind": "tutoring_plan", "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4")},
    )
    plan = Document.objects.get(kind="tutoring_plan")
    page = client.get(f"/students/{taught.pk}/").content.decode()
    assert "已交家长" in page and "归档" in page
    bad = client.post(
        f"/followups/students/{taught.pk}/documents/{plan.pk}/given/", {"on": "2027-01-01"}, follow=True
    )
    assert "交给家长的日期不能在未来。" in bad.content.decode()
    client.post(f"/followups/students/{taught.pk}/documents/{plan.pk}/given/", {"on": "2026-12-01"})
    assert Deadline.objects.get(rule="F3").status == Status.MET
    client.post(f"/followups/students/{taught.pk}/documents/{record.pk}/filed/")
    assert Deadline.objects.get(rule="F4").status == Status.MET
    client.force_login(company.supervisor_b)
    assert client.post(f"/followups/students/{taught.pk}/documents/{record.pk}/filed/").status_code == 404


def test_pause_and_return_from_the_student_page(client, company, taught):
    client.force_login(company.teacher_a)
    assert client.post(f"/followups/students/{taught.pk}/pause/", {"reason": "病假"}).status_code == 403
    client.force_login(company.manager_a1)
    client.post(f"/followups/students/{taught.pk}/pause/", {"reason": ""})
    taught.refresh_from_db()
    assert taught.status == "active"
    client.post(
        f"/followups/students/{taught.pk}/pause/", {"reason": "病假两周", "expected_return_on": "2026-12-15"}
    )
    taught.refresh_from_db()
    assert taught.status == "paused"
    assert "学生复课" in client.get(f"/students/{taught.pk}/").content.decode()
    client.post(f"/followups/students/{taught.pk}/resume/")
    taught.refresh_from_db()
    assert taught.status == "active"


def test_a_renewal_talk_from_the_student_page(client, company, taught):
    url = f"/followups/students/{taught.pk}/renewal/"
    data = {
        "outcome": "declined",
        "family_reason": "",
        "note": "家长觉得反馈太少",
        "request_key": str(uuid.uuid4()),
    }
    client.force_login(company.consultant_a)
    assert client.post(url, data, HTTP_HX_REQUEST="true").status_code == 403
    client.force_login(company.manager_a1)
    bad = client.post(url, data, HTTP_HX_REQUEST="true")
    assert "请选择家长不续费的原因。" in bad.content.decode() and "家长觉得反馈太少" in bad.content.decode()
    ok = client.post(url, {**data, "family_reason": "results"}, HTTP_HX_REQUEST="true")
    assert ok.headers["HX-Refresh"] == "true"
    assert Renewal.objects.get().family_reason == "results"
    renewed = {**data, "outcome": "renewed", "request_key": str(uuid.uuid4())}
    assert "renewed" not in dict(
        client.post(url, renewed, HTTP_HX_REQUEST="true").context["renewal_form"].fields["outcome"].choices
    )


def test_my_day_links_each_follow_up_to_its_open_entry_form(client, company, taught):
    client.force_login(company.manager_a1)
    home = client.get("/").content.decode()
    link = f"/students/{taught.pk}/?open=callbacks#callbacks"
    assert link in home  # F1 and L4
    page = client.get(link.split("#")[0]).content.decode()
    callbacks = page[page.index('id="callbacks"') :]
    assert callbacks[: callbacks.index("</summary>")].count("<details open") == 1
    plain = client.get(f"/students/{taught.pk}/").content.decode()
    assert "<details open" not in plain[plain.index('id="callbacks"') :][:400]
