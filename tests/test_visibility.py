"""No page shows a record, a name or a text that the page of that record would refuse its reader.

A lost case and its refund carry marker texts; for every role, each page either answers 404 or shows
exactly the markers that role may read.
"""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from deadlines.models import Deadline, Notification
from deadlines.selectors import notifications_for
from deadlines.services import sweep
from refunds import services as refunds
from refunds.selectors import refunds_for
from retention import services as retention
from retention.selectors import cases_for
from students.models import Contract, Lesson, Student
from students.selectors import files_for
from tests.factories import case_lost
from timeline import audience
from timeline.models import Event

SH = ZoneInfo("Asia/Shanghai")

# What the family and the campus said, by where it was written.
CASE_MARKERS = ("苗头MARK", "冲突MARK", "失单MARK", "纪要MARK")
REFUND_MARKERS = ("退费原因MARK", "审批意见MARK")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def story(company, time_machine):
    """A student taught by the teacher, a lost case and its refund approved by the director."""
    time_machine.move_to(at(2026, 12, 3, 10, 0), tick=False)
    student = Student.objects.create(
        full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1, status="active"
    )
    Contract.objects.create(
        student=student,
        number="HD-1",
        signed_at=at(2026, 10, 1, 9, 0),
        consultant=company.consultant_a,
        subjects="数学",
        hours=Decimal(40),
        unit_price=Decimal(200),
        amount=Decimal(8000),
    )
    start = at(2026, 11, 10, 9, 0)
    Lesson.objects.create(
        student=student,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        subject="数学",
        hours=2,
        status="done",
        teacher=company.teacher_a,
    )
    case = case_lost(
        student, company, sign="苗头MARK", conflict="冲突MARK", lost_order="失单MARK", memo="纪要MARK"
    )
    refund, _ = refunds.refund_submit(
        case=case,
        actor=company.supervisor_a,
        request_key=uuid.uuid4(),
        applicant="赵妈妈",
        applied_on=date(2026, 12, 3),
        reason="退费原因MARK",
        scan=SimpleUploadedFile("application.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    refunds.refund_decide(
        refund=refund, actor=company.director_a, step=0, approve=True, comment="审批意见MARK"
    )
    return student, case, refund


def pages(student, case, refund) -> dict[str, str]:
    return {
        "student": f"/students/{student.pk}/",
        "case": f"/retention/{case.pk}/",
        "case_print": f"/retention/{case.pk}/print/",
        "refund": f"/refunds/{refund.pk}/",
        "refund_print": f"/refunds/{refund.pk}/print/",
    }


CASE, REFUND = set(CASE_MARKERS), set(REFUND_MARKERS)
# person -> page -> the markers it shows (None: the page answers 404)
EXPECTED = {
    "manager_a1": {"student": CASE, "case": CASE, "case_print": CASE, "refund": None, "refund_print": None},
    "supervisor_a": {
        "student": CASE | REFUND,
        "case": CASE | REFUND,
        "case_print": CASE,
        "refund": REFUND,
        "refund_print": REFUND,
    },
    "director_a": {
        "student": CASE | REFUND,
        "case": CASE | REFUND,
        "case_print": CASE,
        "refund": REFUND,
        "refund_print": REFUND,
    },
    "head_teacher_a": {
        "student": CASE,
        "case": CASE,
        "case_print": CASE,
        "refund": None,
        "refund_print": None,
    },
    "consultant_a": {
        "student": set(),
        "case": None,
        "case_print": None,
        "refund": None,
        "refund_print": None,
    },
    "scheduler_a": {"student": set(), "case": None, "case_print": None, "refund": None, "refund_print": None},
    "teacher_a": {"student": set(), "case": None, "case_print": None, "refund": None, "refund_print": None},
    "finance": {
        "student": None,
        "case": None,
        "case_print": None,
        "refund": REFUND,
        "refund_print": REFUND,
    },
    "president": {
        "student": CASE | REFUND,
        "case": CASE | REFUND,
        "case_print": CASE,
        "refund": REFUND,
        "refund_print": REFUND,
    },
    "manager_a2": {"student": None, "case": None, "case_print": None, "refund": None, "refund_print": None},
    "director_b": {"student": None, "case": None, "case_print": None, "refund": None, "refund_print": None},
}


@pytest.mark.parametrize("person", EXPECTED)
def test_each_role_reads_exactly_what_the_records_own_pages_allow(client, company, story, person):
    client.force_login(getattr(company, person))
    for page, path in pages(*story).items():
        response = client.get(path)
        expected = EXPECTED[person][page]
        if expected is None:
            assert response.status_code == 404, (person, page)
            continue
        assert response.status_code == 200, (person, page)
        html = response.content.decode()
        shown = {marker for marker in CASE_MARKERS + REFUND_MARKERS if marker in html}
        assert shown == expected, (person, page)


@pytest.mark.parametrize("person", EXPECTED)
def test_every_notice_in_an_inbox_is_about_a_record_its_reader_may_open(client, company, story, person):
    student, case, refund = story
    sweep(now=at(2026, 12, 20, 10, 0))  # the lost case's clocks are late and escalate
    user = getattr(company, person)
    openers = {"retention.case": cases_for, "refunds.refund": refunds_for}
    for notice in notifications_for(user, now=at(2026, 12, 21, 10, 0)).select_related("deadline"):
        # A notice about a deadline, or about another record (a refund waiting for its approver).
        about = notice.deadline or notice
        subject, what = about.subject, notice.deadline.rule if notice.deadline else notice.kind
        opener = openers.get(subject._meta.label_lower)
        if opener:
            assert opener(user).filter(pk=subject.pk).exists(), (person, what)
        else:
            assert files_for(user).filter(pk=about.student_id).exists(), (person, what)
    client.force_login(user)
    inbox = client.get("/notifications/")
    assert inbox.status_code == 200
    if refunds_for(user).filter(pk=refund.pk).exists():
        # A refund's approver (finance, the president) reads the student's name on the refund's page,
        # and so in its notice.
        assert student.full_name in client.get(refund.get_absolute_url()).content.decode(), person
    elif not files_for(user).filter(pk=student.pk).exists():
        assert student.full_name not in inbox.content.decode(), person


def test_a_case_notice_leaves_the_inbox_of_a_reader_who_may_no_longer_open_the_case(company, time_machine):
    time_machine.move_to(at(2026, 12, 3, 10, 0), tick=False)
    student = Student.objects.create(
        full_name="钱小满", campus=company.campus_a, manager=company.manager_a1, status="active"
    )
    case, _ = retention.case_open(student=student, actor=company.teacher_a, description="上课走神")
    sweep(now=at(2026, 12, 10, 10, 0))  # E1 (3 days) is late: the manager is told
    later = at(2026, 12, 10, 11, 0)
    about_case = Notification.objects.filter(recipient=company.manager_a1, deadline__subject_id=case.pk)
    assert about_case.exists()
    assert set(notifications_for(company.manager_a1, now=later)) >= set(about_case)
    Student.objects.filter(pk=student.pk).update(manager=company.manager_a2)  # cases_for follows the student
    assert not set(notifications_for(company.manager_a1, now=later)) & set(about_case)


def test_a_student_who_moved_takes_a_signed_handover_along(client, company, time_machine):
    from handover.models import Handover
    from students.services import student_assign

    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)
    student = Student.objects.create(full_name="孙浩宇", campus=company.campus_a)
    Contract.objects.create(
        student=student,
        number="HD-9",
        signed_at=at(2026, 12, 1, 9, 0),
        consultant=company.consultant_a,
        subjects="数学",
        hours=Decimal(40),
        unit_price=Decimal(200),
        amount=Decimal(8000),
    )
    student_assign(student=student, manager=company.manager_a1, actor=company.supervisor_a)
    sweep(now=at(2026, 12, 4, 10, 0))  # H1 is late: the manager is told
    handover = Handover.objects.get()
    Handover.objects.filter(pk=handover.pk).update(manager_signed_at=at(2026, 12, 4, 11, 0))
    student_assign(student=student, manager=company.manager_a2, actor=company.supervisor_a, reason="换学管")
    client.force_login(company.manager_a1)
    assert client.get(f"/handover/{handover.pk}/").status_code == 404
    assert "孙浩宇" not in client.get("/handover/").content.decode()
    assert "孙浩宇" not in client.get("/notifications/").content.decode()
    client.force_login(company.manager_a2)
    assert client.get(f"/handover/{handover.pk}/").status_code == 200


