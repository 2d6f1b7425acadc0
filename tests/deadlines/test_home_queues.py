"""What the sweep escalated to the campus director: on the director's home by manager, on the
president's summed per campus; and the campus's on-time rate this month on the director's home."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from deadlines.models import Deadline, Status
from deadlines.services import deadline_meet, deadline_open
from students.models import Student

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=SH)  # a Thursday


@pytest.fixture(autouse=True)
def thursday(time_machine):
    time_machine.move_to(NOW, tick=False)


def escalated(student, *, rule="R1", level=2, days_late=3) -> Deadline:
    """The student's `rule` clock, late and escalated to `level`."""
    deadline = deadline_open(rule=rule, subject=student, owner=student.manager)
    Deadline.objects.filter(pk=deadline.pk).update(
        status=Status.ESCALATED, escalation_level=level, due_at=NOW - timedelta(days=days_late)
    )
    deadline.refresh_from_db()
    return deadline


def student_of(manager, name) -> Student:
    return Student.objects.create(full_name=name, campus=manager.campus, manager=manager, status="active")


def queue(client, user, key):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return {q.queue.key: q for q in response.context["queues"]}.get(key), response


def test_the_director_sees_what_was_escalated_to_them_grouped_by_manager(client, company):
    wang, li = student_of(company.manager_a1, "赵一鸣"), student_of(company.manager_a2, "钱多多")
    first = escalated(wang, days_late=5)
    second = escalated(li, days_late=4)
    third = escalated(wang, rule="L6", days_late=3)
    escalated(student_of(company.manager_a1, "孙小美"), level=1)  # the supervisor's, not yet the director's
    elsewhere = escalated(student_of(company.manager_b, "周一"))
    shown, response = queue(client, company.director_a, "escalated_director")
    assert shown.total == 3
    # Grouped: 王芳's two rows together although 李娜's falls due between them; late first in each.
    assert [(i.group, i.url) for i in shown.items] == [
        ("王芳", first.action_url),
        ("王芳", third.action_url),
        ("李娜", second.action_url),
    ]
    assert first.action_url == f"/students/{wang.pk}/?open=renewal#renewal"
    page = response.content.decode()
    assert "升级到您的事项" in page and page.count("list-group-item-danger") >= 3
    other, _ = queue(client, company.director_b, "escalated_director")
    assert [i.url for i in other.items] == [elsewhere.action_url]
    assert queue(client, company.supervisor_a, "escalated_director")[0] is None


def test_a_case_rule_links_to_the_case(client, company):
    from retention import services
    from retention.models import Case

    student = student_of(company.manager_a1, "赵一鸣")
    case, _ = services.case_open(student=student, actor=company.manager_a1, description="家长说孩子不想来了")
    Deadline.objects.filter(rule="E1", subject_id=case.pk).update(status=Status.ESCALATED, escalation_level=2)
    shown, _ = queue(client, company.director_a, "escalated_director")
    assert [i.url for i in shown.items] == [Case.objects.get().get_absolute_url()]


def test_meeting_the_deadline_removes_it(client, company):
    student = student_of(company.manager_a1, "赵一鸣")
    escalated(student)
    deadline_meet(rule="R1", subject=student, actor=company.manager_a1)
    assert queue(client, company.director_a, "escalated_director")[0] is None


def test_the_president_sees_the_escalations_summed_per_campus(client, company):
    for n in range(3):
        escalated(student_of(company.manager_a1, f"甲{n}"), days_late=n + 2)
    escalated(student_of(company.manager_b, "乙"))
    escalated(student_of(company.manager_b, "丙"), level=1)
    shown, response = queue(client, company.president, "escalated_campuses")
    assert [(i.about, i.label, i.url) for i in shown.items] == [
        ("海淀校区", "3 项时限已升级至校区总监", f"/students/?campus={company.campus_a.pk}"),
        ("徐汇校区", "1 项时限已升级至校区总监", f"/students/?campus={company.campus_b.pk}"),
    ]
    assert shown.total == 2 and response.context["nav_counts"]["waiting"] >= 2
    # The link: the campus's students, late work first.
    listed = client.get(f"/students/?campus={company.campus_b.pk}")
    assert sorted(s.full_name for s in listed.context["page"]) == sorted(["乙", "丙"])
    for person in (company.director_a, company.finance, company.supervisor_a):
        assert queue(client, person, "escalated_campuses")[0] is None


def test_the_campus_filter_is_only_for_company_wide_roles(client, company):
    student_of(company.manager_b, "乙")
    client.force_login(company.director_a)
    response = client.get(f"/students/?campus={company.campus_b.pk}")
    form = response.context["form"]
    # No select for a director; another campus named by hand is an error, never another's students.
    assert not form.offers_campus and form.errors["campus"] and not list(response.context["page"])
    assert 'name="campus"' not in response.content.decode()


def test_the_director_sees_the_campus_s_on_time_rate_this_month(client, company):
    student = student_of(company.manager_a1, "赵一鸣")
    other = student_of(company.manager_b, "周一")
    for rule, status in (
        ("H1", Status.MET),
        ("H3", Status.MET),
        ("H4", Status.MET_LATE),
        ("R1", Status.WAIVED),
    ):
        deadline = deadline_open(rule=rule, subject=student, owner=company.manager_a1)
        Deadline.objects.filter(pk=deadline.pk).update(status=status, due_at=NOW - timedelta(days=1))
    late = deadline_open(rule="L6", subject=student, owner=company.manager_a1)
    Deadline.objects.filter(pk=late.pk).update(status=Status.OVERDUE, due_at=NOW - timedelta(hours=1))
    last_month = deadline_open(rule="L2", subject=student, owner=company.manager_a1)
    Deadline.objects.filter(pk=last_month.pk).update(status=Status.MET_LATE, due_at=NOW - timedelta(days=10))
    missed = deadline_open(rule="H1", subject=other, owner=company.manager_b)
    Deadline.objects.filter(pk=missed.pk).update(status=Status.OVERDUE, due_at=NOW - timedelta(days=1))
    client.force_login(company.director_a)
    response = client.get("/")
    figure = response.context["campus_on_time"]
    assert (figure.met_on_time, figure.due, figure.rate) == (2, 4, 50)
    assert "本校区本月按时完成率" in response.content.decode() and "50%" in response.content.decode()
    client.force_login(company.director_b)
    assert client.get("/").context["campus_on_time"].rate == 0
    client.force_login(company.supervisor_a)
    assert "campus_on_time" not in client.get("/").context


@pytest.mark.parametrize(
    "person,key", [("director_a", "escalated_director"), ("president", "escalated_campuses")]
)
def test_the_queries_do_not_grow_with_the_escalations(
    client, company, person, key, django_assert_max_num_queries
):
    user = getattr(company, person)

    def add(n, start):
        for i in range(n):
            manager = (company.manager_a1, company.manager_a2)[i % 2]
            escalated(student_of(manager, f"学生{start + i}"), days_late=1 + i % 5)

    add(10, 0)
    client.force_login(user)
    with django_assert_max_num_queries(60) as few:
        queue(client, user, key)
    add(190, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        shown, _ = queue(client, user, key)
    assert shown.total == (200 if key == "escalated_director" else 1)
