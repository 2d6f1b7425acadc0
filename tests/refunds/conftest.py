from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from retention import services as retention
from students.models import Contract, Lesson, Student

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def lost(company, time_machine):
    time_machine.move_to(at(2026, 12, 3, 10, 0), tick=False)
    return lost_case(company)


def lost_case(company, number: str = "HD-1"):
    """A student with a 40-hour contract (8,000), 10 hours taught, whose case was lost."""
    student = Student.objects.create(
        full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1, status="active"
    )
    Contract.objects.create(
        student=student,
        number=number,
        signed_at=at(2026, 10, 1, 9, 0),
        consultant=company.consultant_a,
        subjects="数学",
        hours=Decimal(40),
        unit_price=Decimal(200),
        amount=Decimal(8000),
    )
    for week in range(5):
        start = at(2026, 10, 10, 9, 0) + timedelta(weeks=week)
        Lesson.objects.create(
            student=student,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            subject="数学",
            hours=2,
            status="done",
        )
    case, _ = retention.case_open(student=student, actor=company.manager_a1, description="家长要退费")
    retention.warning_escalate(
        case=case, actor=company.manager_a1, parent_talk="", conflict_points="没进步", kind="refund_intent"
    )
    retention.rescue_failed(
        case=case,
        actor=company.supervisor_a,
        lost_order_report="反馈太少",
        rescue_report="两次面谈",
        reasons=["rel_feedback"],
    )
    retention.report_submit(case=case, actor=company.supervisor_a, department_feedback="已反馈", memo="纪要")
    retention.director_decide(case=case, actor=company.director_a, director_rescue="未能挽回", retained=False)
    case.refresh_from_db()
    return case
