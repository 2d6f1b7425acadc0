"""Students no longer taught: the contract ended (all hours used) or refunded. They book no lesson,
raise no warning sign, a refunded one renews nothing, their hours read as used or refunded, and a
student with no hours left is never listed as 在读."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.utils import translation

from students.models import Contract, Lesson, Student
from students.services import contract_sign, hours_recount, lessons_schedule

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture(autouse=True)
def chinese():
    """The services' messages in the default language, whatever a test before left active."""
    with translation.override("zh-hans"):
        yield


def make(company, name: str, status: str, *, bought=40, used=0) -> Student:
    """A student of manager_a1 with one contract and `used` hours taught (lessons marked done)."""
    student = Student.objects.create(
        full_name=name, campus=company.campus_a, manager=company.manager_a1, status=status
    )
    Contract.objects.create(
        student=student,
        number=f"HD-{student.pk}",
        signed_at=at(2026, 10, 1, 9, 0),
        consultant=company.consultant_a,
        subjects="数学",
        hours=Decimal(bought),
        unit_price=Decimal(200),
        amount=Decimal(200 * bought),
    )
    if used:
        Lesson.objects.create(
            student=student,
            starts_at=at(2026, 11, 1, 9, 0),
            ends_at=at(2026, 11, 1, 11, 0),
            subject="数学",
            hours=Decimal(used),
            status=Lesson.Status.DONE,
        )
    hours_recount(student_ids=[student.pk])  # rows written past the services: their hours counted
    return student


@pytest.fixture
def students(company, time_machine):
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)
    return {
        "active": make(company, "在读生", Student.Status.ACTIVE, used=10),
        "ended": make(company, "结课生", Student.Status.ENDED, bought=20, used=20),
        "refunded": make(company, "退费生", Student.Status.REFUNDED, used=10),
    }


def book(student, actor):
    return lessons_schedule(
        student=student,
        actor=actor,
        starts_at=at(2026, 12, 5, 9, 0),
        ends_at=at(2026, 12, 5, 11, 0),
        subject="数学",
        hours=Decimal(2),
        weeks=2,
    )


@pytest.mark.parametrize(("kind", "words"), [("ended", "课时已用完"), ("refunded", "已退费")])
def test_the_service_books_no_lesson_for_a_finished_student(company, students, kind, words):
    with pytest.raises(ValidationError) as error:
        book(students[kind], company.scheduler_a)
    assert words in " ".join(error.value.messages)
    assert not Lesson.objects.filter(student=students[kind], status=Lesson.Status.SCHEDULED).exists()
    assert len(book(students["active"], company.scheduler_a)) == 2


def test_a_student_refunded_since_the_page_was_read_books_nothing(company, students):
    stale = Student.objects.get(pk=students["active"].pk)
    Student.objects.filter(pk=stale.pk).update(status=Student.Status.REFUNDED)
    with pytest.raises(ValidationError):
        book(stale, company.scheduler_a)


@pytest.mark.parametrize("kind", ["ended", "refunded"])
def test_the_page_offers_no_booking_and_the_booking_url_answers_calmly(client, company, students, kind):
    student = students[kind]
    client.force_login(company.scheduler_a)
    url = f"/students/{student.pk}/lessons/new/"
    assert url not in client.get(f"/students/{student.pk}/").content.decode()
    active = students["active"].pk
    assert f"/students/{active}/lessons/new/" in client.get(f"/students/{active}/").content.decode()
    for response in (
        client.get(url),
        client.post(
            url,
            {
                "starts_at": "2026-12-05T09:00",
                "ends_at": "2026-12-05T11:00",
                "subject": "数学",
                "hours": "2",
                "weeks": "1",
            },
        ),
    ):
        assert response.status_code == 302
        assert response["Location"].endswith(f"/students/{student.pk}/#lessons")
        message = " ".join(str(m) for m in get_messages(response.wsgi_request))
        assert "排课" in message
    assert not Lesson.objects.filter(student=student, status=Lesson.Status.SCHEDULED).exists()


