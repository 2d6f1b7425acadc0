"""The students' queues on the homes (students/home.py): the consultant's contracts of the week, the
scheduler's lesson changes, the teacher's lessons, lessons to mark and papers owed; and the campus
timetable (students:timetable)."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from students.models import Contract, Document, Lesson, Student
from students.services import document_add, lesson_change
from tests.factories import UserFactory

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=SH)  # a Thursday


@pytest.fixture
def world(company, time_machine, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    time_machine.move_to(NOW, tick=False)
    for role in (Role.CONSULTANT, Role.TEACHER, Role.SCHEDULER):
        setattr(company, f"{role}_b", UserFactory(role=role, campus=company.campus_b))
    company.student = Student.objects.create(
        full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1, status=Student.Status.ACTIVE
    )
    company.contract = contract(company, company.student, "HD-1", NOW - timedelta(days=1))
    return company


def contract(company, student, number, at):
    return Contract.objects.create(
        student=student,
        number=number,
        signed_at=at,
        created_at=at,
        consultant=company.consultant_a,
        subjects="数学",
        hours=Decimal(40),
        unit_price=Decimal(200),
        amount=Decimal(8000),
    )


def lesson(student, teacher, starts_at, *, hours=2, classroom="A301", status=Lesson.Status.SCHEDULED):
    return Lesson.objects.create(
        student=student,
        teacher=teacher,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        subject="数学",
        hours=Decimal(hours),
        classroom=classroom,
        status=status,
    )


def queue(client, user, key):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    shown = {q.queue.key: q for q in response.context["queues"]}
    return shown.get(key), response


def urls(shown):
    return [item.url for item in shown.items] if shown else []


# -- the consultant ----------------------------------------------------------------------------


def test_the_consultant_sees_the_contracts_entered_this_week(client, world):
    student = world.student
    contract(world, student, "HD-OLD", NOW - timedelta(days=7))  # last week's Thursday
    shown, response = queue(client, world.consultant_a, "consultant_contracts")
    assert [item.label for item in shown.items] == ["合同 HD-1"]
    assert shown.items[0].url == student.get_absolute_url() and shown.items[0].due_at is None
    assert "本周录入的合同" in response.content.decode()
    assert queue(client, world.consultant_b, "consultant_contracts")[0] is None


# -- the scheduler -----------------------------------------------------------------------------


def test_the_scheduler_sees_the_lesson_changes_of_the_week(client, world):
    booked = lesson(world.student, world.teacher_a, NOW + timedelta(days=1))
    assert lesson_change(
        lesson=booked,
        actor=world.scheduler_a,
        starts_at=booked.starts_at + timedelta(hours=3),
        ends_at=booked.ends_at + timedelta(hours=3),
        teacher=world.teacher_a,
        classroom="B202",
        reason="老师有事",
    )
    shown, response = queue(client, world.scheduler_a, "scheduler_lesson_changes")
    assert shown.total == 1
    item = shown.items[0]
    assert item.url == f"/students/{world.student.pk}/#lessons"
    assert "12-04 13:00" in item.label and item.note == "由学管师告知家长"
    other, response = queue(client, world.scheduler_b, "scheduler_lesson_changes")
    assert other.total == 0 and "本周没有课程变更" in response.content.decode()


# -- the teacher -------------------------------------------------------------------------------


def test_the_teacher_sees_the_lessons_of_the_week_and_marks_the_one_taught(client, world):
    student = world.student
    to_come = lesson(student, world.teacher_a, NOW + timedelta(hours=4))
    lesson(student, world.teacher_a, NOW + timedelta(days=7))  # next week
    taught = lesson(student, world.teacher_a, NOW - timedelta(days=1))
    week, response = queue(client, world.teacher_a, "teacher_week")
    assert (
        week.total == 1 and week.items[0].label == "14:00–16:00 数学" and week.items[0].group == "今天 12-03"
    )
    to_mark, response = queue(client, world.teacher_a, "teacher_to_mark")
    assert to_mark.total == 1 and to_mark.items[0].due_at == taught.ends_at  # late since it ended
    assert "list-group-item-danger" in response.content.decode()
    assert response.context["nav_counts"]["waiting"] >= 2
    for key in ("teacher_week", "teacher_to_mark"):
        other = queue(client, world.teacher_b, key)[0]
        assert other is None or other.total == 0

    client.force_login(world.teacher_a)
    marked = client.post(f"/students/{student.pk}/lessons/{taught.pk}/mark/", {"status": "done"})
    assert marked.status_code == 302
    assert queue(client, world.teacher_a, "teacher_to_mark")[0] is None
    assert to_come.pk  # still to come, still in the week's queue
    assert queue(client, world.teacher_a, "teacher_week")[0].total == 1


def pdf(name):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def test_the_teacher_owes_a_teaching_plan_and_a_record_of_each_lesson_taught(client, world):
    student = world.student
    first = lesson(student, world.teacher_a, NOW - timedelta(days=2), status=Lesson.Status.DONE)
    lesson(student, world.teacher_a, NOW - timedelta(days=20), status=Lesson.Status.DONE)  # long ago
    shown, response = queue(client, world.teacher_a, "teacher_papers")
    assert [item.label for item in shown.items] == ["上传教学计划", "上传授课记录"]
    plan, record = shown.items
    assert plan.url == f"/students/{student.pk}/documents/new/?kind=teaching_plan"
    assert record.due_at == datetime(2026, 12, 1, 23, 59, tzinfo=SH)
    assert first.pk
    page = client.get(plan.url)
    assert 'value="teaching_plan" selected' in page.content.decode()
    assert queue(client, world.teacher_b, "teacher_papers")[0] is None

    document_add(student=student, actor=world.teacher_a, kind=Document.Kind.TEACHING_PLAN, file=pdf("p.pdf"))
    shown, _ = queue(client, world.teacher_a, "teacher_papers")
    assert [item.label for item in shown.items] == ["上传授课记录"]
    document_add(student=student, actor=world.teacher_a, kind=Document.Kind.LESSON_RECORD, file=pdf("r.pdf"))
    assert queue(client, world.teacher_a, "teacher_papers")[0] is None


@pytest.mark.parametrize("user", ["teacher_a", "consultant_a", "scheduler_a"])
def test_the_home_runs_a_fixed_number_of_queries(client, world, user, django_assert_max_num_queries):
    def grow(n):
        for i in range(n):
            student = Student.objects.create(
                full_name=f"学生{i}", campus=world.campus_a, manager=world.manager_a1, status="active"
            )
            contract(world, student, f"HD-{n}-{i}", NOW - timedelta(hours=1))
            lesson(student, world.teacher_a, NOW - timedelta(days=1, minutes=i))
            lesson(student, world.teacher_a, NOW + timedelta(hours=5, minutes=i))
            lesson(student, world.teacher_a, NOW - timedelta(days=2, minutes=i), status=Lesson.Status.DONE)

    client.force_login(getattr(world, user))
    grow(10)
    with django_assert_max_num_queries(60) as few:
        assert client.get("/").status_code == 200
    grow(190)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/").status_code == 200


# -- the timetable -----------------------------------------------------------------------------


def test_the_timetable_shows_booked_lessons_and_free_classrooms(client, world):
    student = world.student
    monday = datetime(2026, 11, 30, 10, 0, tzinfo=SH)
    lesson(student, world.teacher_a, monday, classroom="A301")
    other = Student.objects.create(full_name="钱二", campus=world.campus_a, manager=world.manager_a2)
    lesson(other, world.teacher_a, monday + timedelta(days=2), classroom="B202")
    # C303 is in use (3 weeks ago); D404 is not any more (10 weeks ago).
    lesson(other, world.teacher_a, monday - timedelta(weeks=3), classroom="C303", status="done")
    lesson(other, world.teacher_a, monday - timedelta(weeks=10), classroom="D404", status="done")
    client.force_login(world.scheduler_a)
    response = client.get("/students/timetable/?week=2026-12-02")
    assert response.status_code == 200
    assert response.context["rooms"] == ["A301", "B202", "C303"]
    slot = response.context["days"][0].slots[0]
    assert [x.student for x in slot.lessons] == [student] and slot.free == ["B202", "C303"]
    page = response.content.decode()
    assert "赵一鸣" in page and "钱二" in page and "?week=2026-11-23" in page and "?week=2026-12-07" in page

    client.force_login(world.manager_a1)  # read-only, their students only; the rooms are the campus's
    response = client.get("/students/timetable/?week=2026-12-02")
    assert "赵一鸣" in response.content.decode() and "钱二" not in response.content.decode()
    assert response.context["days"][2].slots == []
    for role in ("director_a", "supervisor_a"):
        client.force_login(getattr(world, role))
        assert client.get("/students/timetable/").status_code == 200
    for role in ("teacher_a", "consultant_a", "finance", "president", "head_teacher_a"):
        client.force_login(getattr(world, role))
        assert client.get("/students/timetable/").status_code == 403, role
    client.force_login(world.scheduler_b)
    assert "赵一鸣" not in client.get("/students/timetable/?week=2026-12-02").content.decode()


@pytest.mark.parametrize("week", ["x", "2026-13-01", "1999-01-04", "99999-01-01"])
def test_a_bad_week_is_a_message_and_this_week(client, world, week):
    client.force_login(world.scheduler_a)
    response = client.get("/students/timetable/", {"week": week})
    assert response.status_code == 200
    assert response.context["monday"].isoformat() == "2026-11-30"
    assert "请用该周的某一天" in response.content.decode()


def test_the_timetable_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    def grow(n, start):
        for i in range(n):
            student = Student.objects.create(full_name=f"学生{start + i}", campus=world.campus_a)
            at = datetime(2026, 11, 30, 8, 0, tzinfo=SH) + timedelta(days=i % 7, minutes=10 * (i // 7))
            lesson(student, world.teacher_a, at, classroom=f"R{i % 9}")

    client.force_login(world.scheduler_a)
    grow(10, 0)
    with django_assert_max_num_queries(20) as few:
        assert client.get("/students/timetable/").status_code == 200
    grow(190, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/students/timetable/")
    assert response.context["count"] == 200
