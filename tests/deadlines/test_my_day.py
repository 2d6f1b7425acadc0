"""My day, the team view, the inbox, waiving from the page: scope, buckets and query counts."""

from datetime import timedelta

import pytest

from deadlines.models import Deadline, Kind, Notification, Status
from deadlines.selectors import day_counts, deadlines_for, my_day, notifications_for, team_day
from deadlines.services import deadline_meet, deadline_open, sweep
from students.models import Student
from tests.conftest import ONE_OF_EACH_ROLE

from .conftest import at

NOW = at(2026, 12, 2, 10, 0)  # a Wednesday


def open_for(manager, name, rule, start, event=None):
    student = Student.objects.create(full_name=name, campus=manager.campus, manager=manager)
    return deadline_open(rule=rule, subject=student, owner=manager, start=start, event=event)


@pytest.fixture
def day(company, time_machine):
    """manager_a1: one late (H4 due Tue), one due today (H4 due Wed 16:00), one this week (F4...);
    manager_a2: one late; manager_b (campus B): one late."""
    time_machine.move_to(NOW, tick=False)
    late = open_for(company.manager_a1, "迟到生", "H4", at(2026, 11, 30, 9, 0))
    today = open_for(company.manager_a1, "今天生", "H4", at(2026, 12, 1, 16, 0))
    week = open_for(company.manager_a1, "本周生", "E1", at(2026, 12, 2, 9, 0))
    later = open_for(company.manager_a1, "下月生", "F3", at(2026, 12, 2, 9, 0))
    other = open_for(company.manager_a2, "同组生", "H4", at(2026, 11, 30, 9, 0))
    far = open_for(company.manager_b, "外校生", "H4", at(2026, 11, 30, 9, 0))
    return dict(late=late, today=today, week=week, later=later, other=other, far=far)


def keys(buckets):
    return {b.key: [r.student.full_name for g in b.groups for r in g.rows] for b in buckets}


def test_my_day_buckets_a_managers_own_deadlines(day, company):
    assert keys(my_day(company.manager_a1, now=NOW)) == {
        "overdue": ["迟到生"],
        "today": ["今天生"],
        "week": ["本周生"],
    }


def test_a_manager_sees_only_their_own_deadlines(day, company):
    assert set(deadlines_for(company.manager_a1)) == {day["late"], day["today"], day["week"], day["later"]}
    assert day["far"] not in deadlines_for(company.manager_a1)


def test_a_supervisor_sees_their_team_and_not_the_other_campus(day, company):
    seen = set(deadlines_for(company.supervisor_a))
    assert day["other"] in seen and day["late"] in seen and day["far"] not in seen
    assert set(deadlines_for(company.director_b)) == {day["far"]}
    assert set(deadlines_for(company.finance)) == set(Deadline.objects.all())


def test_team_view_counts_and_on_time_rate(day, company, time_machine):
    time_machine.move_to(at(2026, 12, 1, 9, 0), tick=False)
    done = open_for(company.manager_a1, "准时生", "H4", at(2026, 12, 1, 8, 0))
    deadline_meet(rule="H4", subject=done.student, actor=company.manager_a1)
    time_machine.move_to(NOW, tick=False)
    rows = {d.manager.full_name: d for d in team_day(company.supervisor_a, now=NOW)}
    assert set(rows) == {"王芳", "李娜"}
    wang = rows["王芳"]
    assert wang.counts == {"overdue": 1, "today": 1, "week": 1}
    # Due by now this month: "准时生" met on time (due Dec 2 08:00) and "迟到生" late (due Dec 1 09:00).
    assert (wang.met_on_time, wang.due_this_month, wang.on_time_rate) == (1, 2, 50)
    assert rows["李娜"].on_time_rate == 0


def test_nav_counts(day, company):
    sweep(now=NOW)
    assert day_counts(company.manager_a1, now=NOW) == {"overdue": 1, "today": 1, "unread": 1}


def test_my_day_page_shows_red_overdue_and_groups_by_student(client, day, company):
    client.force_login(company.manager_a1)
    html = client.get("/").content.decode()
    assert "我的一天" in html and "已逾期" in html and "今天到期" in html
    assert "迟到生" in html and "今天生" in html and "本周生" in html
    assert "下月生" not in html and "同组生" not in html and "外校生" not in html
    assert "deadline-row--late" in html
    assert f'href="/students/{day["late"].student_id}/"' in html
    # H4 opens its subject's page, the handover (tests/handover: H rows open the handover page).
    link_to_act = f'href="/handover/{day["late"].subject_id}/"'
    assert link_to_act in html


