"""Corrections with a trail: a mistyped guardian, student detail or contract put right from the student
page, with a reason; the timeline keeps old → new of each field, and what depends on a contract's
hours (the hours left, renewal R1, the refund list not yet submitted) follows at once."""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from deadlines.models import ACTIVE, Deadline, Status
from handover.models import Handover
from refunds.models import Refund
from refunds.selectors import amended
from refunds.services import refund_decide, refund_preview, refund_resubmit, refund_submit
from students.contract_import import COLUMNS
from students.forms import ContractIntakeForm
from students.models import Contract, ContractImport, Guardian, Lesson, Student
from students.services import contract_correct, guardian_correct, hours_recount, lesson_mark, student_correct
from tests.factories import TeamFactory, UserFactory, case_lost
from timeline.models import Event

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=SH)


@pytest.fixture
def student(company, time_machine):
    """Manager A1's student, taught 30 of a 40-hour contract (8,000 at 200): 10 hours left, at the
    campus's renewal threshold (10) and not below it. Two guardians, the mother the main contact."""
    time_machine.move_to(NOW, tick=False)
    student = Student.objects.create(
        full_name="赵一鸣",
        campus=company.campus_a,
        manager=company.manager_a1,
        status=Student.Status.ACTIVE,
        grade="初二",
        school="海淀实验中学",
        gender="male",
    )
    Guardian.objects.create(
        student=student, name="赵妈妈", relation="mother", phone="13812345678", is_primary=True
    )
    Guardian.objects.create(student=student, name="赵爸爸", relation="mother", phone="13900001111")
    Contract.objects.create(
        student=student,
        number="HD-1",
        signed_at=datetime(2026, 10, 1, 9, 30, 15, tzinfo=SH),
        consultant=company.consultant_a,
        subjects="数学",
        hours=Decimal(40),
        unit_price=Decimal(200),
        amount=Decimal(8000),
    )
    for week in range(15):
        start = datetime(2026, 10, 10, 9, 0, tzinfo=SH) + timedelta(weeks=week)
        Lesson.objects.create(
            student=student,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            subject="数学",
            hours=2,
            status="done",
        )
    hours_recount(student_ids=[student.pk])
    return Student.objects.get(pk=student.pk)


@pytest.fixture
def father(student):
    return student.guardians.get(name="赵爸爸")


@pytest.fixture
def contract(student):
    return student.contracts.get()


def handover_signed(student, contract, company):
    """The file handed over: both the manager and the consultant signed the receipt (H5)."""
    return Handover.objects.create(
        contract=contract,
        student=student,
        campus=student.campus,
        manager=company.manager_a1,
        consultant=company.consultant_a,
        manager_signed_at=NOW,
        consultant_signed_at=NOW,
    )


CONTRACT = {
    "number": "HD-1",
    "signed_at": "2026-10-01T09:30",
    "subjects": "数学",
    "hours": "40",
    "unit_price": "200",
    "amount": "8000",
    "reason": "录入有误",
}


def contract_post(client, student, contract, **values):
    return client.post(f"/students/{student.pk}/contracts/{contract.pk}/edit/", {**CONTRACT, **values})


def student_page(client, student) -> str:
    return client.get(f"/students/{student.pk}/").content.decode()


def r1(student):
    return Deadline.objects.filter(rule="R1", student=student).order_by("occurrence")


# The student's details


def test_a_file_keeper_corrects_the_student_and_the_timeline_shows_old_and_new(client, company, student):
    client.force_login(company.manager_a1)
    form = client.get(f"/students/{student.pk}/edit/").content.decode()
    assert 'value="海淀实验中学"' in form and 'value="初二"' in form  # shown as they are
    data = {
        "full_name": "赵一鸣",
        "gender": "male",
        "school": "海淀实验中学",
        "grade": "初三",
        "reason": "年级录错",
    }
    assert client.post(f"/students/{student.pk}/edit/", data).status_code == 302
    student.refresh_from_db()
    assert student.grade == "初三"
    event = Event.objects.get(kind="student.corrected")
    assert (event.actor, event.student, event.reason) == (company.manager_a1, student, "年级录错")
    assert event.data == {"changes": {"grade": ["初二", "初三"]}}
    page = student_page(client, student)
    assert "学生资料已更正" in page and "年级: 初二 → 初三" in page and "年级录错" in page


