"""The addresses behind a report's figures (reports.views.Links): the period and the reader's narrowing
encoded once, each figure's own filters added — the same addresses as encoding each figure whole."""

from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from reports.periods import Period
from reports.selectors import Grouping, Reader
from reports.views import Links

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
BY_MANAGER = Grouping(key="owner", labels=("owner__full_name",), parameter="manager")
BY_CAMPUS = Grouping(key="campus", labels=("campus__name",), parameter="campus")


def whole(period: Period, narrowed: dict, **own) -> str:
    """What each figure's address was: everything encoded at once, the figure's own last."""
    return "/reports/punctuality/deadlines/?" + urlencode({**period.query(), **narrowed, **own})


@pytest.mark.django_db
def test_a_figures_address_is_its_period_its_narrowing_and_its_own_filters(company):
    reader = Reader(company.supervisor_a, team=company.team_a)
    links = Links("deadlines", period=NOVEMBER, reader=reader, grouping=BY_MANAGER)
    narrowed = {"team": company.team_a.pk}
    assert links.url() == whole(NOVEMBER, narrowed)
    late = whole(NOVEMBER, narrowed, manager=7, rule="C1", state="late")
    assert links.url(7, rule="C1", state="late") == late
    assert links.url(7, state="") == whole(NOVEMBER, narrowed, manager=7)  # an empty filter is left out
    previous = NOVEMBER.previous()
    assert links.url(7, before=True) == whole(previous, narrowed, manager=7)
    assert links.url(7, rule="C1") == whole(NOVEMBER, narrowed, manager=7, rule="C1")  # after the previous


@pytest.mark.django_db
def test_a_filter_that_needs_quoting_is_quoted(company):
    links = Links("deadlines", period=NOVEMBER, reader=Reader(company.president), grouping=BY_CAMPUS)
    address = links.url(3, reason="学业 & 时间", state="late")
    assert address == whole(NOVEMBER, {}, campus=3, reason="学业 & 时间", state="late")
    assert dict(parse_qsl(urlsplit(address).query))["reason"] == "学业 & 时间"


@pytest.mark.django_db
def test_a_figures_row_replaces_the_readers_narrowing_in_its_place(company):
    reader = Reader(company.president, campus=company.campus_a)
    links = Links("deadlines", period=NOVEMBER, reader=reader, grouping=BY_CAMPUS)
    address = links.url(company.campus_b.pk, state="late")
    assert address == whole(NOVEMBER, {"campus": company.campus_b.pk}, state="late")
    assert urlsplit(address).query.count("campus=") == 1