def test_supervisor_home_shows_the_team(client, day, company):
    client.force_login(company.supervisor_a)
    html = client.get("/").content.decode()
    assert "团队今日概况" in html and "同组生" in html and "迟到生" in html and "外校生" not in html


@pytest.mark.parametrize("person", ["manager_a1", "supervisor_a", "director_a"])
def test_home_query_count_does_not_grow_with_the_data(
    client, company, person, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(NOW, tick=False)
    for i in range(40):
        manager = company.manager_a1 if i % 2 else company.manager_a2
        open_for(
            manager, f"学生{i}", "H4", at(2026, 11, 30 + i % 3, 9, 0) if i % 3 < 1 else at(2026, 12, 1, 9, 0)
        )
    sweep(now=NOW)
    client.force_login(getattr(company, person))
    # The director's home also shows four queues (issue 12), two queries each, and the on-time rate.
    with django_assert_max_num_queries(20):
        assert client.get("/").status_code == 200


def test_inbox_lists_only_my_delivered_notices_and_marks_them_read(client, day, company):
    sweep(now=NOW)
    client.force_login(company.manager_a1)
    html = client.get("/notifications/").content.decode()
    assert "已逾期：H4" in html and "迟到生" in html and "同组生" not in html
    notice = Notification.objects.get(recipient=company.manager_a1, kind=Kind.OVERDUE)
    response = client.post(f"/notifications/{notice.pk}/read/", {"next": "https://elsewhere.example/"})
    assert response.status_code == 302
    assert response.url == f"/students/{day['late'].student_id}/#deadline-{day['late'].pk}"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_someone_elses_notice_is_a_404(client, day, company):
    sweep(now=NOW)
    theirs = Notification.objects.get(recipient=company.manager_a2)
    client.force_login(company.manager_a1)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.get(f"/notifications/{theirs.pk}/read/").status_code == 405


def test_notices_held_for_opening_time_are_not_in_the_inbox_yet(client, company, time_machine):
    time_machine.move_to(at(2026, 12, 4, 19, 0), tick=False)  # Friday evening
    open_for(company.manager_a1, "周末生", "H4", at(2026, 12, 3, 18, 0))
    sweep(now=at(2026, 12, 4, 19, 0))
    client.force_login(company.manager_a1)
    assert "周末生" not in client.get("/notifications/").content.decode()
    time_machine.move_to(at(2026, 12, 7, 9, 0), tick=False)  # Monday opening
    client.force_login(company.manager_a1)  # a new working day, a new sign-in
    assert "周末生" in client.get("/notifications/").content.decode()


def test_read_all(client, day, company):
    sweep(now=NOW)
    client.force_login(company.manager_a1)
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=company.manager_a1, read_at=None).exists()
    assert Notification.objects.filter(recipient=company.manager_a2, read_at=None).exists()


def test_inbox_query_count_does_not_grow(client, company, time_machine, django_assert_max_num_queries):
    time_machine.move_to(NOW, tick=False)
    for i in range(25):
        open_for(company.manager_a1, f"学生{i}", "H4", at(2026, 11, 30, 9, 0))
    sweep(now=NOW)
    client.force_login(company.manager_a1)
    with django_assert_max_num_queries(10):
        assert client.get("/notifications/").status_code == 200


def test_the_inbox_pages_back_in_time_without_counting_it(client, company, time_machine):
    """30 notices a page, newest first; "older" continues after the last one shown, to the end."""
    time_machine.move_to(NOW, tick=False)
    deadline = open_for(company.manager_a1, "旧通知生", "H4", at(2026, 11, 30, 9, 0))
    same_time = NOW - timedelta(hours=1)  # notices delivered at one time are ordered by their key
    Notification.objects.bulk_create(
        Notification(
            recipient=company.manager_a1,
            deadline=deadline,
            round=i,
            kind=Kind.OVERDUE,
            deliver_after=same_time if i % 10 == 0 else NOW - timedelta(days=i),
        )
        for i in range(1, 71)
    )
    expected = list(
        Notification.objects.filter(recipient=company.manager_a1).order_by("-deliver_after", "-pk")
    )
    client.force_login(company.manager_a1)
    seen, url = [], "/notifications/"
    while url:
        response = client.get(url)
        shown = [notice for notice, _headline, _body in response.context["items"]]
        assert len(shown) == (30 if len(seen) < 60 else 10)
        seen += shown
        after = response.context["next_before"]
        html = response.content.decode()
        assert ("更早的通知" in html) == bool(after) and ("回到最新" in html) == (url != "/notifications/")
        url = f"/notifications/?before={after}" if after else ""
    assert seen == expected
    assert client.get("/notifications/?before=abc").context["items"][0][0] == expected[0]  # the newest