@pytest.mark.parametrize(
    ("person", "status"), [("teacher_a", 403), ("consultant_a", 403), ("manager_a2", 404), ("manager_b", 404)]
)
def test_who_may_not_correct_the_student(client, company, student, person, status):
    if person == "teacher_a":
        Lesson.objects.filter(student=student).update(teacher=company.teacher_a)  # a student they teach
    client.force_login(getattr(company, person))
    data = {"full_name": "改名", "school": "", "grade": "", "gender": "", "reason": "x"}
    assert client.get(f"/students/{student.pk}/edit/").status_code == status
    assert client.post(f"/students/{student.pk}/edit/", data).status_code == status
    assert Student.objects.get(pk=student.pk).full_name == "赵一鸣"


def test_the_reason_is_required_and_nothing_changed_writes_nothing(company, student):
    with pytest.raises(ValidationError) as refused:
        student_correct(student=student, actor=company.manager_a1, changes={"grade": "初三"}, reason="  ")
    assert "reason" in refused.value.error_dict
    same = {"full_name": "赵一鸣", "gender": "male", "school": "海淀实验中学", "grade": "初二"}
    assert student_correct(student=student, actor=company.manager_a1, changes=same, reason="核对") == {}
    assert not Event.objects.filter(kind="student.corrected").exists()


# Guardians


def test_the_relation_is_corrected_and_a_new_main_contact_takes_over(client, company, student, father):
    client.force_login(company.supervisor_a)
    form = client.get(f"/students/{student.pk}/guardians/{father.pk}/edit/").content.decode()
    assert "姓名" in form and 'value="赵爸爸"' in form and 'value="13900001111"' in form
    data = {
        "name": "赵爸爸",
        "relation": "father",
        "phone": "139 0000 2222",
        "is_primary": "on",
        "reason": "父亲录成了母亲",
    }
    assert client.post(f"/students/{student.pk}/guardians/{father.pk}/edit/", data).status_code == 302
    father.refresh_from_db()
    assert (father.relation, father.phone, father.is_primary) == ("father", "13900002222", True)
    assert not student.guardians.get(name="赵妈妈").is_primary  # one main contact
    event = Event.objects.get(kind="guardian.corrected")
    assert event.student == student and event.data["name"] == "赵爸爸"
    # A relation by its label, the number masked as most readers of the timeline see it.
    assert event.data["changes"] == {
        "relation": ["母亲", "父亲"],
        "phone": ["139****1111", "139****2222"],
        "is_primary": ["否", "是"],
    }
    page = student_page(client, student)
    assert "家长信息已更正 · 赵爸爸" in page and "关系: 母亲 → 父亲" in page and "主要联系人: 否 → 是" in page
    assert "13900001111" not in page.split('id="timeline"')[1]


def test_who_may_not_correct_a_guardian(client, company, student, father):
    Lesson.objects.filter(student=student).update(teacher=company.teacher_a)
    data = {"name": "x", "relation": "father", "phone": "13900001111", "reason": "x"}
    for person, status in (
        ("teacher_a", 403),
        ("consultant_a", 403),
        ("scheduler_a", 403),
        ("manager_a2", 404),
    ):
        client.force_login(getattr(company, person))
        assert client.post(f"/students/{student.pk}/guardians/{father.pk}/edit/", data).status_code == status
    client.force_login(company.manager_a1)  # a guardian of another student: 404
    other = Student.objects.create(full_name="别人", campus=company.campus_a, manager=company.manager_a1)
    theirs = Guardian.objects.create(student=other, name="别家", relation="mother", phone="13700000000")
    assert client.get(f"/students/{student.pk}/guardians/{theirs.pk}/edit/").status_code == 404
    assert Guardian.objects.get(pk=father.pk).name == "赵爸爸"


# Contracts: who may


