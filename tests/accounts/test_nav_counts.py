"""Issue 13: the navigation's counts (late, due today, unread, and the sum of the queues "waiting")
run in one statement on every page, whatever the number of queues and rows; they are counted only
when a template reads them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import home
from accounts.context_processors import navigation
from deadlines.models import Deadline, Kind, Notification, Status
from deadlines.selectors import UNREAD_COUNTED, day_counts
from deadlines.services import deadline_open, sweep
from students.models import Lesson, Student
from tests.conftest import ONE_OF_EACH_ROLE
from tests.deadlines.conftest import at

NOW = at(2026, 12, 3, 10, 0)  # a Thursday


@pytest.fixture(autouse=True)
def thursday(time_machine):
    time_machine.move_to(NOW, tick=False)


def grow(company, n, start=0):
    """For each queue of the director and the teacher, and the manager's clock: n more rows."""
    for i in range(start, start + n):
        Student.objects.create(full_name=f"待分配{i}", campus=company.campus_a, status="onboarding")
        student = Student.objects.create(
            full_name=f"学生{i}", campus=company.campus_a, manager=company.manager_a1, status="active"
        )
        deadline = deadline_open(rule="R1", subject=student, owner=company.manager_a1)
        Deadline.objects.filter(pk=deadline.pk).update(
            status=Status.ESCALATED, escalation_level=2, due_at=NOW - timedelta(days=2)
        )
        deadline_open(rule="H4", subject=student, owner=company.manager_a1, start=NOW - timedelta(hours=20))
        Lesson.objects.create(
            student=student,
            teacher=company.teacher_a,
            subject="数学",
            starts_at=NOW - timedelta(hours=3),
            ends_at=NOW - timedelta(hours=1),
            hours=2,
        )
    sweep(now=NOW)


def expected_waiting(user) -> int:
    """The queues' totals as each queue counts them on the home."""
    return sum(q.items(user, timezone.now())[1] for q in home._queues_of(user))


@pytest.mark.parametrize(("person", "role"), ONE_OF_EACH_ROLE)
def test_the_navigation_counts_in_one_query_and_right(company, person, role, django_assert_num_queries):
    grow(company, 3)
    user = getattr(company, person)
    home.nav_counts(user)  # content types and the like cached, as on any page after the first
    with django_assert_num_queries(1):
        counts = home.nav_counts(user)
    if home._queues_of(user):
        assert counts["waiting"] == expected_waiting(user)
    assert {k: counts[k] for k in ("overdue", "today", "unread")} == day_counts(user)


def test_the_figures_themselves(company):
    grow(company, 3)
    assert home.nav_counts(company.director_a)["waiting"] == 3 + 3  # escalated, unassigned
    assert home.nav_counts(company.teacher_a)["waiting"] == 3 + 3  # lessons to mark, plans owed
    manager = home.nav_counts(company.manager_a1)
    assert (manager["overdue"], manager["today"]) == (3, 3) and "waiting" not in manager
    assert home.nav_counts(company.director_b)["waiting"] == 0


def test_count_together_answers_as_count(company):
    students = Student.objects.all()
    grow(company, 2)
    querysets = {
        "all": students,
        "none": Student.objects.none(),
        "distinct": Deadline.objects.values("student").distinct(),
        "filtered": students.filter(manager=None).select_related("campus"),
        "sliced": students.order_by("pk").values("pk")[:1],  # counted to the slice's end
    }
    assert home.count_together(querysets) == {name: q.count() for name, q in querysets.items()}
    assert home.count_together({}) == {}


@pytest.mark.parametrize("person", ["director_a", "teacher_a", "president"])
def test_an_ordinary_page_runs_the_same_queries_at_two_sizes(client, company, person):
    client.force_login(getattr(company, person))
    grow(company, 2)
    client.get("/students/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/students/").status_code == 200
    grow(company, 60, start=2)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/students/")
    assert len(many.captured_queries) == len(few.captured_queries)
    nav = [q for q in many.captured_queries if q["sql"].startswith("SELECT (SELECT COUNT(*)")]
    assert len(nav) == 1
    if person == "director_a":
        assert response.context["nav_counts"]["waiting"] == 62 + 62


def test_the_counts_wait_until_a_template_reads_them(company, django_assert_num_queries):
    request = RequestFactory().get("/students/")
    request.user = company.director_a
    with django_assert_num_queries(0):
        context = navigation(request)
    with django_assert_num_queries(1):
        assert context["nav_counts"]["waiting"] == 0
        assert context["nav_counts"]["overdue"] == 0  # counted once


def test_the_unread_count_stops_at_a_hundred_and_the_bar_says_99_plus(client, company):
    student = Student.objects.create(full_name="通知生", campus=company.campus_a, manager=company.manager_a1)
    deadline = deadline_open(rule="H4", subject=student, owner=company.manager_a1, start=timezone.now())
    unread = [
        Notification(recipient=company.manager_a1, deadline=deadline, round=i, kind=Kind.REMINDER)
        for i in range(UNREAD_COUNTED + 5)
    ]
    Notification.objects.bulk_create(unread[:98])
    client.force_login(company.manager_a1)
    badge = '<span class="badge rounded-pill text-bg-danger">{}</span>'
    assert home.nav_counts(company.manager_a1)["unread"] == 98
    assert badge.format(98) in client.get("/people/").content.decode()
    Notification.objects.bulk_create(unread[98:])
    assert home.nav_counts(company.manager_a1)["unread"] == UNREAD_COUNTED
    assert badge.format("99+") in client.get("/people/").content.decode()


def _prepared() -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return cursor.fetchall()


def test_the_counts_are_one_prepared_statement_planned_once_a_connection(client, company):
    """The counts' statement, which PostgreSQL takes longer to plan than to run, is prepared on the
    connection that pages keep, and run again by every page; the pages' other queries are not."""
    client.force_login(company.supervisor_a)
    for _ in range(3):
        assert client.get("/").status_code == 200
    prepared = _prepared()
    assert [(statement[:24], runs) for statement, runs in prepared] == [("SELECT (SELECT COUNT(*) ", 3)]
    assert "$1" in prepared[0][0]  # the reader's values bound by the server, not written in the text
    client.force_login(company.manager_a1)  # another role's queues: another statement
    assert client.get("/").status_code == 200
    assert len(_prepared()) == 2
