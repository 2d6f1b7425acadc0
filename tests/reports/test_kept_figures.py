"""The company's figures kept per campus and day (reports.figures): the president's reports add them up
for the kept days and count the other days (today among them) from the records, and read the same
figures either way; a change to a kept day shows at the next refresh; the others' reports never read
them."""

from datetime import date
from decimal import Decimal

from django.conf import settings

from deadlines.models import Deadline
from reports.figures import figures_refresh
from reports.models import DeadlineDay, FigureSpan, LessonDay, RenewalDay
from reports.periods import LONGEST

from .conftest import at, deadline, lesson, renewal_talk, student
from .test_caseload import caseloads  # noqa: F401 (a fixture)
from .test_punctuality import clocks  # noqa: F401 (a fixture)
from .test_renewal import _r1, talks  # noqa: F401 (a fixture)

TODAY = date(2026, 12, 16)


def _punctuality(client, user, **query):
    client.force_login(user)
    response = client.get("/reports/punctuality/", query)
    assert response.status_code == 200
    return response


def _figures(report) -> tuple:
    """Everything the report shows: totals, each row's rules, the weeks."""

    def punctual(p):
        return p.due, p.on_time, p.escalated

    rows = {
        row.label: {rule: (punctual(pair.now), punctual(pair.before)) for rule, pair in row.rules.items()}
        for row in report.rows
    }
    weeks = [(w.first, punctual(w.figures)) for w in report.weeks]
    return punctual(report.total.now), punctual(report.total.before), rows, weeks


def test_the_presidents_punctuality_reads_the_same_from_the_kept_days(client, clocks):  # noqa: F811
    counted = _figures(_punctuality(client, clocks.president).context["report"])
    assert counted[0] == (7, 3, 1)  # both campuses in December, by hand (test_punctuality)

    written = figures_refresh(days=62, today=TODAY)

    assert written["deadlines"] == DeadlineDay.objects.count() > 0
    response = _punctuality(client, clocks.president)
    assert _figures(response.context["report"]) == counted
    assert response.context["kept_at"] is not None
    assert "今天以前各天的数字来自各校区的每日汇总" in response.content.decode()


def test_the_overviews_on_time_figures_are_the_punctuality_pages_totals(client, clocks):  # noqa: F811
    """The overview counts by rule alone (no row of the table is built): the same totals as the page,
    from the records and from the kept days, for the company and for a supervisor's team."""

    def overview(user):
        client.force_login(user)
        report = client.get("/reports/").context["punctuality"]
        return report.total.now.due, report.total.now.on_time, report.total.before.due, report.rules

    def page(user):
        report = _punctuality(client, user).context["report"]
        return report.total.now.due, report.total.now.on_time, report.total.before.due, report.rules

    for user in (clocks.president, clocks.supervisor_a, clocks.director_a):
        assert overview(user) == page(user)
    assert overview(clocks.president)[:2] == (7, 3)  # by hand (test_punctuality)
    figures_refresh(days=62, today=TODAY)
    assert overview(clocks.president) == page(clocks.president)
    assert overview(clocks.president)[:2] == (7, 3)


def test_todays_deadlines_are_counted_from_the_records(client, clocks):  # noqa: F811
    figures_refresh(days=62, today=TODAY)
    deadline(clocks.manager_a1, "L4", at(2026, 12, 16, 9), "overdue")  # due this morning

    report = _punctuality(client, clocks.president).context["report"]

    assert (report.total.now.due, report.total.now.on_time) == (8, 3)


def test_days_outside_the_kept_ones_are_counted_from_the_records(client, clocks):  # noqa: F811
    counted = _figures(_punctuality(client, clocks.president).context["report"])

    figures_refresh(days=3, today=TODAY)  # 13–15 December only

    assert FigureSpan.objects.get(kind="deadlines").first == date(2026, 12, 13)
    assert _figures(_punctuality(client, clocks.president).context["report"]) == counted


def test_a_change_to_a_kept_day_shows_at_the_next_refresh(client, clocks):  # noqa: F811
    figures_refresh(days=62, today=TODAY)
    Deadline.objects.filter(due_at=at(2026, 12, 11, 18)).update(status="waived")

    before = _punctuality(client, clocks.president).context["report"].total.now
    figures_refresh(days=62, today=TODAY)
    after = _punctuality(client, clocks.president).context["report"].total.now

    assert (before.due, before.escalated) == (7, 1)  # as of the last refresh
    assert (after.due, after.escalated) == (6, 0)


