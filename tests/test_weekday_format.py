"""One weekday format everywhere: 周六 (Django's "l", WEEKDAYS), never 星期六 (its "D" in Chinese, whose
translations swap the two) beside it."""

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings

from students.models import Lesson, Student

SH = ZoneInfo("Asia/Shanghai")
DATE_FORMAT = re.compile(r"""\|date:["']([^"']*)["']""")


def test_no_template_formats_a_weekday_with_d():
    """Django's date format letter D (an unescaped one) is the other weekday format."""
    offenders = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for fmt in DATE_FORMAT.findall(template.read_text(encoding="utf-8")):
            if re.search(r"(?<!\\)D", fmt):
                offenders.append(f"{template.name}: {fmt}")
    assert offenders == []


def test_a_students_lessons_say_the_weekday_as_the_weekend_timetable_does(client, company, time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 10, 0, tzinfo=SH), tick=False)
    student = Student.objects.create(full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1)
    Lesson.objects.create(
        student=student,
        starts_at=datetime(2026, 12, 5, 9, 0, tzinfo=SH),  # a Saturday
        ends_at=datetime(2026, 12, 5, 11, 0, tzinfo=SH),
        subject="数学",
        hours=2,
    )
    client.force_login(company.manager_a1)
    page = client.get(f"/students/{student.pk}/schedule/").content.decode()
    assert "2026-12-05 周六" in page and "星期" not in page
