"""The punctuality report against counts made by hand: the on-time rate, late and escalated counts by
person and rule, the weekly trend, the previous period beside it; a manager who moved teams, a student
who moved campus, an empty period; the deadlines behind each figure; and the one on-time rate of the
homes and the report."""

import pytest

from accounts.models import Role, Team
from deadlines.selectors import campus_on_time, team_day
from students.models import Student
from tests.factories import TeamFactory, UserFactory

from .conftest import DECEMBER, NOVEMBER, NOW, at, deadline, student


@pytest.fixture
def clocks(company):
    """December (due by now, the 16th) and November (to the 16th, as far as December has run)
    deadlines of campus A's two managers and campus B's one; by hand, campus A in December: 6 due,
    3 on time, 3 late, 1 escalated; November: 3 due, 2 on time, 1 escalated."""
    a1, a2, b = company.manager_a1, company.manager_a2, company.manager_b
    deadline(a1, "L4", at(2026, 12, 2, 18), "met")  # week of Nov 30
    deadline(a1, "L4", at(2026, 12, 3, 18), "met_late")
    deadline(a1, "L4", at(2026, 12, 10, 18), "met")  # week of Dec 7
    deadline(a1, "L6", at(2026, 12, 11, 18), "overdue", level=1)
    deadline(a1, "H1", at(2026, 12, 15, 18), "missed")  # week of Dec 14
    deadline(a1, "L6", at(2026, 12, 14, 18), "waived")  # not counted
    deadline(a1, "L4", at(2026, 12, 20, 18), "open")  # not due yet: not counted
    deadline(a2, "L6", at(2026, 12, 9, 18), "met")
    deadline(a1, "L4", at(2026, 11, 5, 18), "met")
    deadline(a1, "L4", at(2026, 11, 12, 18), "met")
    deadline(a2, "L6", at(2026, 11, 16, 18), "met_late", level=2)
    deadline(b, "L4", at(2026, 12, 7, 18), "met_late")
    return company


def _report(client, user, **query):
    client.force_login(user)
    response = client.get("/reports/punctuality/", query)
    assert response.status_code == 200
    return response.context["report"]


def _figures(punctual) -> tuple:
    return punctual.due, punctual.on_time, punctual.late, punctual.escalated, punctual.rate


def test_the_directors_report_counts_as_by_hand(client, clocks):
    report = _report(client, clocks.director_a)
    assert (report.period.first.isoformat(), report.previous.first.isoformat()) == (
        "2026-12-01",
        "2026-11-01",
    )
    assert _figures(report.total.now) == (6, 3, 3, 1, 50)
    assert _figures(report.total.before) == (3, 2, 1, 1, 67)
    rows = {row.label: row for row in report.rows}
    assert list(rows) == ["王芳", "李娜"]  # the most late first
    a1, a2 = rows["王芳"], rows["李娜"]
    assert _figures(a1.total.now) == (5, 2, 3, 1, 40)
    assert _figures(a1.total.before) == (2, 2, 0, 0, 100)
    assert _figures(a2.total.now) == (1, 1, 0, 0, 100)
    assert _figures(a2.total.before) == (1, 0, 1, 1, 0)
    assert report.rules == ["H1", "L4", "L6"]
    assert _figures(a1.rules["L4"].now) == (3, 2, 1, 0, 67)
    assert _figures(a1.rules["L4"].before) == (2, 2, 0, 0, 100)
    assert _figures(a1.rules["H1"].now) == (1, 0, 1, 0, 0)
    assert [rule for rule, pair in a2.cells if pair] == ["L6"]
    assert [(w.first.isoformat(), _figures(w.figures)) for w in report.weeks] == [
        ("2026-11-30", (2, 1, 1, 0, 50)),
        ("2026-12-07", (3, 2, 1, 1, 67)),
        ("2026-12-14", (1, 0, 1, 0, 0)),
    ]


