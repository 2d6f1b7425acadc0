"""The student page's timeline: the newest 50 events, then 50 more on demand (htmx, or a plain link
without JavaScript), with its filters, in a fixed number of queries."""

import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from students.models import Student
from tests.deadlines.conftest import at
from timeline.models import Event

T0 = at(2026, 11, 1, 9, 0)


@pytest.fixture
def student(company, time_machine):
    time_machine.move_to(at(2026, 12, 2, 10, 0), tick=False)
    return Student.objects.create(full_name="小明", campus=company.campus_a, manager=company.manager_a1)


def add_events(student, n, *, kind="lesson.done", start=0):
    """`n` events E0000… one minute apart, every pair at the same minute (the order must still hold)."""
    kind_of_student = ContentType.objects.get_for_model(Student)
    Event.objects.bulk_create(
        Event(
            subject_type=kind_of_student,
            subject_id=student.pk,
            student=student,
            campus_id=student.campus_id,
            kind=kind,
            at=T0 + timedelta(minutes=(start + i) // 2),
            data={"subject": f"E{start + i:04}"},
        )
        for i in range(n)
    )


def shown(html: str) -> list[int]:
    """The events a page shows, by their number, top down."""
    return [int(n) for n in re.findall(r"<div>[^<]* · E(\d{4})</div>", html)]


def more_link(html: str) -> str | None:
    found = re.search(r'<li class="timeline-more"><a [^>]*href="([^"#]*)#timeline" hx-get="([^"]*)"', html)
    if not found:
        return None
    assert found.group(1) == found.group(2)  # the same next page with or without JavaScript
    return found.group(1).replace("&amp;", "&")


def newest_first(first: int, last: int) -> list[int]:
    """E<first-1> down to E<last>: later events first; of two at the same minute, the later entered."""
    return list(range(first - 1, last - 1, -1))


def test_the_newest_50_then_50_more_on_demand(client, company, student):
    add_events(student, 120)
    client.force_login(company.manager_a1)
    page = client.get(f"/students/{student.pk}/").content.decode()
    assert shown(page) == newest_first(120, 70)
    link = more_link(page)
    assert link and "before=" in link
    rows = client.get(f"/students/{student.pk}/{link}", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in rows and 'id="timeline"' not in rows  # only the rows that follow
    assert shown(rows) == newest_first(70, 20)
    last = client.get(f"/students/{student.pk}/{more_link(rows)}", HTTP_HX_REQUEST="true").content.decode()
    assert shown(last) == newest_first(20, 0) and more_link(last) is None


def test_without_javascript_the_link_opens_the_page_at_the_next_events(client, company, student):
    add_events(student, 60)
    client.force_login(company.manager_a1)
    link = more_link(client.get(f"/students/{student.pk}/").content.decode())
    page = client.get(f"/students/{student.pk}/{link}").content.decode()
    assert "<html" in page and shown(page) == newest_first(10, 0)
    assert more_link(page) is None
    assert 'href="?show=#timeline">回到最新</a>' in page


def test_the_filter_keeps_working_with_more(client, company, student):
    add_events(student, 60, kind="score.recorded")
    add_events(student, 60, kind="lesson.done", start=60)
    client.force_login(company.manager_a1)
    scores = client.get(f"/students/{student.pk}/?show=scores", HTTP_HX_REQUEST="true").content.decode()
    assert shown(scores) == newest_first(60, 10)
    link = more_link(scores)
    assert "show=scores" in link
    rest = client.get(f"/students/{student.pk}/{link}", HTTP_HX_REQUEST="true").content.decode()
    assert shown(rest) == newest_first(10, 0)


def test_another_student_s_event_pages_nothing(client, company, student):
    other = Student.objects.create(full_name="小刚", campus=company.campus_a, manager=company.manager_a1)
    add_events(student, 10)
    add_events(other, 1)
    foreign = Event.objects.get(student=other)
    client.force_login(company.manager_a1)
    rows = client.get(f"/students/{student.pk}/?before={foreign.pk}", HTTP_HX_REQUEST="true")
    assert shown(rows.content.decode()) == []
    assert client.get(f"/students/{student.pk}/?before=99999999999999999999").status_code == 200


def test_the_queries_do_not_grow_with_the_events(client, company, student, django_assert_max_num_queries):
    client.force_login(company.manager_a1)
    client.get(f"/students/{student.pk}/")  # the content types cached, as after any first page
    pages, mores = [], []
    for size in (60, 600):
        add_events(student, size, start=len(pages) * 60)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/students/{student.pk}/").content.decode()
        pages.append(len(queries))
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(8):
            client.get(f"/students/{student.pk}/{more_link(page)}", HTTP_HX_REQUEST="true")
        mores.append(len(queries))
    assert pages[0] == pages[1] and mores[0] == mores[1]
