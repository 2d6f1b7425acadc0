from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from students.models import Contract, Lesson, Student
from tests.factories import case_lost

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
    case = case_lost(student, company)
    return case
