import pytest

from deadlines.services import deadline_open, deadline_waive, sweep
from students.models import Student
from tests.conftest import ONE_OF_EACH_ROLE
from tests.deadlines.conftest import at


@pytest.fixture
def students(company, time_machine):
    time_machine.move_to(at(2026, 12, 2, 10, 0), tick=False)
    mine = Student.objects.create(full_name="小明", campus=company.campus_a, manager=company.manager_a1)
    teammate = Student.objects.create(full_name="小刚", campus=company.campus_a, manager=company.manager_a2)
    far = Student.objects.create(full_name="小红", campus=company.campus_b, manager=company.manager_b)
    deadline_open(rule="H4", subject=mine, owner=company.manager_a1, start=at(2026, 11, 30, 9, 0))
    return mine, teammate, far


def test_manager_sees_own_students_only(client, company, students):
    mine, teammate, far = students
    client.force_login(company.manager_a1)
    html = client.get("/students/").content.decode()
    assert "小明" in html and "小刚" not in html and "小红" not in html
    assert client.get(f"/students/{mine.pk}/").status_code == 200
    assert client.get(f"/students/{teammate.pk}/").status_code == 404  # another manager's student
    assert client.get(f"/students/{far.pk}/").status_code == 404


def test_supervisor_and_director_see_their_scope(client, company, students):
    mine, teammate, far = students
    for person in ("supervisor_a", "director_a"):
        client.force_login(getattr(company, person))
        assert client.get(f"/students/{teammate.pk}/").status_code == 200
        assert client.get(f"/students/{far.pk}/").status_code == 404
    client.force_login(company.president)
    assert client.get(f"/students/{far.pk}/").status_code == 200


def test_detail_shows_deadlines_and_the_timeline_with_who_and_why(client, company, students):
    mine = students[0]
    sweep(now=at(2026, 12, 2, 10, 0))
    deadline = mine.deadlines.get()
    deadline_waive(deadline=deadline, actor=company.supervisor_a, reason="家长临时出国")
    client.force_login(company.manager_a1)
    html = client.get(f"/students/{mine.pk}/").content.decode()
    assert "时间线" in html
    assert "H4 与咨询师沟通学生情况 · 开始计时" in html
    assert "H4 与咨询师沟通学生情况 · 已逾期" in html
    assert (
        "H4 与咨询师沟通学生情况 · 已免除" in html
        and "家长临时出国" in html
        and company.supervisor_a.full_name in html
    )
    assert "系统" in html  # the sweep is the actor of the overdue event


def test_waive_button_only_for_supervisors_and_above(client, company, students):
    mine = students[0]
    client.force_login(company.manager_a1)
    assert "/waive/" not in client.get(f"/students/{mine.pk}/").content.decode()
    client.force_login(company.supervisor_a)
    assert "/waive/" in client.get(f"/students/{mine.pk}/").content.decode()


def test_list_query_count_does_not_grow(client, company, students, django_assert_max_num_queries):
    for i in range(30):
        s = Student.objects.create(full_name=f"学生{i}", campus=company.campus_a, manager=company.manager_a1)
        deadline_open(rule="H4", subject=s, owner=company.manager_a1, start=at(2026, 11, 30, 9, 0))
    client.force_login(company.director_a)
    with django_assert_max_num_queries(10):
        assert client.get("/students/").status_code == 200


def test_detail_query_count_does_not_grow(client, company, students, django_assert_max_num_queries):
    mine = students[0]
    for rule in ("H3", "E1", "L5", "F2", "F3", "L2"):
        deadline_open(rule=rule, subject=mine, owner=company.manager_a1, start=at(2026, 11, 30, 9, 0))
    sweep(now=at(2026, 12, 20, 10, 0))
    client.force_login(company.supervisor_a)
    with django_assert_max_num_queries(10):
        assert client.get(f"/students/{mine.pk}/").status_code == 200


@pytest.mark.parametrize(("person", "role"), ONE_OF_EACH_ROLE)
def test_student_list_opens_for_every_role(client, company, person, role):
    client.force_login(getattr(company, person))
    assert client.get("/students/").status_code == 200