def test_another_persons_notice_leads_to_no_older_page(client, company, time_machine):
    time_machine.move_to(NOW, tick=False)
    deadline = open_for(company.manager_a2, "别人的生", "H4", at(2026, 11, 30, 9, 0))
    theirs = Notification.objects.create(
        recipient=company.manager_a2, deadline=deadline, kind=Kind.OVERDUE, deliver_after=NOW
    )
    client.force_login(company.manager_a1)
    response = client.get(f"/notifications/?before={theirs.pk}")
    assert response.status_code == 200 and response.context["items"] == []


class TestWaiveFromThePage:
    def test_supervisor_waives_with_a_reason(self, client, day, company):
        client.force_login(company.supervisor_a)
        url = f"/deadlines/{day['late'].pk}/waive/"
        assert "免除时限" in client.get(url).content.decode()
        response = client.post(url, {"reason": "家长临时出国"})
        assert response.status_code == 302
        assert Deadline.objects.get(pk=day["late"].pk).status == Status.WAIVED
        again = client.post(url, {"reason": "家长临时出国"}, follow=True)  # a double click
        assert "这项时限已经关闭。" in again.content.decode()

    def test_without_a_reason_the_form_says_why_and_nothing_changes(self, client, day, company):
        client.force_login(company.supervisor_a)
        response = client.post(f"/deadlines/{day['late'].pk}/waive/", {"reason": "   "})
        assert response.status_code == 200
        assert "请填写免除这项时限的原因。" in response.content.decode()
        assert Deadline.objects.get(pk=day["late"].pk).status == Status.OPEN

    def test_a_manager_may_not_waive(self, client, day, company):
        client.force_login(company.manager_a1)
        assert client.post(f"/deadlines/{day['late'].pk}/waive/", {"reason": "x"}).status_code == 403
        assert Deadline.objects.get(pk=day["late"].pk).status == Status.OPEN

    def test_another_campus_deadline_is_a_404(self, client, day, company):
        client.force_login(company.director_a)
        assert client.post(f"/deadlines/{day['far'].pk}/waive/", {"reason": "x"}).status_code == 404


@pytest.mark.parametrize(("person", "role"), ONE_OF_EACH_ROLE)
def test_every_role_opens_the_inbox_and_home(client, company, person, role):
    client.force_login(getattr(company, person))
    assert client.get("/notifications/").status_code == 200
    assert client.get("/").status_code == 200


def test_a_notice_about_a_student_who_moved_to_another_manager_leaves_the_former_inbox(client, day, company):
    sweep(now=NOW)
    notice = Notification.objects.get(recipient=company.manager_a1, kind=Kind.OVERDUE)
    student = Student.objects.get(pk=day["late"].student_id)
    client.force_login(company.manager_a1)
    assert student.full_name in client.get("/notifications/").content.decode()
    Student.objects.filter(pk=student.pk).update(manager=company.manager_a2)
    inbox = client.get("/notifications/").content.decode()
    assert student.full_name not in inbox
    assert client.post(f"/notifications/{notice.pk}/read/").status_code == 404
    assert notice.pk not in set(notifications_for(company.manager_a1).values_list("pk", flat=True))


@pytest.mark.parametrize(("person", "role"), ONE_OF_EACH_ROLE)
def test_every_role_opens_inbox_home_and_students_with_data(client, day, company, person, role):
    sweep(now=at(2026, 12, 9, 10, 0))  # every late deadline reaches the supervisor and the director
    client.force_login(getattr(company, person))
    for path in ("/", "/notifications/", "/students/", "/people/"):
        assert client.get(path).status_code == 200, path
