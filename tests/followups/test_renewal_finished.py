"""Renewal (R1) for students no longer taught or about to leave: a refunded student is not asked, a
student whose refund is under way leaves the renewal list and gets no new R1, an ended student may
still renew; hours that reach zero end the contract by every path."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from deadlines.models import Deadline, Status
from followups.models import Renewal
from followups.renewal import renewal_record, renewals_open
from followups.selectors import followup_counts, renewal_list
from refunds import services as refunds
from refunds.models import Refund
from students.models import Contract, Lesson, Student
from students.services import contract_sign, lesson_mark
from tests.factories import case_lost
from timeline.models import Event

from .conftest import at


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def chinese():
    """The services' messages in the default language, whatever a test before left active."""
    with translation.override("zh-hans"):
        yield


def spend(student, actor, hours, time_machine, day, month=12):
    """A lesson of `hours` on the given day of December 2026, marked done at its end."""
    start = at(2026, month, day, 16, 0)
    lesson = Lesson.objects.create(
        student=student, starts_at=start, ends_at=start + timedelta(hours=2), subject="数学", hours=hours
    )
    time_machine.move_to(start + timedelta(hours=2, minutes=5), tick=False)
    lesson_mark(lesson=lesson, actor=actor, status="done")
    return lesson


def refund_applied(student, company, time_machine):
    """The student's case lost and the refund submitted to the first approver (the director)."""
    time_machine.move_to(at(2026, 12, 3, 10, 0), tick=False)
    case = case_lost(student, company)
    refund, _ = refunds.refund_submit(
        case=case,
        actor=company.supervisor_a,
        request_key=uuid.uuid4(),
        applicant="赵妈妈",
        applied_on=date(2026, 12, 3),
        reason="孩子不想继续",
        scan=SimpleUploadedFile("application.pdf", b"%PDF-1.4"),
    )
    return refund


def renewal(student, actor, **values):
    return renewal_record(
        student=student,
        actor=actor,
        request_key=uuid.uuid4(),
        **{"outcome": "undecided", "note": "下周再问", **values},
    )


def test_a_refund_under_way_takes_the_student_off_the_renewal_list_and_gives_no_r1(
    company, taught, time_machine
):
    manager = company.manager_a1
    spend(taught, manager, Decimal(27), time_machine, 2)  # 11 left: above the threshold of 10
    company.campus_a.renewal_threshold = Decimal(20)  # now below it: on the list
    company.campus_a.save()
    assert [s.pk for s in renewal_list(manager)] == [taught.pk]
    refund = refund_applied(taught, company, time_machine)
    assert list(renewal_list(manager)) == [] and followup_counts(manager).below_threshold == 0
    assert renewals_open() == 0  # the morning run opens no R1 for them
    spend(taught, manager, Decimal(2), time_machine, 4)  # 9 left, below any threshold: still no R1
    assert not Deadline.objects.filter(rule="R1").exists()
    # The director returns it to the applicant: still under way.
    refunds.refund_decide(refund=refund, actor=company.director_a, step=0, approve=False, comment="补材料")
    assert Refund.objects.get().status == Refund.Status.RETURNED
    assert list(renewal_list(manager, below_only=False)) == []
    assert renewals_open() == 0 and not Deadline.objects.filter(rule="R1").exists()


def test_the_renewal_task_open_when_the_refund_is_applied_for_stops(company, taught, time_machine):
    spend(taught, company.manager_a1, Decimal(30), time_machine, 2)  # 8 left: R1 opens
    assert Deadline.objects.get(rule="R1").status == Status.OPEN
    refund_applied(taught, company, time_machine)
    r1 = Deadline.objects.get(rule="R1")
    assert (r1.status, r1.reason) == (Status.WAIVED, "已申请退费。")


def test_the_renewal_list_page_leaves_out_a_student_whose_refund_is_under_way(
    client, company, taught, time_machine
):
    spend(taught, company.manager_a1, Decimal(30), time_machine, 2)
    client.force_login(company.manager_a1)
    assert "赵一鸣" in client.get("/followups/").content.decode()
    refund_applied(taught, company, time_machine)
    client.force_login(company.manager_a1)  # the next morning: a new session
    response = client.get("/followups/?all=1")
    assert response.status_code == 200 and "赵一鸣" not in response.content.decode()