def test_the_consultant_corrects_until_the_handover_is_signed(client, company, student, contract):
    client.force_login(company.consultant_a)
    assert f"/contracts/{contract.pk}/edit/" in student_page(client, student)  # the link, for them
    assert contract_post(client, student, contract, subjects="数学 物理").status_code == 302
    assert Contract.objects.get(pk=contract.pk).subjects == "数学 物理"
    handover_signed(student, contract, company)
    assert f"/contracts/{contract.pk}/edit/" not in student_page(client, student)
    assert contract_post(client, student, contract, subjects="英语").status_code == 403
    assert Contract.objects.get(pk=contract.pk).subjects == "数学 物理"


def test_after_the_handover_the_supervisor_or_the_director_corrects(client, company, student, contract):
    client.force_login(company.supervisor_a)  # before it: the consultant's
    assert contract_post(client, student, contract, subjects="英语").status_code == 403
    handover_signed(student, contract, company)
    assert contract_post(client, student, contract, subjects="英语").status_code == 302
    client.force_login(company.director_a)
    assert contract_post(client, student, contract, subjects="英语 物理").status_code == 302
    assert Contract.objects.get(pk=contract.pk).subjects == "英语 物理"
    for person in ("manager_a1", "teacher_a", "head_teacher_a"):
        client.force_login(getattr(company, person))
        assert contract_post(client, student, contract, subjects="x").status_code in (403, 404), person
    # Another team's supervisor on the campus does not see the student at all.
    other_team = TeamFactory(campus=company.campus_a)
    client.force_login(other_team.supervisor)
    assert contract_post(client, student, contract, subjects="x").status_code == 404
    client.force_login(company.director_b)
    assert contract_post(client, student, contract, subjects="x").status_code == 404
    assert Contract.objects.get(pk=contract.pk).subjects == "英语 物理"


def test_a_consultant_does_not_correct_another_consultant_s_contract(company, student, contract):
    other = UserFactory(role=Role.CONSULTANT, campus=company.campus_a)
    with pytest.raises(PermissionDenied):
        contract_correct(contract=contract, actor=other, changes={"subjects": "英语"}, reason="x")


def test_the_contract_form_shows_the_contract_as_it_is(client, company, student, contract):
    client.force_login(company.consultant_a)
    form = client.get(f"/students/{student.pk}/contracts/{contract.pk}/edit/").content.decode()
    for value in (
        'value="HD-1"',
        'value="2026-10-01T09:30"',
        'value="数学"',
        'value="40.0"',
        'value="200.00"',
    ):
        assert value in form, value
    # The minute shown sent back keeps the time as it was, seconds and all: nothing changed.
    assert contract_post(client, student, contract).status_code == 302
    assert Contract.objects.get(pk=contract.pk).signed_at == contract.signed_at
    assert not Event.objects.filter(kind="contract.corrected").exists()


# Contracts: what follows


def correct_hours(company, contract, hours, amount=None):
    return contract_correct(
        contract=Contract.objects.get(pk=contract.pk),
        actor=company.consultant_a,
        changes={"hours": Decimal(hours), "amount": Decimal(amount if amount is not None else hours * 200)},
        reason="课时录错",
    )


def test_hours_left_and_renewal_follow_a_corrected_contract_down_and_up(client, company, student, contract):
    assert not r1(student).exists()  # 10 left: not below the threshold
    correct_hours(company, contract, 36)  # 6 left: the family is asked about renewal
    assert Student.objects.get(pk=student.pk).hours_left == 6
    opened = r1(student).get()
    assert (opened.status, opened.owner) == (Status.OPEN, company.manager_a1)
    correct_hours(company, contract, 50)  # 20 left: no longer low
    assert Student.objects.get(pk=student.pk).hours_left == 20
    opened.refresh_from_db()
    assert opened.status == Status.WAIVED and "20" in opened.reason and "10" in opened.reason
    stopped = Event.objects.get(kind="deadline.stopped", data__rule="R1")
    assert "课时" in stopped.reason
    correct_hours(company, contract, 38)  # low again: asked again
    assert r1(student).filter(status__in=ACTIVE).count() == 1
    client.force_login(company.manager_a1)
    page = client.get(f"/students/{student.pk}/").content.decode()
    assert "课时: 50.0 → 38.0" in page and "金额: 10000.00 → 7600.00" in page
    assert page.split('id="hours-left">')[1].split("</dd>")[0].strip() == "8"


