"""One campus with a record of every kind the URL patterns name, built through the services, at
Thursday 3 December 2026 10:00 in Shanghai: what the fuzz's endpoints need for their URL kwargs."""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from deadlines.models import ACTIVE, Deadline, Notification
from followups.concerns import concern_raise
from followups.exams import exam_add
from handover import services as handover
from handover.models import Handover, PaperItem, WeekendTimetable
from refunds import services as refunds
from refunds.models import RefundAttachment
from retention import services as retention
from students.models import ContractImport, Document, Lesson, Student
from students.services import contract_sign, student_assign
from tests.factories import case_lost

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=SH)  # a Thursday


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def signed_student(company, number: str, name: str) -> Student:
    """A contract entered by the consultant and the student assigned to manager A1 (the handover runs)."""
    contract = contract_sign(
        actor=company.consultant_a,
        new_student={"full_name": name, "gender": "", "school": "", "grade": ""},
        guardian={
            "name": "家长",
            "relation": "mother",
            "phone": "13800000009",
            "wechat": "",
            "best_time_to_call": "",
        },
        contract={
            "number": number,
            "signed_at": NOW - timedelta(days=60),
            "subjects": "数学",
            "hours": Decimal(40),
            "unit_price": Decimal(200),
            "amount": Decimal(8000),
        },
    )
    student_assign(student=contract.student, manager=company.manager_a1, actor=company.supervisor_a)
    return Student.objects.get(pk=contract.student_id)


def lost_case(company, number: str, name: str):
    """A student with 10 of 40 hours taught whose case went all the way to a loss."""
    student = signed_student(company, number, name)
    Student.objects.filter(pk=student.pk).update(status=Student.Status.ACTIVE)
    for week in range(5):
        start = NOW - timedelta(weeks=8 - week)
        Lesson.objects.create(
            student=student,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            subject="数学",
            hours=2,
            status="done",
        )
    case = case_lost(student, company)
    return case


def build(company) -> SimpleNamespace:
    w = SimpleNamespace(company=company)
    # The student most pages are about: taught, with lessons past, to come and missed, documents,
    # a concern, an open warning sign and the handover of the contract.
    w.student = signed_student(company, "FZ-1", "赵一鸣")
    Student.objects.filter(pk=w.student.pk).update(status=Student.Status.ACTIVE)
    w.student.refresh_from_db()
    w.guardian = w.student.guardians.get()
    w.lesson_begun = Lesson.objects.create(
        student=w.student,
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(hours=1),
        subject="数学",
        hours=2,
        teacher=company.teacher_a,
    )
    w.lesson_to_come = Lesson.objects.create(
        student=w.student,
        starts_at=at(2026, 12, 10, 16, 0),
        ends_at=at(2026, 12, 10, 18, 0),
        subject="数学",
        hours=2,
        teacher=company.teacher_a,
        classroom="301",
    )
    w.lesson_missed = Lesson.objects.create(
        student=w.student,
        starts_at=at(2026, 12, 1, 16, 0),
        ends_at=at(2026, 12, 1, 18, 0),
        subject="数学",
        hours=2,
        status=Lesson.Status.ABSENT,
    )
    w.document = Document.objects.create(
        student=w.student,
        kind=Document.Kind.TEACHING_PLAN,
        title="教学计划",
        file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%fuzz\n"),
        uploaded_by=company.teacher_a,
        uploaded_at=NOW - timedelta(days=1),
    )
    w.concern, _ = concern_raise(
        student=w.student,
        actor=company.teacher_a,
        request_key=uuid.uuid4(),
        kind="mood",
        description="上课走神",
    )
    w.case, _ = retention.case_open(
        student=w.student, actor=company.manager_a1, description="家长说孩子不想来了"
    )
    w.handover = Handover.objects.get(student=w.student)
    w.paper_item = PaperItem.objects.create(
        handover=w.handover, name="合同原件", present=False, promised_on=date(2026, 12, 7)
    )
    # A new student before the first lesson (the pre-class checklist).
    w.newcomer = signed_student(company, "FZ-2", "钱小二")
    handover.first_lesson_set(
        student=w.newcomer,
        actor=company.scheduler_a,
        starts_at=at(2026, 12, 12, 10, 0),
        ends_at=at(2026, 12, 12, 12, 0),
        subject="英语",
        hours=Decimal(2),
        teacher=company.teacher_a,
        classroom="302",
    )
    # Two lost cases: one with its refund on the way, one still without.
    w.lost_case = lost_case(company, "FZ-3", "孙小三")
    w.refund, _ = refunds.refund_submit(
        case=w.lost_case,
        actor=company.supervisor_a,
        request_key=uuid.uuid4(),
        applicant="孙妈妈",
        applied_on=date(2026, 12, 2),
        reason="孩子不想继续",
        scan=SimpleUploadedFile("application.pdf", b"%PDF-1.4\n%fuzz\n"),
    )
    w.refund_attachment = RefundAttachment.objects.create(
        version=w.refund.versions.get(),
        file=SimpleUploadedFile("invoice.pdf", b"%PDF-1.4\n%fuzz\n"),
        name="invoice.pdf",
        uploaded_by=company.supervisor_a,
    )
    w.lost_case_without_refund = lost_case(company, "FZ-4", "李小四")
    # The clock, a notice of it, the weekend timetable and a contract import.
    w.deadline = Deadline.objects.filter(student=w.student, status__in=ACTIVE).order_by("pk").first()
    w.notification = Notification.objects.create(
        recipient=company.manager_a1,
        deadline=w.deadline,
        kind=Notification._meta.get_field("kind").choices[0][0],
    )
    w.weekend = WeekendTimetable.objects.create(
        manager=company.manager_a1, saturday=handover.coming_saturday(NOW.date())
    )
    w.contract_import = ContractImport.objects.create(
        created_by=company.consultant_a,
        file_name="contracts.csv",
        text="number\n",
        status=ContractImport.Status.DONE,
    )
    # An exam of the student's own, whose L5 is open (the "no score" form).
    exam, _ = exam_add(
        actor=company.manager_a1, request_key=uuid.uuid4(), kind="monthly", date=NOW.date(), student=w.student
    )
    w.sitting = exam.sittings.get()
    return w
