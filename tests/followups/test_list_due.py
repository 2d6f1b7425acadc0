"""The follow-up page's list of the callbacks and talks due this week (?due=week), linked from the
manager's home: scope, order, bounds and queries."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines.models import Deadline
from deadlines.services import deadline_open
from students.models import Student

from .conftest import at

DUE = "/followups/?due=week"


def callback_for(manager, name, start, rule="L4"):
    student = Student.objects.create(full_name=name, campus=manager.campus, manager=manager, status="active")
    return deadline_open(rule=rule, subject=student, owner=manager, start=start)


def test_the_callbacks_and_talks_due_this_week_late_first(client, company, taught, time_machine):
    """赵一鸣 was taught Tue 1 Dec: F1 was due that evening, L3 the next working day, L4 in a week."""
    late = callback_for(company.manager_a1, "迟回访", at(2026, 11, 20, 9, 0))  # due Fri 27 Nov
    callback_for(company.manager_a1, "下月回访", at(2026, 12, 10, 9, 0))  # due Thu 17 Dec: not this week
    callback_for(company.manager_a1, "成长记录", at(2026, 12, 1, 9, 0), rule="L6")  # not a callback
    callback_for(company.manager_a2, "同组回访", at(2026, 11, 30, 9, 0))
    client.force_login(company.manager_a1)
    response = client.get(DUE)
    rows = list(response.context["page"])
    expected = [
        late,
        *Deadline.objects.filter(student=taught, rule__in=("F1", "L3", "L4")).order_by("due_at"),
    ]
    assert rows == expected
    assert [d.rule for d in rows] == ["L4", "F1", "L3", "L4"]
    assert response.context["counts"].callbacks_due == 4  # the card counts what the list shows
    html = response.content.decode()
    assert "迟回访" in html and "赵一鸣" in html
    assert "下月回访" not in html and "成长记录" not in html and "同组回访" not in html
    assert f'href="{late.action_url}"' in html and "逾期" in html
    assert "续费名单" not in html  # the renewal list is the other view of the page


def test_a_supervisor_sees_the_team_s_and_picks_one_manager(client, company, taught):
    callback_for(company.manager_a2, "同组回访", at(2026, 11, 30, 9, 0))
    callback_for(company.manager_b, "外校回访", at(2026, 11, 30, 9, 0))
    client.force_login(company.supervisor_a)
    names = {d.student.full_name for d in client.get(DUE).context["page"]}
    assert names == {"赵一鸣", "同组回访"}
    one = client.get(f"{DUE}&manager={company.manager_a2.pk}")
    assert {d.student.full_name for d in one.context["page"]} == {"同组回访"}
    assert 'name="due" value="week"' in one.content.decode()  # the filter keeps the view


def test_the_manager_s_home_card_opens_the_list(client, company, taught):
    client.force_login(company.manager_a1)
    home = client.get("/").content.decode()
    assert 'href="/followups/?due=week">本周到期回访与沟通 3 项' in home
    page = client.get("/followups/").content.decode()
    assert 'href="?due=week"' in page


def test_the_list_is_paginated_with_the_same_queries_for_10_and_300(
    client, company, taught, django_assert_max_num_queries
):
    client.force_login(company.manager_a1)
    client.get(DUE)  # the content types cached, as after any first page
    counts = []
    for size in (10, 290):
        for i in range(size):
            callback_for(company.manager_a1, f"学生{size}-{i}", at(2026, 11, 25, 9, 0) + timedelta(minutes=i))
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(14):
            response = client.get(DUE)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert len(response.context["page"]) == 100 and response.context["page"].paginator.count == 303
    last = client.get(f"{DUE}&page=4")
    assert len(last.context["page"]) == 3
