"""The student page's clocks: every open one, and of the closed ones their count and the latest 20,
then 20 more on demand (htmx, or a plain link without JavaScript), in a fixed number of queries."""

import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines.models import Deadline, Status
from deadlines.services import deadline_open
from students.models import Student
from students.selectors import CLOSED_CLOCKS_PAGE
from tests.deadlines.conftest import at

T0 = at(2026, 6, 1, 9, 0)


@pytest.fixture
def student(company, time_machine):
    time_machine.move_to(at(2026, 12, 2, 10, 0), tick=False)
    return Student.objects.create(full_name="小明", campus=company.campus_a, manager=company.manager_a1)


def add_closed(student, n, *, start=0):
    """`n` met L4 callbacks, occurrences start+1…, one a day from T0 (every pair due at the same time,
    so the order must hold on the id too)."""
    kind = ContentType.objects.get_for_model(Student)
    return Deadline.objects.bulk_create(
        Deadline(
            rule="L4",
            subject_type=kind,
            subject_id=student.pk,
            occurrence=start + i + 1,
            campus_id=student.campus_id,
            owner_id=student.manager_id,
            student=student,
            opened_at=T0,
            due_at=T0 + timedelta(days=(start + i) // 2),
            status=Status.MET,
            closed_at=T0,
        )
        for i in range(n)
    )


def shown(html: str) -> list[int]:
    """The closed clocks a page shows, by id, top down."""
    rows = html.split('id="closed-deadlines"', 1)[-1]
    return [int(n) for n in re.findall(r'id="deadline-(\d+)"', rows)]


def more_link(html: str) -> str | None:
    found = re.search(
        r'<li class="[^"]*closed-more"><a [^>]*href="([^"#]*)#closed-deadlines" hx-get="([^"]*)"', html
    )
    if not found:
        return None
    assert found.group(1) == found.group(2)  # the same next rows with or without JavaScript
    return found.group(1)


def newest_first(rows: list[Deadline]) -> list[int]:
    return [d.pk for d in sorted(rows, key=lambda d: (d.due_at, d.pk), reverse=True)]


def test_every_open_clock_and_the_latest_20_closed_with_their_count(client, company, student):
    for rule in ("H3", "H4", "F2"):
        deadline_open(rule=rule, subject=student, owner=company.manager_a1, start=at(2026, 11, 30, 9, 0))
    closed = newest_first(add_closed(student, 45))
    client.force_login(company.manager_a1)
    response = client.get(f"/students/{student.pk}/")
    assert sorted(d.rule for d in response.context["active"]) == ["F2", "H3", "H4"]
    html = response.content.decode()
    assert "已关闭 (45)" in html
    assert '<details id="closed-deadlines" class="mb-4">' in html  # folded, as before
    assert shown(html) == closed[:CLOSED_CLOCKS_PAGE]
    assert more_link(html) == f"?closed_before={closed[19]}"
    assert "更早的已关闭时限" in html


def test_the_next_20_then_the_rest_on_demand(client, company, student):
    closed = newest_first(add_closed(student, 45))
    client.force_login(company.manager_a1)
    page = client.get(f"/students/{student.pk}/").content.decode()
    rows = client.get(f"/students/{student.pk}/{more_link(page)}", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in rows and 'id="closed-deadlines"' not in rows  # only the rows that follow
    assert re.findall(r'id="deadline-(\d+)"', rows) == [str(pk) for pk in closed[20:40]]
    last = client.get(f"/students/{student.pk}/{more_link(rows)}", HTTP_HX_REQUEST="true").content.decode()
    assert re.findall(r'id="deadline-(\d+)"', last) == [str(pk) for pk in closed[40:]]
    assert more_link(last) is None


def test_without_javascript_the_link_opens_the_page_at_the_next_closed_clocks(client, company, student):
    closed = newest_first(add_closed(student, 30))
    client.force_login(company.manager_a1)
    link = more_link(client.get(f"/students/{student.pk}/").content.decode())
    page = client.get(f"/students/{student.pk}/{link}").content.decode()
    assert "<html" in page and "已关闭 (30)" in page
    assert '<details id="closed-deadlines" class="mb-4" open>' in page
    assert shown(page) == closed[20:] and more_link(page) is None
    assert 'href="?#closed-deadlines">回到最新</a>' in page


def test_a_student_without_closed_clocks_shows_no_fold(client, company, student):
    deadline_open(rule="H4", subject=student, owner=company.manager_a1, start=at(2026, 11, 30, 9, 0))
    client.force_login(company.manager_a1)
    assert 'id="closed-deadlines"' not in client.get(f"/students/{student.pk}/").content.decode()


def test_the_scope_holds_on_the_closed_clocks(client, company, student):
    far = Student.objects.create(full_name="小红", campus=company.campus_b, manager=company.manager_b)
    other = Student.objects.create(full_name="小刚", campus=company.campus_a, manager=company.manager_a1)
    add_closed(student, 25)
    foreign = add_closed(other, 1)[0]
    add_closed(far, 25)
    client.force_login(company.manager_a1)
    # Another student's clock pages nothing of this one's; a student of another campus is a 404.
    rows = client.get(f"/students/{student.pk}/?closed_before={foreign.pk}", HTTP_HX_REQUEST="true")
    assert rows.status_code == 200 and 'id="deadline-' not in rows.content.decode()
    assert client.get(f"/students/{far.pk}/?closed_before=1", HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(f"/students/{student.pk}/?closed_before=99999999999999999999").status_code == 200
    client.force_login(company.manager_b)
    assert client.get(f"/students/{student.pk}/").status_code == 404


def test_the_queries_do_not_grow_with_the_closed_clocks(
    client, company, student, django_assert_max_num_queries
):
    deadline_open(rule="H4", subject=student, owner=company.manager_a1, start=at(2026, 11, 30, 9, 0))
    client.force_login(company.manager_a1)
    client.get(f"/students/{student.pk}/")  # the content types cached, as after any first page
    pages, mores = [], []
    for size in (30, 400):
        add_closed(student, size, start=sum((30, 400)[: len(pages)]))
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/students/{student.pk}/").content.decode()
        pages.append(len(queries))
        assert len(shown(page)) == CLOSED_CLOCKS_PAGE
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(6):
            client.get(f"/students/{student.pk}/{more_link(page)}", HTTP_HX_REQUEST="true")
        mores.append(len(queries))
    assert pages[0] == pages[1] and mores[0] == mores[1]
