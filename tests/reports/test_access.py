"""Who reads the reports: supervisors, directors and the president every report, finance the refunds;
the others neither see the section nor open its pages (403, as the product's other sections refuse a
role). The period form: this month by default, the presets, the previous period, its bounds."""

from datetime import date

import pytest

from reports.periods import Period, last_month, this_month, this_quarter, this_week

from .conftest import DECEMBER

PAGES = (
    "/reports/",
    "/reports/punctuality/",
    "/reports/renewal/",
    "/reports/retention/",
    "/reports/caseload/",
)
LISTS = (
    ("/reports/punctuality/deadlines/", {}),
    ("/reports/renewal/students/", {}),
    ("/reports/retention/cases/", {"figure": "lost"}),
    ("/reports/retention/refunds/", {"figure": "paid"}),
)
READERS = {
    "supervisor_a": {page: 200 for page in PAGES},
    "director_a": {page: 200 for page in PAGES},
    "president": {page: 200 for page in PAGES},
    "finance": {
        "/reports/": 200,
        "/reports/punctuality/": 403,
        "/reports/renewal/": 403,
        "/reports/retention/": 200,
        "/reports/caseload/": 403,
    },
}
OTHERS = ("manager_a1", "consultant_a", "teacher_a", "head_teacher_a", "scheduler_a", "admin")


@pytest.mark.parametrize("person", READERS)
def test_the_readers_of_the_reports(client, company, person):
    client.force_login(getattr(company, person))
    assert "reports" in [s.key for s in client.get("/").context["nav_sections"]]
    for page, status in READERS[person].items():
        assert client.get(page).status_code == status, (person, page)
    for page, query in LISTS:
        expected = 200 if person != "finance" or "refunds" in page else 403
        assert client.get(page, {**DECEMBER, **query}).status_code == expected, (person, page)


@pytest.mark.parametrize("person", OTHERS)
def test_other_roles_neither_see_nor_open_the_reports(client, company, person):
    client.force_login(getattr(company, person))
    assert "reports" not in [s.key for s in client.get("/").context["nav_sections"]]
    for page in PAGES:
        assert client.get(page).status_code == 403, (person, page)
    for page, query in LISTS:
        assert client.get(page, {**DECEMBER, **query}).status_code == 403, (person, page)


def test_signed_out_readers_are_sent_to_sign_in(client, company):
    assert client.get("/reports/").status_code == 302


def test_the_period_is_this_month_by_default_with_the_previous_month_beside_it(client, company):
    client.force_login(company.director_a)
    response = client.get("/reports/")
    assert response.context["period"] == Period(date(2026, 12, 1), date(2026, 12, 31))
    assert response.context["previous"] == Period(date(2026, 11, 1), date(2026, 11, 16))  # as far as today
    html = response.content.decode()
    assert 'value="2026-12-01"' in html and 'min="2000-01-01"' in html and 'max="2100-12-31"' in html


@pytest.mark.parametrize(
    ("preset", "first", "last", "before_first", "before_last"),
    [
        # Wednesday 16 December: a period under way is compared with as much of the one before.
        ("this_week", date(2026, 12, 14), date(2026, 12, 20), date(2026, 12, 7), date(2026, 12, 9)),
        ("this_month", date(2026, 12, 1), date(2026, 12, 31), date(2026, 11, 1), date(2026, 11, 16)),
        ("last_month", date(2026, 11, 1), date(2026, 11, 30), date(2026, 10, 1), date(2026, 10, 31)),
        ("this_quarter", date(2026, 10, 1), date(2026, 12, 31), date(2026, 7, 1), date(2026, 9, 15)),
    ],
)
def test_the_presets(client, company, preset, first, last, before_first, before_last):
    client.force_login(company.supervisor_a)
    response = client.get("/reports/punctuality/", {"preset": preset})
    assert response.context["period"] == Period(first, last)
    assert response.context["previous"] == Period(before_first, before_last)


def test_a_period_under_way_is_compared_with_as_much_of_the_one_before():
    assert Period(date(2026, 12, 1), date(2026, 12, 31)).previous() == Period(
        date(2026, 11, 1), date(2026, 11, 16)
    )
    assert Period(date(2026, 12, 16), date(2026, 12, 22)).previous() == Period(  # its first day
        date(2026, 12, 9), date(2026, 12, 9)
    )
    assert Period(date(2026, 3, 1), date(2026, 3, 31)).previous() == Period(  # a past period: all before
        date(2026, 2, 1), date(2026, 2, 28)
    )


def test_a_period_of_days_is_compared_with_as_many_days_before():
    assert Period(date(2026, 12, 10), date(2026, 12, 16)).previous() == Period(
        date(2026, 12, 3), date(2026, 12, 9)
    )
    assert Period(date(2026, 3, 1), date(2026, 3, 31)).previous() == Period(
        date(2026, 2, 1), date(2026, 2, 28)
    )
    assert Period(date(2026, 1, 1), date(2026, 3, 31)).previous() == Period(
        date(2025, 10, 1), date(2025, 12, 31)
    )
    today = date(2026, 2, 11)
    assert this_week(today) == Period(date(2026, 2, 9), date(2026, 2, 15))
    assert this_month(today).last == date(2026, 2, 28) and last_month(today).first == date(2026, 1, 1)
    assert this_quarter(today) == Period(date(2026, 1, 1), date(2026, 3, 31))


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-12-31", "to": "2026-12-01"},
        {"from": "1999-12-31", "to": "2026-12-01"},
        {"from": "2026-01-01", "to": "2100-12-31"},
        {"from": "2026-12-01"},
        {"from": "not a date", "to": "2026-12-01"},
    ],
)
def test_a_wrong_period_is_said_and_this_month_shown(client, company, query):
    client.force_login(company.director_a)
    response = client.get("/reports/renewal/", query)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["period"] == Period(date(2026, 12, 1), date(2026, 12, 31))