def test_a_lesson_marked_after_the_refund_opens_no_renewal_task(company, taught, time_machine):
    manager = company.manager_a1
    Student.objects.filter(pk=taught.pk).update(status=Student.Status.REFUNDED)
    spend(taught, manager, Decimal(30), time_machine, 2)  # a lesson of before the refund, marked late
    assert not Deadline.objects.filter(rule="R1").exists()


def test_a_refunded_student_gets_no_renewal_talk_and_an_ended_one_does(client, company, taught, time_machine):
    manager = company.manager_a1
    Student.objects.filter(pk=taught.pk).update(status=Student.Status.REFUNDED)
    with pytest.raises(ValidationError) as error:
        renewal(taught, manager)
    assert "已退费" in " ".join(error.value.messages)
    assert not Renewal.objects.exists()
    client.force_login(manager)
    url = f"/followups/students/{taught.pk}/renewal/"
    page = client.get(f"/students/{taught.pk}/").content.decode()
    assert url not in page and "无需再谈续费" in page
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):  # a hand-made post: the form says why, no 500
        response = client.post(
            url, {"request_key": uuid.uuid4(), "outcome": "undecided", "note": "x"}, **headers
        )
        assert response.status_code == 200 and "已退费" in response.content.decode()
    assert not Renewal.objects.exists()
    # Hours all used: the family may still be asked, and renew with a new contract.
    Student.objects.filter(pk=taught.pk).update(status=Student.Status.ENDED)
    taught.refresh_from_db()
    assert renewal(taught, manager)[1]
    assert url in client.get(f"/students/{taught.pk}/").content.decode()


def test_a_new_contract_that_leaves_no_hours_to_use_keeps_the_student_ended(company, taught, time_machine):
    manager = company.manager_a1
    spend(taught, manager, Decimal(38), time_machine, 2)  # 40 - 2 - 38: none left
    taught.refresh_from_db()
    assert taught.status == Student.Status.ENDED
    spend(taught, manager, Decimal(4), time_machine, 3)  # a lesson booked before, taught: 4 over
    contract_sign(
        actor=company.consultant_a,
        student=taught,
        contract={
            "number": "HD-2",
            "signed_at": at(2026, 12, 3, 19, 0),
            "subjects": "数学",
            "hours": Decimal(4),
            "unit_price": Decimal(200),
            "amount": Decimal(800),
        },
    )
    taught.refresh_from_db()
    assert taught.status == Student.Status.ENDED  # 0 hours left: never active
    assert Renewal.objects.filter(outcome="renewed").count() == 1


def test_the_morning_run_ends_the_contract_of_a_student_whose_hours_are_gone(company, time_machine):
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)
    # Entered by hand (or by any path that did not check the hours): active with every hour used.
    student = Student.objects.create(
        full_name="钱多多", campus=company.campus_a, manager=company.manager_a1, status=Student.Status.ACTIVE
    )
    Contract.objects.create(
        student=student,
        number="HD-9",
        signed_at=at(2026, 10, 1, 9, 0),
        consultant=company.consultant_a,
        subjects="数学",
        hours=Decimal(10),
        unit_price=Decimal(200),
        amount=Decimal(2000),
    )
    Lesson.objects.create(
        student=student,
        starts_at=at(2026, 11, 1, 9, 0),
        ends_at=at(2026, 11, 1, 11, 0),
        subject="数学",
        hours=Decimal(10),
        status=Lesson.Status.DONE,
    )
    assert renewals_open() == 1
    student.refresh_from_db()
    assert student.status == Student.Status.ENDED
    assert Event.objects.filter(kind="student.ended", student_id=student.pk).count() == 1
    assert Deadline.objects.get(rule="R1", student=student).status == Status.OPEN  # ask about renewal
    assert renewals_open() == 0  # once


def test_an_ended_student_on_the_renewal_list_reads_all_hours_used(client, company, taught, time_machine):
    spend(taught, company.manager_a1, Decimal(40), time_machine, 2)  # 2 more than bought
    client.force_login(company.manager_a1)
    html = client.get("/followups/").content.decode()
    row = html[html.index("赵一鸣") :]
    row = row[: row.index("</tr>")]
    assert "已用完" in row and "-2" not in row