def test_lessons_that_bring_the_hours_low_again_ask_after_a_stop(company, student, contract):
    correct_hours(company, contract, 36)
    correct_hours(company, contract, 44)  # 14 left: R1 stops
    lesson = Lesson.objects.create(
        student=student, starts_at=NOW - timedelta(hours=2), ends_at=NOW, subject="数学", hours=Decimal(6)
    )
    lesson_mark(lesson=lesson, actor=company.manager_a1, status="done")  # 8 left
    assert r1(student).filter(status__in=ACTIVE).count() == 1


def test_a_contract_ended_by_a_mistyped_hours_is_taught_again(company, student, contract):
    correct_hours(company, contract, 30)  # all used: the contract ends
    assert Student.objects.get(pk=student.pk).status == Student.Status.ENDED
    correct_hours(company, contract, 40)
    again = Student.objects.get(pk=student.pk)
    assert (again.status, again.hours_left) == (Student.Status.ACTIVE, 10)
    assert Event.objects.filter(kind="student.reactivated").count() == 1


def test_the_refund_list_not_yet_submitted_follows_a_corrected_contract(company, student, contract):
    before = refund_preview(student)
    assert (before["hours_left"], before["amount_paid"], before["amount"]) == (10, 8000, Decimal("2000.00"))
    correct_hours(company, contract, 50)
    after = refund_preview(Student.objects.get(pk=student.pk))
    assert (after["hours_left"], after["amount_paid"], after["amount"]) == (20, 10000, Decimal("4000.00"))


