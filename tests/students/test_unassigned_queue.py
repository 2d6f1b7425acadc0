"""The campus's students waiting for a learning manager: a queue on the supervisor's and the
director's home, the 未分配 filter of the student list, and the assign form's caseloads."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from deadlines.models import Deadline, Status
from deadlines.services import deadline_open
from students.models import Student

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def thursday(time_machine):
    time_machine.move_to(NOW, tick=False)


def new_student(campus, name, *, manager=None, status="onboarding") -> Student:
    return Student.objects.create(full_name=name, campus=campus, manager=manager, status=status)


def queue(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return {q.queue.key: q for q in response.context["queues"]}.get("assigner_unassigned"), response


def test_the_supervisor_and_the_director_see_the_campus_s_unassigned_students(client, company):
    waiting = new_student(company.campus_a, "赵一鸣")
    new_student(company.campus_a, "钱多多", manager=company.manager_a1)
    new_student(company.campus_a, "孙小美", status="refunded")  # needs no manager any more
    elsewhere = new_student(company.campus_b, "周一")
    for person in (company.supervisor_a, company.director_a):
        shown, response = queue(client, person)
        assert [(i.url, i.about) for i in shown.items] == [(waiting.get_absolute_url(), "赵一鸣")]
        assert "等待分配学管师的学生" in response.content.decode()
        assert response.context["nav_counts"]["waiting"] >= 1
    for person in (company.supervisor_b, company.director_b):
        shown, _ = queue(client, person)
        assert [i.url for i in shown.items] == [elsewhere.get_absolute_url()]
    for person in (company.manager_a1, company.consultant_a, company.president):
        assert queue(client, person)[0] is None
    # The student's page, where the item links, offers the assigning.
    client.force_login(company.supervisor_a)
    assert "分配学管师" in client.get(waiting.get_absolute_url()).content.decode()


def test_assigning_through_the_page_removes_the_student(client, company):
    waiting = new_student(company.campus_a, "赵一鸣")
    client.force_login(company.supervisor_a)
    page = client.get(f"/students/{waiting.pk}/assign/")
    response = client.post(
        f"/students/{waiting.pk}/assign/",
        {"manager": company.manager_a1.pk, "seen_manager": page.context["form"]["seen_manager"].value()},
    )
    assert response.status_code == 302
    assert queue(client, company.supervisor_a)[0] is None


def test_the_unassigned_filter_of_the_student_list(client, company):
    new_student(company.campus_a, "赵一鸣")
    new_student(company.campus_a, "钱多多", manager=company.manager_a1)
    new_student(company.campus_b, "周一")
    client.force_login(company.supervisor_a)
    response = client.get("/students/?manager=none")
    assert [s.full_name for s in response.context["page"]] == ["赵一鸣"]
    page = response.content.decode()
    assert re.search(r'<option value="none" selected>未分配</option>', page)
    everyone = client.get("/students/")
    assert sorted(s.full_name for s in everyone.context["page"]) == sorted(["赵一鸣", "钱多多"])
    by_manager = client.get(f"/students/?manager={company.manager_a1.pk}")
    assert [s.full_name for s in by_manager.context["page"]] == ["钱多多"]


def test_the_assign_form_shows_each_manager_s_caseload_and_late_count(
    client, company, django_assert_max_num_queries
):
    student = new_student(company.campus_a, "赵一鸣")
    mine = [
        new_student(company.campus_a, f"王{n}", manager=company.manager_a1, status="active") for n in range(3)
    ]
    new_student(
        company.campus_a, "王旧", manager=company.manager_a1, status="ended"
    )  # no longer in the caseload
    new_student(company.campus_a, "李一", manager=company.manager_a2, status="active")
    for n, rule in enumerate(("H1", "H3")):
        deadline = deadline_open(rule=rule, subject=mine[n], owner=company.manager_a1)
        Deadline.objects.filter(pk=deadline.pk).update(status=Status.OVERDUE, due_at=NOW - timedelta(hours=1))
    deadline_open(rule="H4", subject=mine[2], owner=company.manager_a1)  # open, not late
    client.force_login(company.supervisor_a)
    with django_assert_max_num_queries(40) as few:
        page = client.get(f"/students/{student.pk}/assign/").content.decode()
    assert "王芳 — 在管 3 名，逾期 2 项" in page
    assert "李娜 — 在管 1 名，逾期 0 项" in page
    for n in range(20):
        new_student(company.campus_a, f"多{n}", manager=company.manager_a2, status="active")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(f"/students/{student.pk}/assign/").content.decode()
    assert "李娜 — 在管 21 名，逾期 0 项" in page


@pytest.mark.parametrize("person", ["supervisor_a", "director_a"])
def test_the_queue_s_queries_do_not_grow_with_the_students(
    client, company, person, django_assert_max_num_queries
):
    user = getattr(company, person)

    def add(n, start):
        Student.objects.bulk_create(
            Student(full_name=f"学生{start + i}", campus=company.campus_a) for i in range(n)
        )

    add(10, 0)
    client.force_login(user)
    with django_assert_max_num_queries(60) as few:
        queue(client, user)
    add(190, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        shown, _ = queue(client, user)
    assert (shown.total, len(shown.items)) == (200, 30)
