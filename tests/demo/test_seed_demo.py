"""The demo seeded on a Wednesday morning: its company, its stories, and that everything in it was
done through the services, at its time."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count

from accounts.models import Campus, Role, Team, User
from deadlines.models import ACTIVE, LATE, Deadline
from deadlines.selectors import my_day
from students.models import Contract, Lesson, Student
from timeline.models import Event

from .checks import ROLES, lessons_off_hours, open_deadlines_without_their_opening, work_of
from .conftest import SEEDED_AT, seeded

demo = seeded(SEEDED_AT)
pytestmark = pytest.mark.usefixtures("demo", "at_seed_time")

EXPECTED_USERS = {
    "manager1": ("海淀校区", Role.LEARNING_MANAGER),
    "manager2": ("海淀校区", Role.LEARNING_MANAGER),
    "supervisor1": ("海淀校区", Role.SUPERVISOR),
    "director1": ("海淀校区", Role.DIRECTOR),
    "consultant1": ("海淀校区", Role.CONSULTANT),
    "teacher1": ("海淀校区", Role.TEACHER),
    "teacher2": ("海淀校区", Role.TEACHER),
    "headteacher1": ("海淀校区", Role.HEAD_TEACHER),
    "scheduler1": ("海淀校区", Role.SCHEDULER),
    "manager3": ("徐汇校区", Role.LEARNING_MANAGER),
    "manager4": ("徐汇校区", Role.LEARNING_MANAGER),
    "supervisor2": ("徐汇校区", Role.SUPERVISOR),
    "director2": ("徐汇校区", Role.DIRECTOR),
    "consultant2": ("徐汇校区", Role.CONSULTANT),
    "teacher3": ("徐汇校区", Role.TEACHER),
    "finance1": (None, Role.FINANCE),
    "president1": (None, Role.PRESIDENT),
    "admin": (None, Role.ADMIN),
}


def test_the_demo_company(db):
    users = {u.username: u for u in User.objects.select_related("campus", "team__supervisor")}
    assert {n: (u.campus.name if u.campus else None, u.role) for n, u in users.items()} == EXPECTED_USERS
    assert all(u.check_password("demo1234") for u in users.values())
    assert users["admin"].is_staff and users["admin"].is_superuser
    assert not users["director1"].is_staff
    assert users["manager1"].team.supervisor == users["supervisor1"]
    assert users["manager3"].team.supervisor == users["supervisor2"]
    assert users["manager4"].team is None  # joined this week: the administrator puts them in a team


def test_every_role_finds_something_to_do(db, at_seed_time):
    idle = {name: work_of(User.objects.get(username=name), at_seed_time) for name in ROLES}
    assert all(idle.values()), {name: found for name, found in idle.items() if not found}


def test_every_open_deadline_was_opened_by_a_service(db):
    assert Deadline.objects.filter(status__in=ACTIVE).count() > 20
    assert open_deadlines_without_their_opening() == []


def test_every_step_happened_in_the_past_at_its_time(db, at_seed_time):
    assert not Event.objects.filter(at__gt=at_seed_time).exists()
    first = Contract.objects.order_by("signed_at").first()
    assert (at_seed_time - first.signed_at).days > 60  # months of history, not all of it today
    # Each event at its own time: no moment holds more than a handful of the story.
    crowded = Event.objects.values("at").annotate(n=Count("pk")).filter(n__gt=40)
    assert not crowded.exists()


def test_lessons_fall_at_teaching_hours(db):
    assert Lesson.objects.count() > 100
    assert lessons_off_hours() == []


def test_each_teacher_has_a_lesson_to_mark(db, at_seed_time):
    for teacher in User.objects.filter(role=Role.TEACHER):
        assert Lesson.objects.filter(
            teacher=teacher, status=Lesson.Status.SCHEDULED, ends_at__lte=at_seed_time
        ).exists(), teacher.username


def test_managers_have_late_today_and_coming_work(db, at_seed_time):
    for username in ("manager1", "manager2", "manager3"):
        buckets = {b.key: b.count for b in my_day(User.objects.get(username=username), now=at_seed_time)}
        assert buckets["overdue"] and buckets["week"], (username, buckets)
    manager1 = User.objects.get(username="manager1")
    assert Deadline.objects.filter(owner=manager1, status="met_late").exists()
    assert Deadline.objects.filter(owner=manager1, status="met").exists()


def test_a_student_at_every_handover_step(db, at_seed_time):
    from handover.models import Handover, PreClass

    assert Student.objects.get(full_name="钱一诺").manager is None  # just signed, waiting for a manager
    steps = {h.student.full_name: h for h in Handover.objects.select_related("student")}
    assert steps["孙浩宇"].received_at and not steps["孙浩宇"].intro_call_at
    assert steps["李思琪"].intro_call_at and not steps["李思琪"].consultant_talk_at
    assert steps["周子墨"].items.filter(present=False).exists()
    assert not PreClass.objects.filter(student__full_name="周子墨").exists()  # the scheduler's to set
    assert steps["吴雨萱"].signed_off
    first = PreClass.objects.get(student__full_name="吴雨萱").first_lesson
    assert (first.starts_at.astimezone(at_seed_time.tzinfo).date() - at_seed_time.date()).days == 1
    assert Deadline.objects.filter(rule="H5", owner__username="consultant1", status="open").exists()
    assert Deadline.objects.filter(rule="H5", owner__username="consultant2", status="open").exists()


def test_follow_up_stories(db):
    from followups.models import Concern, ExamScore, Renewal

    scores = ExamScore.objects.filter(student__full_name="陈子涵")
    assert scores.count() == 6 and Concern.objects.filter(student__full_name="陈子涵").exists()
    renewals = set(Deadline.objects.filter(rule="R1").values_list("student__full_name", flat=True))
    assert {"何嘉怡", "马天宇"} <= renewals
    assert Renewal.objects.get().outcome == "undecided"
    assert Student.objects.get(full_name="罗欣然").status == Student.Status.PAUSED
    assert Deadline.objects.filter(rule="L9", student__full_name="孙俊杰", status__in=ACTIVE).exists()


def test_the_exam_of_the_calendar_met_on_time_for_one_late_for_another(db, client, at_seed_time):
    from django.contrib.contenttypes.models import ContentType

    from followups.models import ExamSitting

    clocks = {
        d.student.full_name: d
        for d in Deadline.objects.filter(
            rule="L5", subject_type=ContentType.objects.get_for_model(ExamSitting)
        ).select_related("student")
    }
    assert set(clocks) == {"陈子涵", "何嘉怡", "谢雨涵"}  # 人大附中's 初二, active
    assert clocks["陈子涵"].status == "met"  # entered with the analysis three days after the exam
    assert clocks["何嘉怡"].status in LATE and clocks["何嘉怡"].due_at < at_seed_time
    assert clocks["谢雨涵"].status == "open" and clocks["谢雨涵"].due_at > at_seed_time  # learned later
    assert clocks["谢雨涵"].event_at is not None
    manager1 = User.objects.get(username="manager1")
    overdue = next(b for b in my_day(manager1, now=at_seed_time) if b.key == "overdue")
    assert clocks["何嘉怡"] in [d for group in overdue.groups for d in group.rows]
    client.force_login(manager1)
    home = client.get("/").content.decode()
    assert "何嘉怡" in home and "录入" in home
    late = client.get(clocks["何嘉怡"].student.get_absolute_url()).content.decode()
    assert "待录入的考试成绩（L5）" in late and "家长较晚得知成绩" in late and "该学生无成绩" in late
    met = client.get(clocks["陈子涵"].student.get_absolute_url()).content.decode()
    assert "待录入的考试成绩（L5）" not in met and "83/100" in met


def test_teachers_owe_a_few_papers_some_late(db, client, at_seed_time):
    from students.home import teacher_papers
    from students.models import Document

    for teacher in User.objects.filter(role=Role.TEACHER):
        items, count = teacher_papers(teacher, at_seed_time)
        late = [item for item in items if item.due_at <= at_seed_time]
        assert 1 <= count <= 4 and late, (teacher.username, [(i.label, i.about) for i in items])
        if teacher.campus.code == "hd":  # 吴雨萱 starts tomorrow: her plans are not late yet
            assert len(late) < count, teacher.username
    uploaded = Document.objects.filter(uploaded_by__role=Role.TEACHER)
    assert uploaded.filter(kind=Document.Kind.TEACHING_PLAN).count() >= 12
    assert uploaded.filter(kind=Document.Kind.LESSON_RECORD).count() >= 30
    assert not uploaded.filter(filed_at=None, uploaded_at__lt=at_seed_time - timedelta(days=1)).exists()
    client.force_login(User.objects.get(username="teacher1"))
    home = client.get("/").content.decode()
    assert "黄雨桐" in home and "吴雨萱" in home


def test_retention_cases_at_every_stage(db, at_seed_time):
    from refunds.models import Refund
    from retention.models import Case

    stages = dict(Case.objects.values_list("student__full_name", "stage"))
    assert stages == {
        "林浩然": "warning",
        "周梓萱": "rescue",
        "谢雨涵": "rescue",
        "许子豪": "rescue",
        "吴宇轩": "report",
        "蒋思远": "report",
        "郑欣怡": "responsibility",
        "陈子涵": "closed",
        "冯雨晨": "responsibility",
        "韩子轩": "responsibility",
        "曹一凡": "responsibility",
    }
    assert Case.objects.get(student__full_name="陈子涵").outcome == "retained"
    waiting = dict(Refund.objects.values_list("student__full_name", "waiting_role"))
    assert waiting == {"郑欣怡": "director", "冯雨晨": "finance", "韩子轩": "president", "曹一凡": ""}
    assert Refund.objects.get(student__full_name="曹一凡").status == "paid"
    assert Student.objects.get(full_name="曹一凡").status == "refunded"
    late = Deadline.objects.get(rule="E1", student__full_name="林浩然")
    assert late.due_at < at_seed_time  # raised four days ago: the three days are over
    assert not Case.objects.filter(student__full_name="黄雨桐").exists()  # the walk-through's


def snapshot():
    return {
        "campuses": list(Campus.objects.values_list("code", "name").order_by("code")),
        "teams": list(
            Team.objects.values_list("campus__code", "name", "supervisor__username").order_by("pk")
        ),
        "users": list(
            User.objects.values_list("username", "role", "campus__name", "team__name", "password").order_by(
                "pk"
            )
        ),
        "counts": {
            model.__name__: model.objects.count() for model in (Student, Contract, Lesson, Deadline, Event)
        },
        "deadlines": list(Deadline.objects.values_list("pk", "status", "due_at").order_by("pk")),
    }


def test_seeding_again_changes_nothing(db):
    first = snapshot()
    call_command("seed_demo", force=True)
    assert snapshot() == first


def test_seeding_again_leaves_changed_passwords_and_teams_alone(db):
    manager = User.objects.get(username="manager4")
    manager.set_password("Lantern-Quay-91")
    manager.team = Team.objects.get(campus__code="xh")
    manager.save()
    call_command("seed_demo", force=True)
    manager.refresh_from_db()
    assert manager.check_password("Lantern-Quay-91") and manager.team is not None


def test_students_option_adds_students_once(db):
    count = Student.objects.count()
    call_command("seed_demo", force=True, students=6)
    call_command("seed_demo", force=True, students=6)
    assert Student.objects.count() == count + 6
    assert Deadline.objects.filter(rule="H3", student__full_name__regex=r"\d{5}$").count() == 6
    assert open_deadlines_without_their_opening() == []


def test_every_students_hours_are_those_of_its_contracts_and_lessons(db):
    """The demo is made through the services, which keep each student's hours (issue 13)."""
    from tests.students.test_list_bounded import drifted

    assert Student.objects.filter(hours_bought__gt=0, hours_used__gt=0).exists()
    assert drifted() == []
