"""The renewal report against counts made by hand: who reached the threshold, renewed, declined or is
undecided, the renewal rate, the hours and amount renewed, the reasons of the declines; by person
and campus, beside the previous period; and the students behind each figure."""

import pytest

from tests.factories import TeamFactory

from .conftest import DECEMBER, NOVEMBER, at, deadline, renewal_talk, student


def _r1(of, opened, status="open"):
    return deadline(
        of.manager, "R1", opened + (at(2026, 1, 8) - at(2026, 1, 1)), status, of=of, opened=opened
    )


@pytest.fixture
def talks(company):
    """By hand, campus A in December: 6 reached the threshold, 2 renewed (40 hours, ¥8,000), 1
    declined (price), 3 undecided: 33%. November: 1 reached, renewed (20 hours, ¥4,000). Campus B:
    1 declined in a talk recorded before the family's reasons (a loss reason only): "other"."""
    a1, a2, consultant = company.manager_a1, company.manager_a2, company.consultant_a
    s1, s2, s3, s4, s7, s8 = (student(a1, hours_left=5) for _ in range(6))
    _r1(s1, at(2026, 12, 2, 9), "met")
    renewal_talk(s1, "renewed", at(2026, 12, 5, 10), by=consultant, renewed=(30, 6000, consultant))
    _r1(s2, at(2026, 12, 3, 9), "met")
    renewal_talk(s2, "declined", at(2026, 12, 6, 10), by=a1, family="price")
    _r1(s3, at(2026, 12, 4, 9))
    renewal_talk(s3, "undecided", at(2026, 12, 7, 10), by=a1)
    _r1(s4, at(2026, 12, 8, 9))  # not asked yet
    _r1(s7, at(2026, 12, 9, 9), "met")  # said no, then renewed after all
    renewal_talk(s7, "declined", at(2026, 12, 10, 10), by=a1, family="results")
    renewal_talk(s7, "renewed", at(2026, 12, 12, 10), by=consultant, renewed=(10, 2000, consultant))
    renewal_talk(s8, "renewed", at(2026, 11, 20, 10), by=consultant, renewed=(50, 9000, consultant))
    _r1(s8, at(2026, 12, 10, 9))  # a renewal before the threshold is not an answer to it
    s5, s6 = student(a2, hours_left=3), student(a2, hours_left=2)
    _r1(s5, at(2026, 11, 10, 9), "met")
    renewal_talk(s5, "renewed", at(2026, 12, 1, 10), by=consultant, renewed=(20, 4000, consultant))
    _r1(s6, at(2026, 11, 12, 9), "waived")  # a refund was applied for: not asked
    sb = student(company.manager_b, hours_left=4)
    _r1(sb, at(2026, 12, 5, 9), "met")
    renewal_talk(sb, "declined", at(2026, 12, 6, 10), by=company.manager_b, reason="personal")
    return company


def _report(client, user, **query):
    client.force_login(user)
    response = client.get("/reports/renewal/", query)
    assert response.status_code == 200
    return response.context["report"]


def _figures(r) -> tuple:
    return r.reached, r.renewed, r.declined, r.undecided, r.rate.percent, r.hours, r.amount


def test_the_directors_renewal_report_counts_as_by_hand(client, talks):
    report = _report(client, talks.director_a)
    assert _figures(report.total.now) == (6, 2, 1, 3, 33, 40, 8000)
    assert _figures(report.total.before) == (1, 1, 0, 0, 100, 20, 4000)
    rows = {row.label: row.figures for row in report.rows}
    assert _figures(rows["王芳"].now) == (6, 2, 1, 3, 33, 40, 8000)
    assert _figures(rows["王芳"].before) == (0, 0, 0, 0, None, 0, 0)
    assert _figures(rows["李娜"].now) == (0, 0, 0, 0, None, 0, 0)
    assert _figures(rows["李娜"].before) == (1, 1, 0, 0, 100, 20, 4000)
    assert [(r.reason, r.label, r.declined.now, r.declined.before) for r in report.reasons] == [
        ("price", "价格", 1, 0)
    ]


def test_the_president_reads_renewal_by_campus(client, talks):
    report = _report(client, talks.president)
    assert {row.label: _figures(row.figures.now)[:5] for row in report.rows} == {
        "海淀校区": (6, 2, 1, 3, 33),
        "徐汇校区": (1, 0, 1, 0, 0),
    }
    # 徐汇's decline named only a loss reason (personal), which judges the campus: the family's
    # reason is unknown, so it counts as "other".
    assert {r.reason: r.declined.now for r in report.reasons} == {"other": 1, "price": 1}


def test_the_supervisor_of_the_other_campus_sees_its_renewals_only(client, talks):
    assert _figures(_report(client, talks.supervisor_b).total.now)[:5] == (1, 0, 1, 0, 0)


def test_the_students_behind_a_renewal_figure(client, talks):
    client.force_login(talks.director_a)
    lists = "/reports/renewal/students/"
    undecided = client.get(lists, {**DECEMBER, "answer": "undecided"})
    assert undecided.status_code == 200
    assert len(undecided.context["page"]) == 3
    renewed = client.get(lists, {**DECEMBER, "answer": "renewed", "manager": talks.manager_a1.pk})
    assert sorted(d.renewed_hours for d in renewed.context["page"]) == [10, 30]
    assert all(d.student_url.endswith("#renewal") for d in renewed.context["page"])
    declined = client.get(lists, {**DECEMBER, "answer": "declined", "reason": "price"})
    assert [d.reason_label for d in declined.context["page"]] == ["价格"]
    # A loss reason is no longer a reason of the renewal list.
    assert client.get(lists, {**DECEMBER, "reason": "service_attitude"}).status_code == 404
    assert client.get(lists, {**NOVEMBER}).context["page"].paginator.count == 1
    assert client.get(lists, {**DECEMBER, "manager": talks.manager_b.pk}).status_code == 404


def test_a_manager_who_moved_teams_takes_their_renewals_along(client, talks):
    team = TeamFactory(campus=talks.campus_a, name="学管二组")
    talks.manager_a1.team = team
    talks.manager_a1.save(update_fields=["team"])
    assert _figures(_report(client, talks.supervisor_a).total.now)[:5] == (0, 0, 0, 0, None)
    assert _figures(_report(client, team.supervisor).total.now)[:5] == (6, 2, 1, 3, 33)


def test_an_empty_period_has_no_renewal_rate(client, talks):
    report = _report(client, talks.director_a, **{"from": "2025-03-01", "to": "2025-03-31"})
    assert report.rows == [] and report.reasons == []
    assert _figures(report.total.now) == (0, 0, 0, 0, None, 0, 0)


def test_an_older_decline_with_a_loss_reason_only_is_listed_under_other(client, talks):
    client.force_login(talks.president)
    other = client.get("/reports/renewal/students/", {**DECEMBER, "answer": "declined", "reason": "other"})
    assert [(d.student.manager, d.reason_label) for d in other.context["page"]] == [(talks.manager_b, "其他")]
