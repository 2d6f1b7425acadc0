"""The handover's queues on the homes (handover/home.py): the consultant's paper items (H5) and
handovers to sign, the scheduler's students waiting for a first lesson."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Role
from deadlines.models import Deadline
from handover.models import Handover, PaperItem
from handover.services import first_lesson_set, handover_paper_check
from students.models import Contract, Student
from students.services import student_assign
from tests.factories import UserFactory

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=SH)  # a Friday


@pytest.fixture
def world(company, time_machine):
    time_machine.move_to(NOW, tick=False)
    for role in (Role.CONSULTANT, Role.SCHEDULER):
        setattr(company, f"{role}_b", UserFactory(role=role, campus=company.campus_b))
    company.student = new_student(company, "赵一鸣", "HD-1")
    student_assign(student=company.student, manager=company.manager_a1, actor=company.supervisor_a)
    company.handover = Handover.objects.get()
    return company


def new_student(company, name, number):
    student = Student.objects.create(full_name=name, campus=company.campus_a)
    Contract.objects.create(
        student=student,
        number=number,
        signed_at=NOW,
        consultant=company.consultant_a,
        subjects="数学",
        hours=Decimal(40),
        unit_price=Decimal(200),
        amount=Decimal(8000),
    )
    return student


def queue(client, user, key):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return {q.queue.key: q for q in response.context["queues"]}.get(key), response


def test_the_consultant_owes_the_missing_item_until_it_is_received(client, world):
    handover = world.handover
    Handover.objects.filter(pk=handover.pk).update(received_at=NOW)
    handover.refresh_from_db()
    handover_paper_check(
        handover=handover,
        actor=world.manager_a1,
        items=[("收据", False, date(2026, 12, 9)), ("合同", True, None)],
    )
    h5 = Deadline.objects.get(rule="H5")
    shown, response = queue(client, world.consultant_a, "consultant_paper_items")
    assert shown.total == 1
    item = shown.items[0]
    assert (item.label, item.url, item.due_at) == (
        "补交缺少的材料：收据",
        handover.get_absolute_url(),
        h5.due_at,
    )
    assert item.note == "约定 12-09 前补交" and "待补交的纸质材料" in response.content.decode()
    assert response.context["nav_counts"]["waiting"] >= 1
    assert queue(client, world.consultant_b, "consultant_paper_items")[0] is None

    missing = PaperItem.objects.get(present=False)
    client.force_login(world.consultant_a)
    assert client.post(f"/handover/{handover.pk}/items/{missing.pk}/received/").status_code == 302
    assert queue(client, world.consultant_a, "consultant_paper_items")[0] is None


def test_the_consultant_signs_their_new_students_handover(client, world):
    shown, response = queue(client, world.consultant_a, "consultant_unsigned")
    assert [item.url for item in shown.items] == [world.handover.get_absolute_url()]
    assert shown.items[0].label == "交接进行中：待学管师完成后签字"  # the manager's steps come first
    Handover.objects.update(intro_call_at=NOW, consultant_talk_at=NOW, paper_checked_at=NOW)
    assert queue(client, world.consultant_a, "consultant_unsigned")[0].items[0].label == "签字确认交接"
    assert queue(client, world.consultant_b, "consultant_unsigned")[0] is None
    client.force_login(world.consultant_a)
    assert client.post(f"/handover/{world.handover.pk}/sign/").status_code == 302
    assert queue(client, world.consultant_a, "consultant_unsigned")[0] is None


def test_the_scheduler_sets_the_first_lesson_of_an_assigned_student(client, world):
    new_student(world, "钱二", "HD-2")  # not assigned yet: the supervisor's, not the scheduler's
    shown, response = queue(client, world.scheduler_a, "scheduler_first_lessons")
    assert [item.url for item in shown.items] == [f"/handover/preclass/{world.student.pk}/"]
    assert shown.items[0].label == "设置首次课" and "等待首次课的学生" in response.content.decode()
    assert queue(client, world.scheduler_b, "scheduler_first_lessons")[0].total == 0
    first_lesson_set(
        student=world.student,
        actor=world.scheduler_a,
        starts_at=NOW + timedelta(days=3),
        ends_at=NOW + timedelta(days=3, hours=2),
        subject="数学",
        hours=Decimal(2),
        teacher=world.teacher_a,
        classroom="A301",
    )
    shown, response = queue(client, world.scheduler_a, "scheduler_first_lessons")
    assert shown.total == 0 and "已分配的学生都已安排首次课" in response.content.decode()


@pytest.mark.parametrize("user", ["consultant_a", "scheduler_a"])
def test_the_home_runs_a_fixed_number_of_queries(client, world, user, django_assert_max_num_queries):
    def grow(n, start):
        for i in range(start, start + n):
            student = new_student(world, f"学生{i}", f"HD-N{i}")
            Student.objects.filter(pk=student.pk).update(manager=world.manager_a1)
            handover = Handover.objects.create(
                contract=student.contracts.get(),
                student=student,
                campus=world.campus_a,
                manager=world.manager_a1,
                consultant=world.consultant_a,
            )
            PaperItem.objects.create(
                handover=handover, name="收据", present=False, promised_on=date(2026, 12, 9)
            )

    client.force_login(getattr(world, user))
    grow(10, 0)
    with django_assert_max_num_queries(60) as few:
        assert client.get("/").status_code == 200
    grow(190, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/").status_code == 200
