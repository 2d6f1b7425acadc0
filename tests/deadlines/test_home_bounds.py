"""Issue 13: the homes are bounded. My day shows at most BUCKET_LIMIT rows of each bucket, late first,
with each bucket's full count and a link to its paginated list; the team's day summarises each
manager with a few late rows; the rows cost no include and no URL reversing each; the homes run the
same queries at any size."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines.models import Deadline, Status
from deadlines.rules import RULES
from deadlines.selectors import BUCKET_LIMIT, LIST_PAGE, TEAM_LATE_ROWS, RowLinks, my_day, team_day
from students.models import Student

from .conftest import at

NOW = at(2026, 12, 2, 10, 0)  # a Wednesday
ROW = 'id="deadline-'


@pytest.fixture(autouse=True)
def wednesday(time_machine):
    time_machine.move_to(NOW, tick=False)


def pile(
    owner, n, *, first_due, step=timedelta(minutes=1), rule="L6", status=Status.OPEN, level=0, name="学生"
):
    """`n` active deadlines of `owner` (over a few students of theirs), due from `first_due` on."""
    students = [
        Student.objects.create(full_name=f"{name}{i}", campus=owner.campus, manager=owner, status="active")
        for i in range(3)
    ]
    kind = ContentType.objects.get_for_model(Student)
    start = Deadline.objects.filter(owner=owner).count()
    return Deadline.objects.bulk_create(
        Deadline(
            rule=rule,
            subject_type=kind,
            subject_id=students[i % 3].pk,
            student=students[i % 3],
            occurrence=start + i + 1,
            campus=owner.campus,
            owner=owner,
            due_at=first_due + i * step,
            status=status,
            escalation_level=level,
        )
        for i in range(n)
    )


def late(owner, n, **kwargs):
    return pile(owner, n, first_due=NOW - timedelta(days=30), status=Status.OVERDUE, **kwargs)


def test_my_day_shows_at_most_the_bound_of_each_bucket_late_first_with_the_full_counts(client, company):
    manager = company.manager_a1
    overdue = late(manager, 300)
    pile(manager, 60, first_due=NOW + timedelta(minutes=5))  # today, before midnight
    pile(manager, 70, first_due=at(2026, 12, 3, 9, 0), step=timedelta(hours=1))  # the next days
    pile(company.manager_a2, 20, first_due=NOW - timedelta(days=1), status=Status.OVERDUE, name="同组")
    buckets = {b.key: b for b in my_day(manager, now=NOW)}
    assert {k: (b.count, b.shown, b.more) for k, b in buckets.items()} == {
        "overdue": (300, BUCKET_LIMIT, True),
        "today": (60, BUCKET_LIMIT, True),
        "week": (70, BUCKET_LIMIT, True),
    }
    shown = [row.pk for group in buckets["overdue"].groups for row in group.rows]
    assert set(shown) == {d.pk for d in overdue[:BUCKET_LIMIT]}  # the longest late first
    client.force_login(manager)
    html = client.get("/").content.decode()
    assert html.count(ROW) == 3 * BUCKET_LIMIT <= 200
    assert "同组" not in html
    assert "显示前 50 项，共 300 项。" in html and 'href="/deadlines/?bucket=overdue"' in html
    assert "显示全部 300 项" in html and 'href="/deadlines/?bucket=week"' in html


def test_a_small_day_shows_everything_and_no_link(client, company):
    late(company.manager_a1, 2)
    client.force_login(company.manager_a1)
    html = client.get("/").content.decode()
    assert html.count(ROW) == 2 and "/deadlines/?bucket=" not in html


def test_the_show_all_list_paginates_late_first_and_stays_in_scope(client, company):
    manager = company.manager_a1
    overdue = late(manager, 130)
    pile(manager, 5, first_due=NOW + timedelta(minutes=5))
    theirs = late(company.manager_a2, 4, name="同组")
    client.force_login(manager)
    first = client.get("/deadlines/?bucket=overdue")
    assert first.status_code == 200
    page = first.context["page"]
    assert page.paginator.count == 130 and [d.pk for d in page] == [d.pk for d in overdue[:LIST_PAGE]]
    html = first.content.decode()
    assert html.count(ROW) == LIST_PAGE and "130 项时限，迟的在前" in html
    assert 'href="?bucket=overdue&amp;page=2"' in html
    last = client.get("/deadlines/?bucket=overdue&page=3").context["page"]
    assert [d.pk for d in last] == [d.pk for d in overdue[2 * LIST_PAGE :]]
    assert client.get("/deadlines/").context["page"].paginator.count == 135  # every active one
    assert client.get("/deadlines/?bucket=today").context["page"].paginator.count == 5
    # Another's list is not the manager's to open: the owner is dropped, their own list shown.
    other = client.get(f"/deadlines/?owner={company.manager_a2.pk}&bucket=overdue")
    assert other.context["owner"] == manager and theirs[0].pk not in [d.pk for d in other.context["page"]]
    assert client.get("/deadlines/?bucket=nonsense&page=x").status_code == 200


def test_the_rows_link_where_the_deadline_is_done(client, company):
    (deadline,) = late(company.manager_a1, 1, rule="H4")
    client.force_login(company.manager_a1)
    html = client.get("/deadlines/").content.decode()
    assert f'href="{deadline.action_url}"' in html and f'href="/students/{deadline.student_id}/"' in html


def test_row_links_answer_as_action_url_for_every_rule():
    links = RowLinks()
    for rule in RULES:
        for student_id in (3, None):
            deadline = Deadline(pk=5, rule=rule, subject_id=7, student_id=student_id)
            assert links.action(deadline) == deadline.action_url, (rule, student_id)
    assert links.student(3) == Student(pk=3).get_absolute_url()


def test_the_team_day_summarises_each_manager_with_a_few_late_rows(client, company):
    a1, a2 = company.manager_a1, company.manager_a2
    first_late = late(a1, 300)
    late(a2, 2, name="同组")
    pile(a2, 4, first_due=NOW + timedelta(minutes=5))
    days = {d.manager: d for d in team_day(company.supervisor_a, now=NOW)}
    assert days[a1].counts == {"overdue": 300, "today": 0, "week": 0}
    assert days[a2].counts == {"overdue": 2, "today": 4, "week": 0}
    assert [d.pk for d in days[a1].rows] == [d.pk for d in first_late[:TEAM_LATE_ROWS]]
    assert len(days[a2].rows) == 2 and days[a2].more_late == 0
    client.force_login(company.supervisor_a)
    html = client.get("/").content.decode()
    assert html.count(ROW) == TEAM_LATE_ROWS + 2
    assert f'href="/deadlines/?owner={a1.pk}&amp;bucket=overdue"' in html
    assert "显示全部 300 项逾期" in html and f'href="/deadlines/?owner={a1.pk}"' in html
    # The link: the manager's full list, which the supervisor may open.
    listed = client.get(f"/deadlines/?owner={a1.pk}&bucket=overdue")
    assert listed.context["owner"] == a1 and listed.context["page"].paginator.count == 300
    assert "王芳的时限" in listed.content.decode()
    client.force_login(company.supervisor_b)
    assert client.get(f"/deadlines/?owner={a1.pk}").context["owner"] == company.supervisor_b


@pytest.mark.parametrize("person", ["manager_a1", "supervisor_a", "director_a"])
def test_the_homes_run_the_same_queries_at_two_sizes(client, company, person):
    user = getattr(company, person)

    def grow(n):
        for owner in (company.manager_a1, company.manager_a2, company.director_a):
            late(owner, n, level=2)
            pile(owner, n, first_due=NOW + timedelta(minutes=5))

    client.force_login(user)
    grow(5)
    with CaptureQueriesContext(connection) as few:
        small = client.get("/")
    grow(300)
    with CaptureQueriesContext(connection) as many:
        big = client.get("/")
    assert small.status_code == big.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries) <= 20
    assert big.content.decode().count(ROW) <= 200
