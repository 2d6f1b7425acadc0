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
    client.force_login(world.scheduler_a)  # the whole campus, one day at a time: Monday's
    response = client.get("/students/timetable/?day=2026-11-30")
    assert response.status_code == 200
    assert response.context["rooms"] == ["A301", "B202", "C303"]
    slot = response.context["days"][0].slots[0]
    assert [x.student for x in slot.lessons] == [student] and slot.free == ["B202", "C303"]
    assert [d.count for d in response.context["days"]] == [1, 0, 1, 0, 0, 0, 0]  # the day tabs
    page = response.content.decode()
    assert "赵一鸣" in page and "钱二" not in page  # Wednesday's lesson is on Wednesday's tab
    assert "?day=2026-11-23" in page and "?day=2026-12-07" in page  # the same weekday, a week away
    assert "?day=2026-12-02" in page
    assert "钱二" in client.get("/students/timetable/?day=2026-12-02").content.decode()
    assert client.get("/students/timetable/").context["day"].isoformat() == "2026-12-03"  # today
    assert client.get("/students/timetable/?week=2026-12-09").context["day"].isoformat() == "2026-12-07"

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


@pytest.mark.parametrize("week", ["x", "2026-13-01", "1999-01-04", "2101-01-03", "99999-01-01"])
def test_a_bad_week_is_a_message_and_this_week(client, world, week):
    client.force_login(world.scheduler_a)
    response = client.get("/students/timetable/", {"week": week})
    assert response.status_code == 200
    assert response.context["monday"].isoformat() == "2026-11-30"
    assert response.context["day"].isoformat() == "2026-12-03"
    assert "请用该周的某一天" in response.content.decode()


@pytest.mark.parametrize("day", ["x", "2026-02-30", "1999-12-31", "2101-01-01", "99999-01-01"])
def test_a_bad_day_is_a_message_and_this_week(client, world, day):
    for user, shown in ((world.scheduler_a, "2026-12-03"), (world.manager_a1, None)):
        client.force_login(user)
        response = client.get("/students/timetable/", {"day": day, "week": "2026-10-14"})
        assert response.status_code == 200
        assert response.context["monday"].isoformat() == "2026-11-30"
        assert (response.context["day"] and response.context["day"].isoformat()) == shown
        assert "请按 YYYY-MM-DD 选择 2000–2100 年之间的某一天" in response.content.decode()


def test_the_edges_of_2000_and_2100_have_no_link_beyond(client, world):
    client.force_login(world.scheduler_a)
    page = client.get("/students/timetable/?day=2000-01-05").content.decode()
    assert "?day=1999-" not in page and "?day=2000-01-12" in page
    page = client.get("/students/timetable/?day=2100-12-28").content.decode()
    assert "?day=2101-" not in page and "?day=2100-12-21" in page