def test_the_director_always_counts_from_the_records(client, clocks):  # noqa: F811
    figures_refresh(days=62, today=TODAY)
    Deadline.objects.filter(due_at=at(2026, 12, 11, 18)).update(status="waived")

    response = _punctuality(client, clocks.director_a)

    assert response.context["report"].total.now.due == 5
    assert response.context["kept_at"] is None
    # The president narrowed to a campus reads its people, which the kept figures do not have.
    assert _punctuality(client, clocks.president, campus=clocks.campus_a.pk).context["kept_at"] is None


def test_a_refresh_twice_writes_each_day_once_and_a_far_one_starts_a_new_span(clocks):  # noqa: F811
    first = figures_refresh(days=62, today=TODAY)
    again = figures_refresh(days=62, today=TODAY)
    assert first == again
    assert DeadlineDay.objects.count() == first["deadlines"]

    figures_refresh(days=2, today=date(2027, 6, 1))  # far from the span kept so far

    span = FigureSpan.objects.get(kind="deadlines")
    assert (span.first, span.last) == (date(2027, 5, 30), date(2027, 5, 31))
    assert not DeadlineDay.objects.filter(day__lt=span.first).exists()


def test_the_presidents_caseload_reads_the_same_hours_from_the_kept_days(client, caseloads):  # noqa: F811
    client.force_login(caseloads.president)

    def taught():
        report = client.get("/reports/caseload/").context["report"]
        return (
            {row.label: (row.taught.now, row.taught.before) for row in report.rows},
            [(w.first, w.figures.hours, w.figures.lessons) for w in report.weeks],
        )

    counted = taught()
    figures_refresh(days=62, today=TODAY)
    assert LessonDay.objects.exists()
    lesson(caseloads.manager_b.caseload.first(), at(2026, 12, 16, 8), "1")  # taught this morning

    rows, weeks = taught()

    assert rows["海淀校区"] == counted[0]["海淀校区"]
    assert rows["徐汇校区"][0] == counted[0]["徐汇校区"][0] + Decimal("1")
    assert weeks[:-1] == counted[1][:-1]
    assert weeks[-1][1:] == (counted[1][-1][1] + Decimal("1"), counted[1][-1][2] + 1)


def test_the_presidents_renewal_reads_the_same_answers_from_the_kept_days(client, talks):  # noqa: F811
    client.force_login(talks.president)

    def answered():
        report = client.get("/reports/renewal/").context["report"]
        rows = {row.label: row.figures for row in report.rows}
        return (
            {
                label: (f.now.reached, f.now.renewed, f.now.declined, f.now.hours, f.now.amount)
                for label, f in rows.items()
            },
            {label: (f.before.reached, f.before.renewed) for label, f in rows.items()},
            [(r.reason, r.declined.now, r.declined.before) for r in report.reasons],
        )

    counted = answered()
    figures_refresh(days=62, today=TODAY)
    assert RenewalDay.objects.exists()
    late = student(talks.manager_a1, hours_left=2)
    _r1(late, at(2026, 12, 16, 8))  # reached the threshold this morning
    renewal_talk(late, "declined", at(2026, 12, 16, 9), by=talks.manager_a1, family="price")

    now, before, reasons = answered()

    assert before == counted[1]
    reached, renewed, declined, hours, amount = counted[0]["海淀校区"]
    assert now["海淀校区"] == (reached + 1, renewed, declined + 1, hours, amount)
    assert now["徐汇校区"] == counted[0]["徐汇校区"]
    assert ("price", 2, 0) in reasons


def test_the_beat_counts_again_the_two_months_hourly_and_a_years_comparison_nightly():
    by_days = sorted(
        entry["kwargs"]["days"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "reports.figures_refresh"
    )
    assert by_days == [62, 2 * LONGEST]


def test_the_presidents_reports_read_the_kept_days_in_as_many_queries_at_two_sizes(
    client, company, django_assert_max_num_queries
):
    from .test_query_counts import MOST, _queries, grow

    client.force_login(company.president)
    pages = ["/reports/", "/reports/punctuality/", "/reports/renewal/", "/reports/caseload/"]
    grow(company, 3)
    figures_refresh(days=62, today=TODAY)
    small = {}
    for page in pages:
        with django_assert_max_num_queries(MOST + 2):  # the overview's three kinds of kept figures
            small[page] = _queries(client, page, {})
    grow(company, 27)
    figures_refresh(days=62, today=TODAY)
    for page in pages:
        assert _queries(client, page, {}) == small[page], page
    assert DeadlineDay.objects.exists() and LessonDay.objects.exists()
