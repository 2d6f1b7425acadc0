import pytest

from tests.conftest import ONE_OF_EACH_ROLE


@pytest.mark.parametrize(("person", "role"), ONE_OF_EACH_ROLE)
def test_each_role_lands_on_a_home_of_their_own(client, company, person, role, django_assert_max_num_queries):
    user = getattr(company, person)
    client.force_login(user)
    # The queues of issue 12 add two queries each (the director's home has four and the on-time rate).
    with django_assert_max_num_queries(20):
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert user.display_name in html
    assert user.get_role_display() in html
    assert (user.campus.name if user.campus else "全公司") in html
    assert str(response.context["duties"])  # the role's own description of its work


def test_learning_manager_home_shows_their_team_and_supervisor(client, company):
    client.force_login(company.manager_a1)
    html = client.get("/").content.decode()
    assert "您的团队" in html and company.supervisor_a.display_name in html and "李娜" in html
    assert "周敏" not in html  # campus B


def test_supervisor_home_shows_the_team_they_lead(client, company):
    client.force_login(company.supervisor_a)
    html = client.get("/").content.decode()
    assert "您带领的团队" in html and "王芳" in html and "李娜" in html


def test_president_home_lists_every_campus(client, company):
    client.force_login(company.president)
    response = client.get("/")
    staff_by_campus = {c.name: c.staff_count for c in response.context["campuses"]}
    assert staff_by_campus == {"海淀校区": 8, "徐汇校区": 3}


def test_navigation_shows_each_role_its_own_sections(client, company):
    client.force_login(company.manager_a1)
    manager_nav = [s.key for s in client.get("/").context["nav_sections"]]
    client.force_login(company.admin)
    admin_nav = [s.key for s in client.get("/").context["nav_sections"]]
    assert "admin" in admin_nav and "admin" not in manager_nav
    assert "people" in manager_nav


def test_sections_without_a_page_yet_are_shown_as_coming_not_linked(client, company):
    client.force_login(company.manager_a1)
    response = client.get("/")
    keys = [s.key for s in response.context["sections"]]
    assert "handover" in keys and "refunds" not in keys  # refunds are not a manager's section
    assert "即将开放" not in response.content.decode()  # every section has its page now
    from accounts.navigation import Section

    coming = Section("x", "x", "x", "nowhere:list", frozenset())
    assert coming.url is None  # a section whose app is not there yet is shown as coming


def test_the_navigation_marks_the_most_specific_section(client, company):
    client.force_login(company.scheduler_a)
    assert client.get("/students/timetable/").context["nav_active"] == "timetable"
    assert client.get("/students/").context["nav_active"] == "students"
