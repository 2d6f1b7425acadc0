"""Issue 13: the clocks a page reads at company size come through an index named for that read: a
record's clocks (a case's, a handover's, a refund's page), a student's active clocks (the student
page, the student list asking whether a student has late work) and what the sweep escalated to the
directors (their home, the president's per campus, the navigation's count)."""

from datetime import timedelta

from django.db import connection

from deadlines.models import ACTIVE, Deadline
from deadlines.selectors import escalated_to_director
from retention.models import Case
from retention.selectors import case_clocks

from .conftest import at
from .test_home_bounds import late, pile

NOW = at(2026, 12, 2, 10, 0)


def plan(queryset, *, ordered: bool = False) -> str:
    """The plan PostgreSQL picks when it may not read a table whole (a test's tables are tiny), and
    with `ordered` not sort the rows either (a few sort faster than they are read in order)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE deadlines_deadline")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"SET LOCAL enable_sort = {'off' if ordered else 'on'}")
    return queryset.explain()


def test_a_records_clocks_are_read_through_the_subject_index(company):
    pile(company.manager_a1, 30, first_due=NOW)
    case = Case(pk=12345)  # the clocks of a case are asked by its key: no case row is needed
    assert "deadline_subject" in plan(case_clocks(case))


def test_a_students_active_clocks_are_read_through_the_student_index(company):
    rows = pile(company.manager_a1, 30, first_due=NOW - timedelta(days=1))
    student = rows[0].student
    active = Deadline.objects.filter(student=student, status__in=ACTIVE, due_at__lte=NOW)
    assert "deadline_student_active" in plan(active.order_by("due_at"), ordered=True)


def test_what_was_escalated_to_the_directors_is_read_through_its_partial_index(company):
    pile(company.manager_a1, 30, first_due=NOW)
    late(company.manager_a1, 3, level=2)
    for person in ("director_a", "president"):
        escalated = escalated_to_director(getattr(company, person))
        assert escalated.count() == 3, person
        assert "deadline_escalated_campus" in plan(escalated.values("campus").distinct()), person
