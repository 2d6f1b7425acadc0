from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from students.models import Contract, Lesson, Student
from students.services import lesson_mark

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def taught(company, time_machine):
    """A student whose first lesson, Tuesday 1 Dec 16:00-18:00, was just marked done."""
    time_machine.move_to(at(2026, 11, 20, 10, 0), tick=False)
    student = Student.objects.create(full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1)
    Contract.objects.create(
        student=student,
        number="HD-1",
        signed_at=at(2026, 11, 20, 9, 0),
        consultant=company.consultant_a,
        subjects="数学",
        hours=Decimal(40),
        unit_price=Decimal(200),
        amount=Decimal(8000),
    )
    lesson = Lesson.objects.create(
        student=student,
        starts_at=at(2026, 12, 1, 16, 0),
        ends_at=at(2026, 12, 1, 18, 0),
        subject="数学",
        hours=Decimal(2),
        teacher=company.teacher_a,
    )
    time_machine.move_to(at(2026, 12, 1, 18, 5), tick=False)
    lesson_mark(lesson=lesson, actor=company.teacher_a, status="done")
    time_machine.move_to(at(2026, 12, 1, 20, 0), tick=False)
    return student
