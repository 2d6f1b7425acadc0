import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Campus, Role, Team, User
from deadlines.models import Deadline
from students.models import Student

EXPECTED_USERS = {
    "manager1": ("海淀校区", Role.LEARNING_MANAGER),
    "manager2": ("海淀校区", Role.LEARNING_MANAGER),
    "supervisor1": ("海淀校区", Role.SUPERVISOR),
    "director1": ("海淀校区", Role.DIRECTOR),
    "consultant1": ("海淀校区", Role.CONSULTANT),
    "teacher1": ("海淀校区", Role.TEACHER),
    "headteacher1": ("海淀校区", Role.HEAD_TEACHER),
    "scheduler1": ("海淀校区", Role.SCHEDULER),
    "manager3": ("徐汇校区", Role.LEARNING_MANAGER),
    "supervisor2": ("徐汇校区", Role.SUPERVISOR),
    "director2": ("徐汇校区", Role.DIRECTOR),
    "finance1": (None, Role.FINANCE),
    "president1": (None, Role.PRESIDENT),
    "admin": (None, Role.ADMIN),
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the demo refunds' scans


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
    }


def test_seed_demo_creates_the_demo_company(db, capsys):
    call_command("seed_demo", force=True)
    users = {u.username: u for u in User.objects.select_related("campus")}
    assert {
        name: (u.campus.name if u.campus else None, u.role) for name, u in users.items()
    } == EXPECTED_USERS
    assert all(u.check_password("demo1234") for u in users.values())
    assert users["admin"].is_staff and users["admin"].is_superuser
    assert not users["director1"].is_staff
    assert users["manager1"].team.supervisor == users["supervisor1"]
    assert users["manager3"].team.supervisor == users["supervisor2"]
    assert "demo1234" in capsys.readouterr().out


def test_seed_demo_twice_changes_nothing(db):
    call_command("seed_demo", force=True)
    first = snapshot()
    call_command("seed_demo", force=True)
    assert snapshot() == first
    assert len(first["campuses"]) == 2 and len(first["teams"]) == 2 and len(first["users"]) == 14


def test_seed_demo_leaves_changed_passwords_alone(db):
    call_command("seed_demo", force=True)
    manager = User.objects.get(username="manager1")
    manager.set_password("Lantern-Quay-91")
    manager.save()
    call_command("seed_demo", force=True)
    manager.refresh_from_db()
    assert manager.check_password("Lantern-Quay-91")


def test_seed_demo_has_a_student_at_every_handover_step(db):
    from handover.models import Handover, PreClass

    call_command("seed_demo", force=True)
    assert Student.objects.get(full_name="钱一诺").manager is None  # just signed, waiting for a manager
    steps = {h.student.full_name: h for h in Handover.objects.select_related("student")}
    assert steps["孙浩宇"].received_at and not steps["孙浩宇"].intro_call_at
    assert steps["李思琪"].intro_call_at and not steps["李思琪"].consultant_talk_at
    assert steps["周子墨"].items.filter(present=False).exists()
    assert steps["吴雨萱"].signed_off
    assert PreClass.objects.get().student.full_name == "吴雨萱"
    assert Deadline.objects.filter(rule="H5", owner__username="consultant1", status="open").exists()
    assert Deadline.objects.filter(rule="P4").count() == 3


def test_seed_demo_gives_every_manager_late_today_and_coming_work(db, time_machine):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from deadlines.selectors import my_day

    time_machine.move_to(datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    call_command("seed_demo", force=True)
    for username in ("manager1", "manager2"):
        buckets = {b.key: b.count for b in my_day(User.objects.get(username=username))}
        assert all(buckets.values()), (username, buckets)
    assert Deadline.objects.filter(owner__username="manager3", status="open").exists()
    manager1 = User.objects.get(username="manager1")
    assert Deadline.objects.filter(owner=manager1, status="met_late").exists()
    assert Deadline.objects.filter(owner=manager1, status="met").exists()
    assert Student.objects.filter(campus__code="xh").exists()


def test_seed_demo_students_option_adds_students_once(db):
    call_command("seed_demo", force=True, students=12)
    count = Student.objects.count()
    call_command("seed_demo", force=True, students=12)
    assert (
        Student.objects.count() == count == 7 + 5 + 3 + 3 + 12
    )  # clocks, handover, renewals, refunds, extra
    assert Deadline.objects.filter(rule="L4").count() >= 12


def test_seed_demo_has_students_below_the_renewal_threshold(db):
    from followups.models import Renewal

    call_command("seed_demo", force=True)
    renewals = Deadline.objects.filter(rule="R1").values_list("student__full_name", flat=True)
    assert {"何嘉怡", "马天宇"} <= set(renewals)
    assert Renewal.objects.get().outcome == "undecided"
    assert Student.objects.get(full_name="罗欣然").status == Student.Status.PAUSED


def test_seed_demo_has_retention_cases_at_every_stage(db):
    from retention.models import Case

    call_command("seed_demo", force=True)
    stages = dict(Case.objects.values_list("student__full_name", "stage"))
    assert stages == {
        "林浩然": "warning",
        "周梓萱": "rescue",
        "吴宇轩": "report",
        "郑欣怡": "responsibility",
        "陈子涵": "closed",
        "冯雨晨": "responsibility",
        "韩子轩": "responsibility",
        "曹一凡": "responsibility",
    }
    from refunds.models import Refund

    waiting = dict(Refund.objects.values_list("student__full_name", "waiting_role"))
    assert waiting == {"郑欣怡": "director", "冯雨晨": "finance", "韩子轩": "president", "曹一凡": ""}
    assert Refund.objects.get(student__full_name="曹一凡").status == "paid"
    assert Student.objects.get(full_name="曹一凡").status == "refunded"
    late = Deadline.objects.get(rule="E1", student__full_name="林浩然")
    assert late.due_at < timezone.now()  # raised four days ago: the three days are over
    call_command("seed_demo", force=True)
    assert Case.objects.count() == 8


def test_seed_demo_refuses_with_debug_off_unless_forced(db, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not User.objects.exists()
    call_command("seed_demo", "--force")
    assert User.objects.filter(username="manager1").exists()


def test_seed_demo_runs_with_debug_on(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    assert User.objects.filter(username="manager1").exists()