def test_the_president_reads_the_company_by_campus_and_one_campus_by_person(client, clocks):
    report = _report(client, clocks.president)
    assert {row.label: _figures(row.total.now) for row in report.rows} == {
        "海淀校区": (6, 3, 3, 1, 50),
        "徐汇校区": (1, 0, 1, 0, 0),
    }
    assert _figures(report.total.now) == (7, 3, 4, 1, 43)
    report = _report(client, clocks.president, campus=clocks.campus_b.pk)
    assert [(row.label, _figures(row.total.now)) for row in report.rows] == [("周敏", (1, 0, 1, 0, 0))]


def test_each_role_reads_its_own_scope(client, clocks):
    assert _figures(_report(client, clocks.supervisor_a).total.now) == (6, 3, 3, 1, 50)
    assert _figures(_report(client, clocks.supervisor_b).total.now) == (1, 0, 1, 0, 0)
    assert _figures(_report(client, clocks.director_b).total.now) == (1, 0, 1, 0, 0)


def test_a_campus_outside_the_presidents_list_is_refused_not_followed(client, clocks):
    client.force_login(clocks.director_a)
    response = client.get("/reports/punctuality/", {"campus": clocks.campus_b.pk})
    assert _figures(response.context["report"].total.now) == (
        6,
        3,
        3,
        1,
        50,
    )  # a director has no campus filter
    client.force_login(clocks.president)
    response = client.get("/reports/punctuality/", {"campus": 999999})
    assert response.context["form"].errors and _figures(response.context["report"].total.now)[0] == 7


def test_a_manager_who_moved_teams_takes_their_figures_to_the_new_team(client, clocks):
    team = TeamFactory(campus=clocks.campus_a, name="学管二组")
    clocks.manager_a2.team = team
    clocks.manager_a2.save(update_fields=["team"])
    assert _figures(_report(client, clocks.supervisor_a).total.now) == (5, 2, 3, 1, 40)
    moved = _report(client, team.supervisor)
    assert [(row.label, _figures(row.total.now), _figures(row.total.before)) for row in moved.rows] == [
        ("李娜", (1, 1, 0, 0, 100), (1, 0, 1, 1, 0))
    ]
    assert _figures(_report(client, clocks.director_a).total.now) == (6, 3, 3, 1, 50)