@pytest.mark.parametrize("kind", ["ended", "refunded"])
def test_no_warning_sign_button_for_a_finished_student(client, company, students, kind):
    client.force_login(company.manager_a1)
    active = students["active"]
    assert f"/retention/new/{active.pk}/" in client.get(f"/students/{active.pk}/").content.decode()
    html = client.get(f"/students/{students[kind].pk}/").content.decode()
    assert "提出苗头" not in html and f"/retention/new/{students[kind].pk}/" not in html


def test_the_hours_read_as_refunded_or_all_used_on_the_page(client, company, students):
    client.force_login(company.manager_a1)

    def header(kind):
        html = client.get(f"/students/{students[kind].pk}/").content.decode()
        start = html.index('id="hours-left"')
        return html[start : html.index("</dd>", start)]

    assert "30" in header("active")
    refunded = header("refunded")
    assert "已退费" in refunded and "30" in refunded  # the hours that were refunded, not left to use
    ended = header("ended")
    assert "已用完" in ended and ">0 " in ended


def test_the_list_shows_hours_refunded_or_used_and_hours_below_leaves_the_refunded_out(
    client, company, students
):
    client.force_login(company.manager_a1)
    html = client.get("/students/").content.decode()
    assert "30 课时已退费" in html and "已用完" in html
    below = client.get("/students/?hours_below=35").content.decode()
    assert "在读生" in below and "结课生" in below and "退费生" not in below


def test_a_student_with_no_hours_left_is_never_listed_as_active(client, company, students):
    # Entered by hand, or by a path that did not check the hours: the row still says active.
    gone = make(company, "课时用尽", Student.Status.ACTIVE, bought=20, used=20)
    client.force_login(company.manager_a1)
    active = client.get("/students/?status=active").content.decode()
    assert "在读生" in active and "课时用尽" not in active
    ended = client.get("/students/?status=ended").content.decode()
    assert "课时用尽" in ended and "结课生" in ended
    row = client.get("/students/?q=课时用尽").content.decode()
    assert 'border">合同结束</span>' in row and 'border">在读</span>' not in row
    page = client.get(f"/students/{gone.pk}/").content.decode()
    assert "合同结束" in page and "已用完" in page


def test_a_refunded_student_renews_nothing(client, company, students):
    refunded = students["refunded"]
    values = {
        "number": "HD-NEW",
        "signed_at": at(2026, 11, 30, 10, 0),
        "subjects": "数学",
        "hours": Decimal(20),
        "unit_price": Decimal(200),
        "amount": Decimal(4000),
    }
    with pytest.raises(ValidationError) as error:
        contract_sign(actor=company.consultant_a, student=refunded, contract=values)
    assert "已退费" in " ".join(error.value.messages)
    assert not Contract.objects.filter(number="HD-NEW").exists()
    client.force_login(company.consultant_a)
    renew = f"/students/{refunded.pk}/contracts/new/"
    assert renew not in client.get(f"/students/{refunded.pk}/").content.decode()
    response = client.get(renew)
    assert response.status_code == 302 and response["Location"].endswith(f"/students/{refunded.pk}/")
    # An ended student's family may renew: the new contract is offered, and it reactivates them.
    ended = students["ended"]
    assert f"/students/{ended.pk}/contracts/new/" in client.get(f"/students/{ended.pk}/").content.decode()
    contract_sign(actor=company.consultant_a, student=ended, contract={**values, "number": "HD-E2"})
    ended.refresh_from_db()
    assert ended.status == Student.Status.ACTIVE


@pytest.mark.parametrize("kind", ["ended", "refunded"])
def test_no_pre_class_work_is_offered_for_a_finished_student(client, company, students, kind):
    client.force_login(company.manager_a1)
    active = students["active"]
    assert f"/handover/preclass/{active.pk}/" in client.get(f"/students/{active.pk}/").content.decode()
    assert (
        f"/handover/preclass/{students[kind].pk}/"
        not in client.get(f"/students/{students[kind].pk}/").content.decode()
    )
