"""Every report page rendered once with the demo company, for each role that reads reports, and every
link of a page to a list behind a figure answers."""

import re
from html import unescape

import pytest

from accounts.models import User
from tests.demo.conftest import SEEDED_AT, at_seed_time, media_of_tests, seeded  # noqa: F401 (fixtures)

demo = seeded(SEEDED_AT)
pytestmark = pytest.mark.usefixtures("demo", "at_seed_time")

PAGES = (
    "/reports/",
    "/reports/punctuality/",
    "/reports/renewal/",
    "/reports/retention/",
    "/reports/caseload/",
)
LIST = re.compile(r'href="(/reports/[a-z]+/[a-z]+/\?[^"]*)"')
PERIODS = ({}, {"preset": "this_quarter"}, {"preset": "last_month"})


@pytest.mark.parametrize("username", ["supervisor1", "director1", "president1"])
def test_each_report_renders_with_the_demo_and_its_links_answer(db, client, username):
    client.force_login(User.objects.get(username=username))
    lists = set()
    for period in PERIODS:
        for page in PAGES:
            response = client.get(page, period)
            assert response.status_code == 200, (username, page, period)
            lists |= {unescape(url) for url in LIST.findall(response.content.decode())}
    assert lists, username
    for url in sorted(lists)[:150]:
        assert client.get(url).status_code == 200, (username, url)


def test_the_quarter_of_the_demo_has_figures_on_every_report(db, client):
    client.force_login(User.objects.get(username="director1"))
    quarter = {"preset": "this_quarter"}
    punctuality = client.get("/reports/punctuality/", quarter).context["report"]
    assert punctuality.total.now.due and punctuality.rows
    assert client.get("/reports/retention/", quarter).context["report"].cases.now.raised
    assert client.get("/reports/caseload/", quarter).context["report"].total.taught.now


def test_finance_reads_the_refunds(db, client):
    client.force_login(User.objects.get(username="finance1"))
    assert client.get("/reports/").status_code == 200
    html = client.get("/reports/retention/", {"preset": "this_quarter"}).content.decode()
    assert "申请退费" in html and "挽单成功率" not in html
    for page in ("/reports/punctuality/", "/reports/renewal/", "/reports/caseload/"):
        assert client.get(page).status_code == 403, page
