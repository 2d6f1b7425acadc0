"""Issue 13: the follow-up lists and the homes' parts read what their rows need, whatever the size of
the campus's history: the renewal list asks the ended students' own clocks (not every open R1 of the
campus), the team's day counts each manager's rows through their index ranges and picks the first
late rows before joining their students, and the waived deadlines stay out of the on-time rate."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from deadlines.models import Deadline, Status
from deadlines.selectors import TEAM_LATE_ROWS, team_day
from deadlines.services import deadline_open
from followups.selectors import renewal_list
from students.models import Student

from ..deadlines.conftest import at
from ..deadlines.test_home_bounds import late, pile
from .test_home_renewal_scope import rows_read

NOW = at(2026, 12, 2, 10, 0)


def r1_piles(owner, n):
    """`n` open R1 of active students of `owner`: what a campus has when its students run low."""
    students = [
        Student.objects.create(full_name=f"在读{i}", campus=owner.campus, manager=owner, status="active")
        for i in range(3)
    ]
    kind = ContentType.objects.get_for_model(Student)
    Deadline.objects.bulk_create(
        Deadline(
            rule="R1",
            subject_type=kind,
            subject_id=students[i % 3].pk,
            student=students[i % 3],
            occurrence=i + 1,
            campus=owner.campus,
            owner=owner,
            due_at=NOW,
            status=Status.OPEN,
        )
        for i in range(n)
    )
    return students


def test_the_campus_renewal_list_asks_the_ended_students_clocks_only(company):
    manager = company.manager_a1
    r1_piles(manager, 300)  # the active students' open R1: never read to find the ended ones
    asked = Student.objects.create(full_name="待续费", campus=manager.campus, manager=manager, status="ended")
    deadline_open(rule="R1", subject=asked, owner=manager)
    Student.objects.create(full_name="已结束", campus=manager.campus, manager=manager, status="ended")
    with connection.cursor() as cursor:  # the planner told the tables' sizes, as at company size
        cursor.execute("ANALYZE deadlines_deadline")
        cursor.execute("ANALYZE students_student")
        cursor.execute("SET LOCAL enable_seqscan = off")  # nor read a test's tiny tables whole
    for reader in (company.supervisor_a, company.director_a, manager):
        students = renewal_list(reader, below_only=False)
        names = [s.full_name for s in students]
        assert "待续费" in names and "已结束" not in names, reader
        # The ended students' rows (their own R1 for the list's column): not the campus's 300 open R1.
        assert rows_read(students.filter(status="ended"), "deadlines_deadline") < 10, reader


def test_another_manager_s_r1_does_not_put_an_ended_student_on_a_manager_s_list(company):
    ended = Student.objects.create(
        full_name="别组的", campus=company.manager_a1.campus, manager=company.manager_a1, status="ended"
    )
    deadline_open(rule="R1", subject=ended, owner=company.manager_a1)
    assert "别组的" not in [s.full_name for s in renewal_list(company.manager_a2, below_only=False)]
    assert "别组的" in [s.full_name for s in renewal_list(company.manager_a1, below_only=False)]


def test_the_team_s_day_joins_the_first_late_rows_only_and_leaves_the_waived_out(company):
    first = late(company.manager_a1, 200)
    pile(company.manager_a2, 5, first_due=NOW - timedelta(hours=1), status=Status.OVERDUE, name="同组")
    month = pile(company.manager_a1, 4, first_due=at(2026, 12, 1, 9, 0), status=Status.MET, name="本月")
    Deadline.objects.filter(pk=month[0].pk).update(status=Status.WAIVED)
    days = {d.manager.pk: d for d in team_day(company.supervisor_a, now=NOW)}
    mine = days[company.manager_a1.pk]
    assert [d.pk for d in mine.rows] == [d.pk for d in first[:TEAM_LATE_ROWS]]  # the longest late first
    assert mine.counts["overdue"] == 200 and mine.more_late == 200 - TEAM_LATE_ROWS
    assert (mine.met_on_time, mine.due_this_month) == (3, 3)  # the waived one is not counted
    assert len(days[company.manager_a2.pk].rows) == TEAM_LATE_ROWS
