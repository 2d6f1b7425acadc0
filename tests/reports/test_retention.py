"""The retention report against counts made by hand: cases raised, stabilised, retained (by the team,
by the director), lost; the rescue success rate of each stage; the lost cases' reasons by group;
refunds applied for and paid; a student who moved campus; finance's refunds; the records behind
each figure."""

from datetime import date

import pytest

from retention.models import Case
from students.models import Student
from tests.factories import TeamFactory

from .conftest import DECEMBER, NOVEMBER, at, case, refund, student


@pytest.fixture
def cases(company):
    """By hand, campus A in December: 4 raised, 1 stabilised, 1 retained by the team, 1 by the
    director, 1 lost — stages 25%, 33%, 50%; November: 2 raised, 1 lost. Refunds: December 1 applied
    for (¥3,000), 2 paid (¥7,800); November 1 applied for (¥5,000)."""
    a1, a2 = company.manager_a1, company.manager_a2
    case(
        student(a1),
        at(2026, 12, 2, 10),
        outcome="stabilised",
        decided=at(2026, 12, 4, 10),
        reasons=["rel_feedback"],
    )
    case(
        student(a1),
        at(2026, 11, 13, 10),
        outcome="retained",
        decided=at(2026, 12, 5, 10),
        reasons=["work_plan"],
    )
    lost = case(
        student(a1),
        at(2026, 12, 3, 10),
        outcome="lost",
        decided=at(2026, 12, 10, 10),
        reasons=["attitude_hard", "work_file", "rel_callbacks"],
    )
    case(student(a2), at(2026, 12, 6, 10), outcome="retained", decided=at(2026, 12, 12, 10), by_director=True)
    case(student(a2), at(2026, 12, 8, 10))  # still being rescued
    lost_before = case(
        student(a1),
        at(2026, 11, 3, 10),
        outcome="lost",
        decided=at(2026, 11, 14, 10),
        reasons=["rel_feedback", "rel_absences"],
    )
    case(student(company.manager_b), at(2026, 12, 1, 10), outcome="stabilised", decided=at(2026, 12, 2, 10))
    supervisor = company.supervisor_a
    refund(lost, at(2026, 12, 11, 10), 3000, by=supervisor, paid=date(2026, 12, 14), paid_back=2800)
    refund(lost_before, at(2026, 11, 15, 10), 5000, by=supervisor, paid=date(2026, 12, 1))
    return company


def _report(client, user, **query):
    client.force_login(user)
    response = client.get("/reports/retention/", query)
    assert response.status_code == 200
    return response.context["report"]


def _cases(c) -> tuple:
    figures = (c.raised, c.stabilised, c.retained_by_team, c.retained_by_director, c.lost)
    return figures + (c.manager_stage.percent, c.team_stage.percent, c.director_stage.percent)


def _refunds(r) -> tuple:
    return r.applied, r.applied_amount, r.paid, r.paid_amount


def test_the_directors_retention_report_counts_as_by_hand(client, cases):
    report = _report(client, cases.director_a)
    assert _cases(report.cases.now) == (4, 1, 1, 1, 1, 25, 33, 50)
    assert _cases(report.cases.before) == (2, 0, 0, 0, 1, 0, 0, 0)
    rows = {row.label: row for row in report.rows}
    assert _cases(rows["王芳"].cases.now) == (2, 1, 1, 0, 1, 33, 50, 0)
    assert _cases(rows["李娜"].cases.now) == (2, 0, 0, 1, 0, 0, 0, 100)  # the team failed, the director kept
    lost_by_group = {group: (pair.now, pair.before) for group, pair in report.reasons.items()}
    assert lost_by_group == {
        "service_attitude": (1, 0),
        "the_work": (1, 0),
        "relationship": (1, 1),  # two reasons of one group count once
        "departments": (0, 0),
        "personal": (0, 0),
        "other": (0, 0),
    }
    assert _refunds(report.refunds.now) == (1, 3000, 2, 7800)
    assert _refunds(report.refunds.before) == (1, 5000, 0, 0)
    assert _refunds(rows["王芳"].refunds.now) == (1, 3000, 2, 7800)


