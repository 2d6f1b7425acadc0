from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from students.models import Student

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def student(company):
    return Student.objects.create(full_name="小明", campus=company.campus_a, manager=company.manager_a1)


@pytest.fixture
def student_b(company):
    return Student.objects.create(full_name="小红", campus=company.campus_b, manager=company.manager_b)
