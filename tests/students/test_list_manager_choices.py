"""The student list's learning-manager filter stays bounded at company size (issue 13): a company-wide
reader is offered the managers of the campus they chose, none with no campus chosen, while a
`manager=<id>` of anyone in their scope still filters; directors and supervisors keep their campus's
and team's managers."""

import re

import pytest

from accounts.models import Role
from students.models import Student
from tests.factories import UserFactory


def manager_options(html: str) -> list[tuple[str, str, bool]]:
    """The manager select's options: (value, label, selected)."""
    select = re.search(r'<select[^>]*name="manager".*?</select>', html, re.S).group(0)
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select
        )
    ]


def values(html: str) -> list[str]:
    return [value for value, _label, _selected in manager_options(html)]


@pytest.fixture
def students(company):
    Student.objects.create(full_name="陈子涵", campus=company.campus_a, manager=company.manager_a1)
    Student.objects.create(full_name="林浩然", campus=company.campus_a, manager=company.manager_a2)
    Student.objects.create(full_name="周子墨", campus=company.campus_b, manager=company.manager_b)
    Student.objects.create(full_name="新签生", campus=company.campus_b, manager=None)


def names(response) -> set[str]:
    return {s.full_name for s in response.context["page"]}


@pytest.mark.parametrize("person", ["president", "admin", "finance"])
def test_a_company_wide_reader_is_offered_no_manager_before_choosing_a_campus(
    client, company, students, person
):
    client.force_login(getattr(company, person))
    response = client.get("/students/")
    html = response.content.decode()
    assert values(html) == ["", "none"]
    assert "请先选择校区，再选择该校区的学管师。" in html
    if person != "finance":  # finance reads the students of refunds only
        assert names(response) == {"陈子涵", "林浩然", "周子墨", "新签生"}


def test_with_a_campus_chosen_only_its_managers_are_offered(client, company, students):
    client.force_login(company.president)
    response = client.get(f"/students/?campus={company.campus_b.pk}")
    html = response.content.decode()
    assert values(html) == ["", "none", str(company.manager_b.pk)]
    assert "请先选择校区" not in html
    assert names(response) == {"周子墨", "新签生"}
    campus_a = client.get(f"/students/?campus={company.campus_a.pk}").content.decode()
    assert values(campus_a) == [
        "",
        "none",
        str(company.manager_a2.pk),
        str(company.manager_a1.pk),
    ]  # 李娜, 王芳


def test_a_manager_in_the_address_filters_without_a_campus_and_stays_selected(client, company, students):
    client.force_login(company.president)
    response = client.get(f"/students/?manager={company.manager_b.pk}")
    assert names(response) == {"周子墨"}
    assert manager_options(response.content.decode())[2:] == [(str(company.manager_b.pk), "周敏", True)]
    # A manager of another campus than the one chosen is still a valid filter (none of theirs there).
    both = client.get(f"/students/?campus={company.campus_a.pk}&manager={company.manager_b.pk}")
    assert both.context["form"].is_valid() and names(both) == set()
    assert (str(company.manager_b.pk), "周敏", True) in manager_options(both.content.decode())
    unassigned = client.get(f"/students/?campus={company.campus_b.pk}&manager=none")
    assert names(unassigned) == {"新签生"}


def test_a_manager_outside_the_scope_or_unknown_filters_nothing(client, company, students):
    client.force_login(company.director_a)
    response = client.get(f"/students/?manager={company.manager_b.pk}")  # another campus's
    assert not response.context["form"].is_valid()
    assert names(response) == {"陈子涵", "林浩然"}
    assert str(company.manager_b.pk) not in values(response.content.decode())
    client.force_login(company.president)
    inactive = UserFactory(role=Role.LEARNING_MANAGER, campus=company.campus_a, is_active=False)
    for manager in (inactive.pk, 99_999_999, "12345678901234567890"):
        response = client.get(f"/students/?manager={manager}")
        assert response.status_code == 200 and not response.context["form"].is_valid()
        assert names(response) == {"陈子涵", "林浩然", "周子墨", "新签生"}


def test_directors_and_supervisors_keep_their_campus_s_managers(client, company, students):
    client.force_login(company.director_a)
    assert values(client.get("/students/").content.decode()) == [
        "",
        "none",
        str(company.manager_a2.pk),
        str(company.manager_a1.pk),
    ]
    client.force_login(company.director_b)
    assert values(client.get("/students/").content.decode()) == ["", "none", str(company.manager_b.pk)]


def test_the_options_and_queries_do_not_grow_with_the_company(
    client, company, students, django_assert_max_num_queries
):
    client.force_login(company.president)
    paths = (
        "/students/",
        f"/students/?campus={company.campus_a.pk}",
        f"/students/?manager={company.manager_b.pk}",
    )
    client.get("/students/")  # the first page of a session caches what every page reads
    counts = []
    for _size in range(2):
        UserFactory.create_batch(150, role=Role.LEARNING_MANAGER, campus=company.campus_b)
        sizes = []
        for path in paths:
            with django_assert_max_num_queries(10) as captured:
                html = client.get(path).content.decode()
            sizes.append((len(captured), len(manager_options(html))))
        counts.append(sizes)
    assert counts[0] == counts[1]
    assert [options for _queries, options in counts[1]] == [2, 4, 3]
