import pytest

from tests.conftest import ONE_OF_EACH_ROLE

ADMIN_PAGES = [
    "/admin/",
    "/admin/accounts/user/",
    "/admin/accounts/user/?role__exact=learning_manager&q=王",
    "/admin/accounts/campus/",
    "/admin/accounts/campus/?q=海淀",
    "/admin/accounts/team/",
    "/admin/accounts/team/?q=学管",
    "/admin/django_celery_beat/periodictask/",
    "/admin/students/student/?q=小",
    "/admin/timeline/event/",
    "/admin/deadlines/calendarday/",
    "/admin/deadlines/calendarday/import/",
    "/admin/deadlines/deadline/?status__exact=overdue",
    "/admin/deadlines/notification/",
    "/admin/deadlines/delivery/",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_open_for_the_administrator_in_chinese(client, company, path):
    client.force_login(company.admin)
    response = client.get(path)
    assert response.status_code == 200
    assert "学管工作台" in response.content.decode()


def test_admin_edit_pages_open(client, company):
    client.force_login(company.admin)
    for path in (
        f"/admin/accounts/user/{company.manager_a1.pk}/change/",
        f"/admin/accounts/campus/{company.campus_a.pk}/change/",
        f"/admin/accounts/team/{company.team_a.pk}/change/",
        "/admin/accounts/user/add/",
    ):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize(("person", "role"), [p for p in ONE_OF_EACH_ROLE if p[0] != "admin"])
def test_admin_refuses_everyone_else(client, company, person, role):
    client.force_login(getattr(company, person))
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")


def test_admin_rejects_a_team_on_another_campus(client, company):
    client.force_login(company.admin)
    user = company.manager_a1
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "username": user.username,
            "full_name": user.full_name,
            "role": user.role,
            "campus": company.campus_a.pk,
            "team": company.team_b.pk,
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 200
    assert "团队必须属于该用户所在的校区。" in response.content.decode()
    user.refresh_from_db()
    assert user.team == company.team_a
