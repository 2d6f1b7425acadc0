"""Contract intake by the consultant, and the supervisor's assignment that starts the handover clock."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from deadlines.models import Deadline, Status
from students.models import Contract, Guardian, Student
from timeline.models import Event

SH = ZoneInfo("Asia/Shanghai")
GOOD = {
    "full_name": "赵一鸣",
    "gender": "male",
    "school": "海淀实验中学",
    "grade": "初二",
    "guardian_name": "赵爸爸",
    "guardian_relation": "father",
    "guardian_phone": "138 1234 5678",
    "number": "HD-2026-0930",
    "signed_at": "2026-09-30T10:00",
    "subjects": "数学 物理",
    "hours": "60",
    "unit_price": "220",
    "amount": "13200",
}


@pytest.fixture
def signed(client, company, time_machine):
    time_machine.move_to(datetime(2026, 9, 30, 11, 0, tzinfo=SH), tick=False)
    client.force_login(company.consultant_a)
    response = client.post("/students/new/", GOOD)
    assert response.status_code == 302
    return Student.objects.get(full_name="赵一鸣")


def test_consultant_enters_a_contract_with_a_new_student(signed, company):
    assert signed.campus == company.campus_a and signed.manager is None and signed.status == "onboarding"
    assert Guardian.objects.get(student=signed).phone == "13812345678"
    contract = Contract.objects.get(student=signed)
    assert contract.consultant == company.consultant_a and contract.hours == 60
    assert list(Event.objects.filter(student=signed).values_list("kind", flat=True).order_by("pk")) == [
        "student.created",
        "contract.signed",
    ]


def test_new_student_is_seen_by_the_consultant_supervisor_and_director_not_by_managers(
    client, signed, company
):
    for person, sees in (
        ("consultant_a", True),
        ("supervisor_a", True),
        ("director_a", True),
        ("manager_a1", False),
        ("director_b", False),
    ):
        client.force_login(getattr(company, person))
        assert (client.get(f"/students/{signed.pk}/").status_code == 200) is sees, person


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours", "0", "课时必须大于 0。"),
        ("unit_price", "-1", "单价不能为负数。"),
        ("amount", "-100", "金额不能为负数。"),
        ("signed_at", "2026-10-02T10:00", "签约时间不能晚于现在。"),
        ("guardian_phone", "12345", "请输入手机号"),
        ("full_name", "", "这个字段是必填项。"),
    ],
)
def test_bad_input_says_why_in_chinese_and_saves_nothing(
    client, company, time_machine, field, value, message
):
    time_machine.move_to(datetime(2026, 9, 30, 11, 0, tzinfo=SH), tick=False)
    client.force_login(company.consultant_a)
    response = client.post("/students/new/", {**GOOD, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Student.objects.exists() and not Contract.objects.exists()


def test_a_duplicate_contract_number_is_refused(client, signed, company):
    response = client.post("/students/new/", {**GOOD, "full_name": "另一个"})
    assert "该编号的合同已经录入。" in response.content.decode()
    assert Student.objects.count() == 1


def test_only_consultants_and_directors_enter_contracts(client, company):
    for person in ("manager_a1", "supervisor_a", "teacher_a", "finance"):
        client.force_login(getattr(company, person))
        assert client.get("/students/new/").status_code == 403, person


def test_supervisor_assigns_and_h1_counts_from_the_signing_over_national_day(client, signed, company):
    client.force_login(company.supervisor_a)
    response = client.post(f"/students/{signed.pk}/assign/", {"manager": company.manager_a1.pk})
    assert response.status_code == 302
    signed.refresh_from_db()
    assert signed.manager == company.manager_a1
    h1 = Deadline.objects.get(rule="H1")
    assert (h1.owner, h1.student, h1.status) == (company.manager_a1, signed, Status.OPEN)
    assert h1.due_at == datetime(2026, 10, 9, 18, 0, tzinfo=SH)  # Oct 1-7 off, the 8th and 9th count
    client.post(f"/students/{signed.pk}/assign/", {"manager": company.manager_a1.pk})  # a double click
    assert Event.objects.filter(kind="student.assigned").count() == 1
    client.force_login(company.manager_a1)
    assert client.get(f"/students/{signed.pk}/").status_code == 200


def test_moving_a_student_needs_a_reason_and_takes_the_open_deadlines_along(client, signed, company):
    client.force_login(company.supervisor_a)
    client.post(f"/students/{signed.pk}/assign/", {"manager": company.manager_a1.pk})
    refused = client.post(f"/students/{signed.pk}/assign/", {"manager": company.manager_a2.pk})
    assert refused.status_code == 200 and "请说明换学管师的原因。" in refused.content.decode()
    client.post(f"/students/{signed.pk}/assign/", {"manager": company.manager_a2.pk, "reason": "王芳休产假"})
    signed.refresh_from_db()
    assert signed.manager == company.manager_a2
    assert Deadline.objects.get(rule="H1").owner == company.manager_a2
    assert Event.objects.filter(kind="student.assigned", reason="王芳休产假").exists()


def test_who_may_assign(client, signed, company):
    client.force_login(company.manager_a1)
    assert (
        client.post(f"/students/{signed.pk}/assign/", {"manager": company.manager_a1.pk}).status_code == 404
    )
    client.force_login(company.consultant_a)
    assert (
        client.post(f"/students/{signed.pk}/assign/", {"manager": company.manager_a1.pk}).status_code == 403
    )
    client.force_login(company.supervisor_b)
    assert client.post(f"/students/{signed.pk}/assign/", {"manager": company.manager_b.pk}).status_code == 404
    client.force_login(company.supervisor_a)
    other_campus = client.post(f"/students/{signed.pk}/assign/", {"manager": company.manager_b.pk})
    assert other_campus.status_code == 200  # not a choice: the form says so
    assert Student.objects.get(pk=signed.pk).manager is None


@pytest.mark.parametrize(
    ("signed_at", "due"),
    [
        # The day before the National Day week: Oct 1-7 are off.
        ("2026-09-30T16:00", datetime(2026, 10, 9, 18, 0, tzinfo=SH)),
        # A Friday before a Saturday make-up workday (Oct 10 2026): the Saturday counts.
        ("2026-10-09T16:00", datetime(2026, 10, 12, 18, 0, tzinfo=SH)),
        # The Friday before the Spring Festival make-up Saturday (Feb 14), then the holiday to Feb 23.
        ("2026-02-13T16:00", datetime(2026, 2, 24, 18, 0, tzinfo=SH)),
    ],
)
def test_h1_on_the_chinese_calendar(client, company, time_machine, signed_at, due):
    time_machine.move_to(datetime(2026, 10, 20, 9, 0, tzinfo=SH), tick=False)
    client.force_login(company.consultant_a)
    client.post("/students/new/", {**GOOD, "signed_at": signed_at})
    client.force_login(company.supervisor_a)
    student = Student.objects.get()
    client.post(f"/students/{student.pk}/assign/", {"manager": company.manager_a1.pk})
    assert Deadline.objects.get(rule="H1").due_at == due


def test_a_renewal_adds_hours_without_a_new_handover(client, signed, company):
    client.force_login(company.supervisor_a)
    client.post(f"/students/{signed.pk}/assign/", {"manager": company.manager_a1.pk})
    client.force_login(company.consultant_a)
    response = client.post(
        f"/students/{signed.pk}/contracts/new/",
        {
            "number": "HD-2026-RENEW",
            "signed_at": "2026-09-30T10:30",
            "subjects": "数学",
            "hours": "30",
            "unit_price": "220",
            "amount": "6600",
        },
    )
    assert response.status_code == 302
    assert signed.contracts.count() == 2
    assert Deadline.objects.filter(rule="H1").count() == 1  # the renewal needs no handover
    client.force_login(company.manager_a1)
    assert client.get("/students/").context["page"][0].hours_bought == 90
    client.force_login(company.manager_a1)
    assert client.post(f"/students/{signed.pk}/contracts/new/", {"number": "X"}).status_code == 403


def test_a_second_guardian_can_take_over_as_main_contact(client, signed, company):
    client.force_login(company.supervisor_a)
    bad = client.post(
        f"/students/{signed.pk}/guardians/new/", {"name": "赵奶奶", "relation": "grandparent", "phone": "12"}
    )
    assert "请输入手机号" in bad.content.decode() and signed.guardians.count() == 1
    client.post(
        f"/students/{signed.pk}/guardians/new/",
        {"name": "赵奶奶", "relation": "grandparent", "phone": "010-6255 0001", "is_primary": "on"},
    )
    assert list(signed.guardians.order_by("-is_primary").values_list("name", "is_primary", "phone")) == [
        ("赵奶奶", True, "01062550001"),
        ("赵爸爸", False, "13812345678"),
    ]
    assert Event.objects.filter(kind="guardian.added").exists()
    client.force_login(company.consultant_a)
    assert client.get(f"/students/{signed.pk}/guardians/new/").status_code == 403