def test_an_empty_period_has_no_rates(client, cases):
    report = _report(client, cases.director_a, **{"from": "2025-03-01", "to": "2025-03-31"})
    assert report.rows == [] and _cases(report.cases.now) == (0, 0, 0, 0, 0, None, None, None)


def test_the_president_reads_cases_by_campus(client, cases):
    report = _report(client, cases.president)
    assert {row.label: _cases(row.cases.now)[:5] for row in report.rows} == {
        "海淀校区": (4, 1, 1, 1, 1),
        "徐汇校区": (1, 1, 0, 0, 0),
    }


def test_finance_reads_the_refunds_of_every_campus_and_no_case(client, cases):
    report = _report(client, cases.finance)
    assert _refunds(report.refunds.now) == (1, 3000, 2, 7800)
    assert _cases(report.cases.now)[:5] == (0, 0, 0, 0, 0)
    assert "挽单成功率" not in client.get("/reports/retention/").content.decode()
    lists = client.get("/reports/retention/refunds/", {**DECEMBER, "figure": "paid"})
    assert lists.status_code == 200 and lists.context["page"].paginator.count == 2
    assert all(r.url.startswith("/refunds/") for r in lists.context["page"])
    assert client.get("/reports/retention/cases/", {**DECEMBER, "figure": "lost"}).status_code == 403


def test_a_student_who_moved_campus_leaves_their_case_where_it_was_raised(client, cases):
    moved = Case.objects.get(outcome="lost", outcome_at__month=12)
    Student.objects.filter(pk=moved.student_id).update(campus=cases.campus_b, manager=cases.manager_b)
    assert _cases(_report(client, cases.director_a).cases.now)[:5] == (4, 1, 1, 1, 1)
    assert _cases(_report(client, cases.director_b).cases.now)[:5] == (1, 1, 0, 0, 0)
    client.force_login(cases.director_a)
    lost = client.get("/reports/retention/cases/", {**DECEMBER, "figure": "lost"})
    assert lost.context["page"].paginator.count == 0 and lost.context["hidden"] == 1


def test_the_cases_behind_each_figure(client, cases):
    client.force_login(cases.supervisor_a)
    lists = "/reports/retention/cases/"

    def listed(**query):
        response = client.get(lists, query)
        assert response.status_code == 200, query
        return sorted(c.student.full_name for c in response.context["page"])

    assert len(listed(**DECEMBER, figure="raised")) == 4
    assert len(listed(**DECEMBER, figure="raised", manager=cases.manager_a2.pk)) == 2
    assert len(listed(**DECEMBER, figure="retained")) == 2
    assert len(listed(**DECEMBER, figure="retained_by_director")) == 1
    assert len(listed(**DECEMBER, figure="lost", reason="the_work")) == 1
    assert len(listed(**NOVEMBER, figure="lost", reason="relationship")) == 1
    assert listed(**DECEMBER, figure="lost", reason="departments") == []
    page = client.get(lists, {**DECEMBER, "figure": "lost"}).context["page"]
    assert [c.url for c in page] == [f"/retention/{c.pk}/" for c in page]
    assert client.get(lists, {**DECEMBER, "figure": "nonsense"}).status_code == 404
    assert client.get(lists, {**DECEMBER, "figure": "lost", "manager": cases.manager_b.pk}).status_code == 404
    refunds = client.get("/reports/retention/refunds/", {**NOVEMBER, "figure": "applied"})
    assert refunds.context["page"].paginator.count == 1


def test_a_manager_who_moved_teams_takes_their_cases_and_refunds_along(client, cases):
    team = TeamFactory(campus=cases.campus_a, name="学管二组")
    cases.manager_a2.team = team
    cases.manager_a2.save(update_fields=["team"])
    stayed = _report(client, cases.supervisor_a)
    assert _cases(stayed.cases.now)[:5] == (2, 1, 1, 0, 1) and _refunds(stayed.refunds.now) == (
        1,
        3000,
        2,
        7800,
    )
    moved = _report(client, team.supervisor)
    assert _cases(moved.cases.now)[:5] == (2, 0, 0, 1, 0) and _refunds(moved.refunds.now) == (0, 0, 0, 0)
