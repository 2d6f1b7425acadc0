"""The access log's student filter (issue 13): a rare name reads its students first, then their
entries; a common one walks the log as before. The same entries, in the same order, either way."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from students.models import Student
from timeline.models import Access
from timeline.selectors import access_log

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("matches", [200, 1, 0], ids=["their ids", "one id", "too many: by the name"])
@pytest.mark.parametrize("person", ["director_a", "admin"])
def test_the_student_filter_finds_the_same_entries_either_way(company, monkeypatch, matches, person):
    monkeypatch.setattr("timeline.selectors.STUDENT_MATCHES", matches)
    at = datetime(2026, 12, 1, 10, 0, tzinfo=SH)
    zhao = Student.objects.create(full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1)
    moved = Student.objects.create(full_name="赵一鸣", campus=company.campus_b, manager=company.manager_b)
    other = Student.objects.create(full_name="钱多多", campus=company.campus_a, manager=company.manager_a1)
    entries = [
        Access(
            actor=company.manager_a1,
            action=Access.Action.FILE_OPENED,
            campus=campus,
            student=s,
            at=at - timedelta(minutes=i),
        )
        for i, (s, campus) in enumerate(
            [
                (zhao, company.campus_a),
                (other, company.campus_a),
                (moved, company.campus_a),
                (moved, company.campus_b),
                (zhao, company.campus_a),
            ]
            * 3
        )
    ]
    Access.objects.bulk_create(entries)
    reader = getattr(company, person)
    expected = list(
        Access.objects.filter(student__full_name__icontains="一鸣")
        .filter(**({} if person == "admin" else {"campus": company.campus_a}))
        .order_by("-at", "-pk")
        .values_list("pk", flat=True)
    )
    assert list(access_log(reader, student="一鸣").values_list("pk", flat=True)) == expected
    assert access_log(reader, student="无此人").count() == 0