def test_part_of_a_number_finds_a_student_only_for_those_who_read_numbers_in_full(client, company):
    from students.models import Guardian

    student = Student.objects.create(full_name="何嘉怡", campus=company.campus_a, manager=company.manager_a1)
    Guardian.objects.create(student=student, name="何妈妈", relation="mother", phone="13812345678")
    found = {}
    for person in ("manager_a1", "scheduler_a"):
        client.force_login(getattr(company, person))
        found[person] = {
            q: "何嘉怡" in client.get("/students/", {"q": q}).content.decode()
            for q in ("1381234", "13812345678")
        }
    assert found["manager_a1"] == {"1381234": True, "13812345678": True}
    assert found["scheduler_a"] == {"1381234": False, "13812345678": True}


def test_a_teacher_prints_the_course_schedule_without_the_family(client, company, story):
    student, case, refund = story
    student.guardians.create(name="赵妈妈", relation="mother", phone="13800000009")
    client.force_login(company.teacher_a)
    response = client.get(f"/students/{student.pk}/schedule/")
    assert response.status_code == 200 and "赵妈妈" not in response.content.decode()
    client.force_login(company.manager_a1)
    assert "赵妈妈" in client.get(f"/students/{student.pk}/schedule/").content.decode()


def test_prints_are_in_the_access_log(client, company, story):
    from timeline.models import Access

    student, case, refund = story
    client.force_login(company.director_a)
    for path in (
        f"/students/{student.pk}/schedule/",
        f"/retention/{case.pk}/print/",
        f"/refunds/{refund.pk}/print/",
    ):
        assert client.get(path).status_code == 200
    prints = Access.objects.filter(action=Access.Action.PRINT, actor=company.director_a, student=student)
    assert prints.count() == 3