def test_a_contract_under_a_submitted_refund_keeps_its_money(
    client, company, student, contract, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    case = case_lost(student, company)
    refund_submit(
        case=case,
        actor=company.supervisor_a,
        request_key=uuid.uuid4(),
        applicant="赵妈妈",
        applied_on=date(2026, 12, 2),
        reason="孩子不想继续",
        scan=SimpleUploadedFile("application.pdf", b"%PDF-1.4\n"),
    )
    with pytest.raises(ValidationError) as refused:
        correct_hours(company, contract, 50)
    assert "退费" in refused.value.messages[0]
    client.force_login(company.consultant_a)
    page = client.get(f"/students/{student.pk}/contracts/{contract.pk}/edit/").content.decode()
    assert "退费" in page and "disabled" in page
    # Posted hours are ignored (the fields are locked); the number can still be put right.
    assert (
        contract_post(client, student, contract, number="HD-1A", hours="60", amount="12000").status_code
        == 302
    )
    again = Contract.objects.get(pk=contract.pk)
    assert (again.number, again.hours, again.amount) == ("HD-1A", 40, 8000)


def test_a_contract_corrected_while_its_refund_is_returned_moves_the_next_version(
    company, student, contract, settings, tmp_path
):
    """Sent back to its applicant, the refund waits for the list to be put right: a contract corrected
    meanwhile is computed into the version sent again, and the first version keeps its figures."""
    settings.MEDIA_ROOT = tmp_path
    refund, _created = refund_submit(
        case=case_lost(student, company),
        actor=company.supervisor_a,
        request_key=uuid.uuid4(),
        applicant="赵妈妈",
        applied_on=date(2026, 12, 2),
        reason="孩子不想继续",
        scan=SimpleUploadedFile("application.pdf", b"%PDF-1.4\n"),
    )
    refund_decide(refund=refund, actor=company.director_a, step=0, approve=False, comment="合同课时有误")
    correct_hours(company, contract, 50)  # returned: the money may be put right
    refund_resubmit(refund=Refund.objects.get(pk=refund.pk), actor=company.supervisor_a, comment="课时已更正")
    again = Refund.objects.get(pk=refund.pk)
    assert (again.hours_bought, again.amount_paid, again.amount) == (50, 10000, Decimal("4000.00"))
    first, second = again.versions.order_by("number")
    assert (first.hours_bought, first.amount_paid, first.amount) == (40, 8000, Decimal("2000.00"))
    assert (second.hours_bought, second.amount_paid, second.amount) == (50, 10000, Decimal("4000.00"))
    changed = {str(label) for label, _before, _after in amended(again).changes}
    assert {"购买课时", "已付金额", "退费金额"} <= changed, changed
    with pytest.raises(ValidationError):  # with the approvers again: the money is kept
        correct_hours(company, contract, 40)


# The amount against hours × price


def test_an_amount_off_hours_times_price_needs_a_confirmation(client, company, student, contract):
    client.force_login(company.consultant_a)
    refused = contract_post(client, student, contract, hours="60")  # 60 × 200 is 12,000, not 8,000
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "12000.00" in html and "确认金额无误" in html and 'type="checkbox" name="confirm_amount"' in html
    assert Contract.objects.get(pk=contract.pk).hours == 40
    assert contract_post(client, student, contract, hours="60", confirm_amount="on").status_code == 302
    assert Contract.objects.get(pk=contract.pk).hours == 60
    event = Event.objects.get(kind="contract.corrected")
    assert event.data["amount_confirmed"] is True and event.data["amount_expected"] == "12000.00"
    assert "金额已确认无误（课时 × 单价：12000.00）" in student_page(client, student)


def test_the_service_refuses_an_amount_off_without_the_confirmation(company, student, contract):
    with pytest.raises(ValidationError) as refused:
        contract_correct(
            contract=contract, actor=company.consultant_a, changes={"hours": Decimal(60)}, reason="x"
        )
    assert "amount" in refused.value.error_dict


def test_the_intake_form_checks_the_amount_within_a_tolerance(company):
    signed = {
        "full_name": "钱多多",
        "guardian_name": "钱妈妈",
        "guardian_relation": "mother",
        "guardian_phone": "13812345678",
        "number": "HD-9",
        "signed_at": "2026-12-01T10:00",
        "subjects": "数学",
        "hours": "40",
        "unit_price": "300",
    }
    form = ContractIntakeForm({**signed, "amount": "10000"})
    assert not form.is_valid() and "12000.00" in form.errors["amount"][0]
    assert ContractIntakeForm({**signed, "amount": "11900"}).is_valid()  # within 1 %: a rounded total
    confirmed = ContractIntakeForm({**signed, "amount": "10000", "confirm_amount": "on"})
    assert confirmed.is_valid() and confirmed.parts()["amount_confirmed"] is True


def test_a_renewal_with_a_confirmed_amount_is_recorded(client, company, student):
    client.force_login(company.consultant_a)
    renewal = {
        "number": "HD-2",
        "signed_at": "2026-12-02T10:00",
        "subjects": "数学",
        "hours": "20",
        "unit_price": "200",
        "amount": "3000",
    }
    assert client.post(f"/students/{student.pk}/contracts/new/", renewal).status_code == 200
    assert (
        client.post(f"/students/{student.pk}/contracts/new/", {**renewal, "confirm_amount": "on"}).status_code
        == 302
    )
    signed = Event.objects.get(kind="contract.signed", data__number="HD-2")
    assert signed.data["amount_confirmed"] is True and signed.data["amount_expected"] == "4000.00"


def test_a_number_taken_is_a_form_error(client, company, student, contract):
    Contract.objects.create(
        student=student,
        number="HD-2",
        signed_at=NOW,
        consultant=company.consultant_a,
        subjects="英语",
        hours=Decimal(10),
        unit_price=Decimal(200),
        amount=Decimal(2000),
    )
    client.force_login(company.consultant_a)
    answer = contract_post(client, student, contract, number="HD-2")
    assert answer.status_code == 200 and "该编号的合同已经录入。" in answer.content.decode()
    with pytest.raises(ValidationError) as refused:
        contract_correct(
            contract=contract, actor=company.consultant_a, changes={"number": "HD-2"}, reason="x"
        )
    assert "number" in refused.value.error_dict


# A form sent twice, and the pages' cost


def test_a_correction_sent_twice_writes_once(client, company, student, father, contract):
    client.force_login(company.manager_a1)
    guardian = {"name": "赵爸爸", "relation": "father", "phone": "13900001111", "reason": "关系录错"}
    for _ in range(2):
        answer = client.post(f"/students/{student.pk}/guardians/{father.pk}/edit/", guardian, follow=True)
    assert "没有任何改动。" in answer.content.decode()
    client.force_login(company.consultant_a)
    for _ in range(2):
        contract_post(client, student, contract, hours="36", amount="7200")
    assert Event.objects.filter(kind="guardian.corrected").count() == 1
    assert Event.objects.filter(kind="contract.corrected").count() == 1
    assert r1(student).count() == 1


def test_the_edit_pages_run_a_fixed_number_of_queries(
    client, company, student, father, contract, django_assert_max_num_queries
):
    pages = {
        "manager_a1": [
            f"/students/{student.pk}/edit/",
            f"/students/{student.pk}/guardians/{father.pk}/edit/",
        ],
        "consultant_a": [f"/students/{student.pk}/contracts/{contract.pk}/edit/"],
    }
    for person, urls in pages.items():
        client.force_login(getattr(company, person))
        for url in urls:
            client.get(url)  # the session and content types cached
            with CaptureQueriesContext(connection) as few, django_assert_max_num_queries(10):
                assert client.get(url).status_code == 200
            for week in range(20):  # more of the student's records: not more queries
                Lesson.objects.create(
                    student=student,
                    starts_at=NOW + timedelta(weeks=week + 1),
                    ends_at=NOW + timedelta(weeks=week + 1, hours=2),
                    subject="数学",
                    hours=2,
                )
            with django_assert_max_num_queries(len(few.captured_queries)):
                client.get(url)


def test_the_student_page_offers_the_corrections_to_those_who_may(client, company, student, father, contract):
    edit, guardian_edit, contract_edit = (
        f"/students/{student.pk}/edit/",
        f"/students/{student.pk}/guardians/{father.pk}/edit/",
        f"/students/{student.pk}/contracts/{contract.pk}/edit/",
    )
    client.force_login(company.manager_a1)
    page = client.get(f"/students/{student.pk}/").content.decode()
    assert edit in page and guardian_edit in page and contract_edit not in page
    client.force_login(company.consultant_a)
    page = client.get(f"/students/{student.pk}/").content.decode()
    assert edit not in page and guardian_edit not in page and contract_edit in page


def test_a_direct_service_call_for_a_guardian_is_scoped_by_role(company, student, father):
    with pytest.raises(PermissionDenied):
        guardian_correct(guardian=father, actor=company.teacher_a, changes={"relation": "father"}, reason="x")


def test_an_imported_row_confirms_its_amount_in_an_extra_last_column(
    client, company, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    header = ",".join([*COLUMNS, "confirm_amount"])
    row = "HD-{n},2026-11-30 10:00,钱多多{n},女,,,钱妈妈,母亲,13812345678,数学,40,300,10000,{confirm}"
    client.force_login(company.consultant_a)
    for n, confirm in ((1, ""), (2, "是")):
        with django_capture_on_commit_callbacks(execute=True):
            text = f"{header}\n{row.format(n=n, confirm=confirm)}"
            client.post("/students/import/", {"file": SimpleUploadedFile("contracts.csv", text.encode())})
    refused, imported = ContractImport.objects.order_by("pk")
    assert refused.status == "failed" and "12000.00" in refused.errors[0]["reason"]
    with django_capture_on_commit_callbacks(execute=True):  # the preview's button
        client.post(f"/students/import/{imported.pk}/confirm/", {"job": imported.pk})
    imported.refresh_from_db()
    assert imported.status == "done" and Contract.objects.get(number="HD-2").amount == 10000
    assert Event.objects.get(kind="contract.signed", data__number="HD-2").data["amount_confirmed"] is True


def test_on_a_phone_each_contract_and_lesson_cell_is_named_as_its_column(client, company, student):
    """The tables fold into cards on a phone, each cell after its column's name (data-label): the
    names are translated once a page and written on every row."""
    import re

    client.force_login(company.manager_a1)
    page = client.get(f"/students/{student.pk}/").content.decode()
    for section, columns, rows in (
        ("contracts", ["合同编号", "签约时间", "科目", "课时", "金额", "咨询师"], 1),
        ("lessons", ["上课时间", "科目", "任课教师", "教室", "课时", "状态"], 15),
    ):
        table = page[page.index(f'aria-labelledby="{section}-title"') :]
        table = table[table.index("<tbody>") : table.index("</tbody>")]
        labels = re.findall(r'data-label="([^"]*)"', table)
        assert labels == columns * rows, (section, labels[:8])
