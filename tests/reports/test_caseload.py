"""The caseload report against counts made by hand: students by status and the hours they hold now,
class hours taught in the period and the previous one and by week; a student who moved campus; the
links to the student list."""

from decimal import Decimal

import pytest

from tests.factories import TeamFactory

from .conftest import at, lesson, student


@pytest.fixture
def caseloads(company):
    """By hand, campus A: 王芳 2 active, 1 paused, 1 ended, 1 refunded (18 hours left, the refunded
    one's aside), 李娜 1 onboarding (20), 1 unassigned (40). Taught in December: 王芳 3.5, 李娜 2;
    in November 王芳 2."""
    a1, a2 = company.manager_a1, company.manager_a2
    first, second = student(a1, hours_left=10), student(a1, hours_left=5)
    student(a1, status="paused", hours_left=3)
    student(a1, status="ended")
    student(a1, status="refunded", hours_left=12)
    newcomer = student(a2, status="onboarding", hours_left=20)
    student(campus=company.campus_a, status="onboarding", hours_left=40)
    lesson(first, at(2026, 12, 2, 16), "2")
    lesson(second, at(2026, 12, 9, 16), "1.5")
    lesson(first, at(2026, 11, 11, 16), "2")
    lesson(first, at(2026, 12, 3, 16), "2", status="absent")
    lesson(first, at(2026, 12, 20, 16), "2", status="scheduled")
    lesson(newcomer, at(2026, 12, 15, 16), "2")
    moved = student(company.manager_b, hours_left=8)  # came from campus A; its lessons follow it
    lesson(moved, at(2026, 12, 4, 16), "1")
    return company


def _report(client, user, **query):
    client.force_login(user)
    response = client.get("/reports/caseload/", query)
    assert response.status_code == 200
    return response.context["report"]


def test_the_directors_caseload_counts_as_by_hand(client, caseloads):
    report = _report(client, caseloads.director_a)
    rows = {row.label: row for row in report.rows}
    assert list(rows) == ["王芳", "李娜", "未分配"]
    a1, a2, unassigned = rows["王芳"], rows["李娜"], rows["未分配"]
    assert a1.statuses == {"onboarding": 0, "active": 2, "paused": 1, "ended": 1, "refunded": 1}
    assert (a1.students, a1.hours_left, a1.taught.now, a1.taught.before) == (5, 18, Decimal("3.5"), 2)
    assert (a2.students, a2.hours_left, a2.taught.now, a2.taught.before) == (1, 20, 2, 0)
    assert (unassigned.students, unassigned.hours_left) == (1, 40)
    assert (report.total.students, report.total.hours_left, report.total.taught.now) == (
        7,
        78,
        Decimal("5.5"),
    )
    assert [(w.first.isoformat(), w.figures.hours, w.figures.lessons) for w in report.weeks] == [
        ("2026-11-30", 2, 1),
        ("2026-12-07", Decimal("1.5"), 1),
        ("2026-12-14", 2, 1),
    ]
    html = client.get("/reports/caseload/").content.decode()
    assert f"/students/?manager={caseloads.manager_a1.pk}&amp;status=active" in html
    assert "/students/?manager=none" in html


def test_the_president_reads_caseloads_by_campus_and_lessons_where_the_student_is_now(client, caseloads):
    report = _report(client, caseloads.president)
    assert {row.label: (row.students, row.hours_left, row.taught.now) for row in report.rows} == {
        "海淀校区": (7, 78, Decimal("5.5")),
        "徐汇校区": (1, 8, 1),
    }
    assert f"/students/?campus={caseloads.campus_b.pk}" in client.get("/reports/caseload/").content.decode()


def test_the_supervisor_sees_the_teams_and_the_campus_unassigned_students(client, caseloads):
    report = _report(client, caseloads.supervisor_a)
    assert report.total.students == 7
    assert _report(client, caseloads.supervisor_b).total.students == 1


def test_an_empty_period_taught_nothing_but_the_students_are_there(client, caseloads):
    report = _report(client, caseloads.director_a, **{"from": "2025-03-01", "to": "2025-03-31"})
    assert report.weeks == [] and report.total.taught.now == 0 and report.total.taught.before == 0
    assert report.total.students == 7


def test_a_manager_who_moved_teams_takes_their_students_along(client, caseloads):
    team = TeamFactory(campus=caseloads.campus_a, name="学管二组")
    caseloads.manager_a1.team = team
    caseloads.manager_a1.save(update_fields=["team"])
    assert {row.label for row in _report(client, caseloads.supervisor_a).rows} == {"李娜", "未分配"}
    moved = _report(client, team.supervisor)
    assert [(row.label, row.students, row.taught.now) for row in moved.rows if row.key] == [
        ("王芳", 5, Decimal("3.5"))
    ]


def test_the_hours_taught_are_drawn_week_by_week(client, caseloads):
    client.force_login(caseloads.director_a)
    html = client.get("/reports/caseload/").content.decode()
    start = html.index('class="chart')
    chart = html[start : html.index("</svg>", start)]
    # December's five weeks: 2, 1.5 and 2 hours taught, then two weeks without lessons yet.
    assert chart.count('fill="#0072B2"') == 3 and ">1.5</text>" in chart
    assert chart.count("</title></rect>") == 5 + 3  # each week's tooltip, and each bar's
    assert "12-28 当周：0 课时，0 节课" in chart


def test_the_companys_students_by_campus_and_status_are_read_from_their_index_alone(client, caseloads):
    """student_campus_status carries each student's hours left: the president's figures of 100,000
    students are an index-only scan at company size, not a pass over the table (45 → 20 ms)."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from students.models import Student

    client.force_login(caseloads.president)
    with CaptureQueriesContext(connection) as queries:
        client.get("/reports/caseload/")
    by_status = [
        q["sql"] for q in queries if q["sql"].startswith('SELECT "students_student"."campus_id" AS "campus"')
    ]
    assert len(by_status) == 1
    index = next(index for index in Student._meta.indexes if index.name == "student_campus_status")
    covered = {Student._meta.get_field(name).column for name in (*index.fields, *index.include)}
    assert set(re.findall(r'"students_student"\."(\w+)"', by_status[0])) <= covered, by_status[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'student_campus_status'")
        assert "INCLUDE (hours_left)" in cursor.fetchone()[0]
