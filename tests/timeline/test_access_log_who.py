"""The access log's "by whom" filter stays bounded at company size (issue 13): a part of a name or
username instead of a select of everyone in scope; `?person=<id>` links keep working."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Role
from students.models import Student
from tests.factories import UserFactory
from timeline import selectors
from timeline.models import Access
from timeline.services import access_record

SH = ZoneInfo("Asia/Shanghai")
A = Access.Action


@pytest.fixture
def log(company, time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 10, 0, tzinfo=SH), tick=False)
    company.admin.full_name = "系统管理员"
    company.admin.save()
    student = Student.objects.create(full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1)
    other = Student.objects.create(full_name="周子墨", campus=company.campus_b, manager=company.manager_b)
    access_record(actor=company.manager_a1, action=A.FILE_OPENED, student=student)  # 王芳
    access_record(actor=company.manager_a2, action=A.FILE_OPENED, student=student)  # 李娜
    access_record(actor=company.scheduler_a, action=A.PHONE, student=student, detail="赵妈妈")
    access_record(actor=company.admin, action=A.FILE_OPENED, student=student)
    access_record(actor=company.manager_b, action=A.FILE_OPENED, student=other)  # 周敏, campus B
    return student


def actors(response) -> list:
    return [entry.actor for entry in response.context["page"]]


def test_no_select_of_people_whatever_the_company_s_size(client, company, log):
    UserFactory.create_batch(200, role=Role.LEARNING_MANAGER, campus=company.campus_a)
    for person in ("director_a", "admin"):
        client.force_login(getattr(company, person))
        html = client.get("/access-log/").content.decode()
        assert "<option" not in html and 'name="who"' in html and 'placeholder="姓名或用户名"' in html


def test_by_a_part_of_the_name_or_the_username(client, company, log):
    client.force_login(company.director_a)
    assert actors(client.get("/access-log/", {"who": "王"})) == [company.manager_a1]
    assert actors(client.get("/access-log/", {"who": company.scheduler_a.username.upper()})) == [
        company.scheduler_a
    ]
    # The company-wide staff who looked at the campus's files are found too (the old select had
    # only the campus's people).
    assert actors(client.get("/access-log/", {"who": "管理员"})) == [company.admin]
    # Another campus's entries stay out of the director's log, by name as without.
    assert actors(client.get("/access-log/", {"who": "周敏"})) == []
    client.force_login(company.admin)
    assert actors(client.get("/access-log/", {"who": "周敏"})) == [company.manager_b]
    assert actors(client.get("/access-log/", {"who": "nobody"})) == []


def test_the_old_person_link_still_filters_and_can_be_dropped(client, company, log):
    client.force_login(company.director_a)
    response = client.get("/access-log/", {"person": company.scheduler_a.pk, "student": "赵"})
    assert [e.action for e in response.context["page"]] == [A.PHONE]
    html = response.content.decode()
    assert f'type="hidden" name="person" value="{company.scheduler_a.pk}"' in html  # kept on the next search
    name = company.scheduler_a.display_name
    assert f"仅显示{name}的记录。" in html and 'href="?student=%E8%B5%B5"' in html


def test_a_person_outside_the_scope_or_a_long_name_is_a_clear_message(client, company, log):
    client.force_login(company.director_a)
    response = client.get("/access-log/", {"person": company.manager_b.pk})  # campus B
    html = response.content.decode()
    assert (
        response.status_code == 200
        and "此人不在您可查看的人员范围内。" in html
        and "现显示全部记录。" in html
    )
    assert len(response.context["page"]) == 4  # every entry of campus A
    assert 'name="person"' not in html  # the bad id is not sent again
    response = client.get("/access-log/", {"who": "王" * 61})
    assert response.status_code == 200 and response.context["form"].errors["who"]
    assert len(response.context["page"]) == 4


def test_too_many_people_matching_says_so(client, company, log, monkeypatch):
    monkeypatch.setattr(selectors, "ACTOR_MATCHES", 2)
    client.force_login(company.admin)
    # 李娜, 王芳, 周敏 and the factory's 同事… all have a full name; the usernames hold "user".
    response = client.get("/access-log/", {"who": "user"})
    assert "只列出按姓名排序前" in response.content.decode()
    assert len({entry.actor for entry in response.context["page"]}) <= 2
    fine = client.get("/access-log/", {"who": "王芳"})
    assert "只列出按姓名排序前" not in fine.content.decode()
    assert actors(fine) == [company.manager_a1]


def test_the_filtered_log_runs_a_fixed_number_of_queries(client, company, log, django_assert_max_num_queries):
    for _ in range(300):
        access_record(actor=company.manager_a1, action=A.FILE_OPENED, student=log)
    client.force_login(company.director_a)
    client.get("/access-log/")
    # The page's 12 (test_access_log), one more for the people named.
    with django_assert_max_num_queries(13):
        response = client.get("/access-log/", {"who": "王"})
    assert len(response.context["page"]) == 50
    with django_assert_max_num_queries(13):
        response = client.get("/access-log/", {"person": company.manager_a1.pk})
    assert len(response.context["page"]) == 50