def grow(world, n, start, *, day=None, manager=None):
    """n lessons of n new students at the campus: all on `day` (2 minutes apart), or over the week."""
    for i in range(n):
        student = Student.objects.create(full_name=f"学生{start + i}", campus=world.campus_a, manager=manager)
        if day:
            at = datetime.combine(day, datetime.min.time(), tzinfo=SH) + timedelta(hours=8, minutes=2 * i)
        else:
            at = datetime(2026, 11, 30, 8, 0, tzinfo=SH) + timedelta(days=i % 7, minutes=10 * (i // 7))
        lesson(student, world.teacher_a, at, classroom=f"R{i % 9}")


def test_the_timetable_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    today = NOW.date()
    client.force_login(world.scheduler_a)
    grow(world, 10, 0, day=today)
    with django_assert_max_num_queries(20) as few:
        assert client.get("/students/timetable/").status_code == 200
    grow(world, 200, 10, day=today)  # 210 lessons today: more than a page
    grow(world, 70, 210)  # and 10 a day over the week
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/students/timetable/")
    assert response.context["count"] == 200
    assert [d.count for d in response.context["days"]] == [10, 10, 10, 220, 10, 10, 10]
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/students/timetable/", {"day": today.isoformat(), "page": 2})
    assert response.context["count"] == 20
    client.force_login(world.manager_a1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/students/timetable/").status_code == 200


def test_a_day_of_more_than_a_page_is_paged_in_time_order(client, world):
    today = NOW.date()
    grow(world, 205, 0, day=today)  # 08:00, 08:02, … one lesson every 2 minutes
    client.force_login(world.scheduler_a)
    response = client.get("/students/timetable/")
    table = response.context["table"]
    assert (table.lessons, table.total, table.page, table.pages) == (200, 205, 1, 2)
    shown = [x for slot in response.context["days"][3].slots for x in slot.lessons]
    assert len(shown) == 200 and shown[0].student.full_name == "学生0"
    page = response.content.decode()
    assert page.count('class="timetable-lesson') == 200
    assert "当天共有 205 节课，超过每页 200 节；按时间顺序显示第 1–200 节。" in page
    assert f"?day={today.isoformat()}&amp;page=2" in page

    response = client.get("/students/timetable/", {"day": today.isoformat(), "page": 2})
    shown = [x for slot in response.context["days"][3].slots for x in slot.lessons]
    assert [x.student.full_name for x in shown] == [f"学生{i}" for i in range(200, 205)]
    assert "按时间顺序显示第 201–205 节" in response.content.decode()
    # A page beyond the last is the last; a day that fits has no pages.
    response = client.get("/students/timetable/", {"day": today.isoformat(), "page": 99})
    assert response.context["table"].page == 2
    response = client.get("/students/timetable/", {"day": "2026-12-04", "page": 3})
    assert response.context["table"].pages == 1 and "当天共有" not in response.content.decode()


def test_the_free_classrooms_count_the_shown_day_and_the_whole_campus(client, world):
    monday = datetime(2026, 11, 30, 10, 0, tzinfo=SH)
    lesson(world.student, world.teacher_a, monday, classroom="A301")
    other = Student.objects.create(full_name="钱二", campus=world.campus_a, manager=world.manager_a2)
    lesson(other, world.teacher_a, monday + timedelta(hours=1), classroom="B202")  # 11:00-13:00
    lesson(other, world.teacher_a, monday + timedelta(days=1), classroom="C303")  # Tuesday, same time
    lesson(other, world.teacher_a, monday - timedelta(hours=3), classroom="D404")  # 07:00-09:00
    lesson(other, world.teacher_a, monday - timedelta(minutes=90), classroom="E505")  # 08:30-10:30
    client.force_login(world.manager_a1)  # their own lesson only, the rooms of the whole campus
    for query in ({"day": "2026-11-30"}, {"week": "2026-11-30"}):
        slot = client.get("/students/timetable/", query).context["days"][0].slots[0]
        assert [x.student for x in slot.lessons] == [world.student]
        assert slot.free == ["C303", "D404"]  # A301 itself, E505 until 10:30, B202 from 11:00 are taken


def test_a_managers_week_is_bounded_with_how_many_more(client, world):
    grow(world, 210, 0, manager=world.manager_a1)  # 30 a day
    client.force_login(world.manager_a1)
    response = client.get("/students/timetable/?week=2026-12-02")
    table = response.context["table"]
    assert response.context["day"] is None and (table.lessons, table.total, table.more) == (200, 210, 10)
    days = response.context["days"]
    assert [d.hidden for d in days] == [0, 0, 0, 0, 0, 0, 10]
    page = response.content.decode()
    assert page.count('class="timetable-lesson') == 200
    assert "本周共有 210 节课，仅显示前 200 节，另有 10 节未显示" in page
    assert "另有 10 节课未显示：查看当天" in page and "?day=2026-12-06" in page
    # Sunday on its own tab: all of it.
    response = client.get("/students/timetable/?day=2026-12-06")
    assert response.context["count"] == 30 and "本周共有" not in response.content.decode()