@pytest.mark.parametrize("person", EXPECTED)
def test_the_student_pages_rows_are_those_readable_q_gives(company, story, person):
    """The student page asks once which of the student's records its reader may open
    (readable_about_student_q, plain lists of ids): the same events and deadlines as readable_q."""
    student, _case, _refund = story
    user = getattr(company, person)
    events, clocks = Event.objects.filter(student=student), Deadline.objects.filter(student=student)
    once = audience.readable_about_student_q(user, student.pk, [events, clocks])
    for rows in (events, clocks):
        expected = set(rows.filter(audience.readable_q(user)).values_list("pk", flat=True))
        assert set(rows.filter(once).values_list("pk", flat=True)) == expected, person
    if EXPECTED[person]["case"] is not None:  # the case's own rows are among them
        assert events.filter(once, subject_id=_case.pk, kind__startswith="case.").exists(), person


def test_a_company_wide_readers_condition_asks_no_table(company):
    """Every student, handover and refund is the president's: the condition asks no table for them
    (a pass over 100,000 students per list at company size), and still asks for a campus's director."""
    company_wide = str(Event.objects.filter(audience.readable_q(company.president)).query)
    campus = str(Event.objects.filter(audience.readable_q(company.director_a)).query)
    for table in ("students_student", "handover_handover", "refunds_refund"):
        asked = f'EXISTS(SELECT 1 AS "a" FROM "{table}"'
        assert asked not in company_wide and asked in campus, table
