"""The People page at company size: a company-wide reader pages through the campuses, five a page, in
a fixed number of queries; a campus reader sees their campus only."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from accounts.selectors import PEOPLE_CAMPUSES
from tests.factories import CampusFactory, TeamFactory, UserFactory


def add_campuses(n, *, start=0):
    for i in range(start, start + n):
        campus = CampusFactory(code=f"x{i:03}", name=f"分校{i:03}")
        team = TeamFactory(campus=campus)
        UserFactory.create_batch(3, campus=campus, team=team)
        UserFactory(campus=campus, role=Role.SCHEDULER)


def campuses(html: str) -> list[str]:
    return re.findall(r'<h2 id="campus-\d+" class="h5">([^\n<]*)', html)


def test_a_company_wide_reader_pages_through_the_campuses(client, company):
    add_campuses(10)  # with campuses A and B: 12, in name order
    client.force_login(company.president)
    first = client.get("/people/").content.decode()
    names = ["分校000", "分校001", "分校002"]
    assert campuses(first) == names and len(names) == PEOPLE_CAMPUSES
    assert 'id="company-title"' in first  # the company-wide staff, on the first page
    assert 'href="?page=2">下一页</a>' in first and "1 / 4" in first
    last = client.get("/people/?page=4").content.decode()
    assert campuses(last) == ["分校009", "徐汇校区", "海淀校区"] and "王芳" in last and "周敏" in last
    assert 'id="company-title"' not in last


def test_the_page_runs_the_same_queries_for_6_and_30_campuses(client, company, django_assert_max_num_queries):
    client.force_login(company.president)
    counts = []
    for n, start in ((4, 0), (24, 4)):
        add_campuses(n, start=start)
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(12):
            html = client.get("/people/?page=2").content.decode()
        counts.append(len(queries))
        assert len(campuses(html)) <= PEOPLE_CAMPUSES
    assert counts[0] == counts[1]


def test_a_director_sees_their_campus_only(client, company):
    add_campuses(8)
    client.force_login(company.director_a)
    html = client.get("/people/").content.decode()
    assert campuses(html) == ["海淀校区"] and "分校" not in html and "?page=2" not in html
    assert campuses(client.get("/people/?page=2").content.decode()) == ["海淀校区"]