def test_a_student_who_moved_campus_leaves_their_deadlines_where_they_were_done(client, clocks):
    moving = student(clocks.manager_a1, name="转校生")
    deadline(clocks.manager_a1, "L4", at(2026, 12, 8, 18), "met_late", of=moving)
    Student.objects.filter(pk=moving.pk).update(campus=clocks.campus_b, manager=clocks.manager_b)
    assert _figures(_report(client, clocks.director_a).total.now) == (7, 3, 4, 1, 43)
    assert _figures(_report(client, clocks.director_b).total.now) == (1, 0, 1, 0, 0)
    # The list behind the figure counts it, but does not show the student the director may no longer open.
    client.force_login(clocks.director_a)
    response = client.get("/reports/punctuality/deadlines/", {**DECEMBER, "state": "late"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 3 and response.context["hidden"] == 1
    assert "转校生" not in response.content.decode()


def test_an_empty_period_shows_no_rate(client, clocks):
    report = _report(client, clocks.director_a, **{"from": "2025-03-01", "to": "2025-03-31"})
    assert report.rows == [] and report.weeks == []
    assert report.total.now.rate is None and report.total.before.rate is None
    assert (
        "—"
        in client.get("/reports/punctuality/", {"from": "2025-03-01", "to": "2025-03-31"}).content.decode()
    )


def test_a_supervisor_of_two_teams_narrows_the_report_to_one(client, clocks):
    other = TeamFactory(campus=clocks.campus_a, name="学管三组", supervisor=clocks.supervisor_a)
    newcomer = UserFactory(role=Role.LEARNING_MANAGER, campus=clocks.campus_a, team=other, full_name="陈晨")
    deadline(newcomer, "L4", at(2026, 12, 1, 18), "met")
    assert _figures(_report(client, clocks.supervisor_a).total.now) == (7, 4, 3, 1, 57)
    report = _report(client, clocks.supervisor_a, team=other.pk)
    assert [(row.label, _figures(row.total.now)) for row in report.rows] == [("陈晨", (1, 1, 0, 0, 100))]
    alone = Team.objects.get(pk=clocks.team_b.pk)
    response = client.get("/reports/punctuality/", {"team": alone.pk})  # not theirs: said, not followed
    assert response.context["form"].errors and response.context["report"].total.now.due == 7


def test_the_deadlines_behind_a_figure(client, clocks):
    client.force_login(clocks.director_a)
    lists = "/reports/punctuality/deadlines/"
    late = client.get(lists, {**DECEMBER, "manager": clocks.manager_a1.pk, "state": "late"})
    assert [d.rule for d in late.context["page"]] == ["H1", "L6", "L4"]  # the latest due first
    assert all(d.act_url and d.student_url for d in late.context["page"])
    cell = client.get(lists, {**DECEMBER, "manager": clocks.manager_a1.pk, "rule": "L4"})
    assert cell.context["page"].paginator.count == 3
    escalated = client.get(lists, {**NOVEMBER, "state": "escalated"})
    assert [d.owner for d in escalated.context["page"]] == [clocks.manager_a2]
    on_time = client.get(lists, {**DECEMBER, "state": "on_time"})
    assert on_time.context["page"].paginator.count == 3


def test_a_list_behind_a_figure_outside_the_readers_scope_is_a_404(client, clocks):
    lists = "/reports/punctuality/deadlines/"
    client.force_login(clocks.director_b)
    assert client.get(lists, {**DECEMBER, "manager": clocks.manager_a1.pk}).status_code == 404
    client.force_login(clocks.supervisor_a)
    assert client.get(lists, {**DECEMBER, "manager": clocks.manager_b.pk}).status_code == 404
    assert client.get(lists, {**DECEMBER, "team": clocks.team_b.pk}).status_code == 404
    assert client.get(lists, {"state": "late"}).status_code == 404  # no period
    client.force_login(clocks.president)
    assert client.get(lists, {**DECEMBER, "campus": 999999}).status_code == 404
    assert client.get(lists, {**DECEMBER, "campus": clocks.campus_b.pk}).context["page"].paginator.count == 1


def test_the_homes_and_the_report_compute_one_on_time_rate(client, clocks):
    month = _report(client, clocks.supervisor_a)
    by_name = {row.label: row.total.now for row in month.rows}
    for day in team_day(clocks.supervisor_a, now=NOW):
        if day.due_this_month:
            figures = by_name[day.manager.display_name]
            assert (day.due_this_month, day.met_on_time, day.on_time_rate) == (
                figures.due,
                figures.on_time,
                figures.rate,
            )
    home = campus_on_time(clocks.director_a, now=NOW)
    report = _report(client, clocks.director_a).total.now
    assert (home.due, home.met_on_time, home.rate) == (report.due, report.on_time, report.rate)


def test_the_weekly_trend_is_drawn_week_by_week(client, clocks):
    client.force_login(clocks.director_a)
    html = client.get("/reports/punctuality/").content.decode()
    start = html.index('class="chart')
    chart = html[start : html.index("</svg>", start)]
    # The rate of each week with deadlines due (50 %, 67 %, 0 %), the weeks after it left blank.
    assert ">50%</text>" in chart and ">67%</text>" in chart and ">0%</text>" in chart
    assert chart.count("</title></circle>") == 3 and ">12-28</text>" in chart
    assert 'aria-label="每周准时率' in chart


def test_the_companys_live_figures_read_only_what_the_due_index_covers(client, clocks):
    """The president's figures of the days not yet kept count rows (COUNT(1)), not their keys: the
    deadline_due index (due_at with campus, rule, status, escalation_level) answers alone, an index-only
    scan at company size instead of one read of the table per deadline (106 → 17 ms on 23,000)."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(clocks.president)
    with CaptureQueriesContext(connection) as queries:
        client.get("/reports/punctuality/")
    sqls = [q["sql"] for q in queries]
    grouped = [sql for sql in sqls if 'FROM "deadlines_deadline"' in sql and "GROUP BY" in sql]
    assert grouped
    covered = {"due_at", "campus_id", "rule", "status", "escalation_level"}
    for sql in grouped:
        assert set(re.findall(r'"deadlines_deadline"\."(\w+)"', sql)) <= covered, sql
