import pytest

from accounts.models import Role
from students.models import Student
from tests.conftest import ONE_OF_EACH_ROLE
from tests.factories import TeamFactory, UserFactory


@pytest.mark.parametrize(("person", "role"), ONE_OF_EACH_ROLE)
def test_people_page_for_every_role(client, company, person, role):
    client.force_login(getattr(company, person))
    response = client.get("/people/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "王芳" in html  # campus A's manager: in everyone's scope here except nobody
    if role in (Role.FINANCE, Role.PRESIDENT, Role.ADMIN):
        assert "周敏" in html
    else:
        assert "周敏" not in html and "徐汇校区" not in html


def test_people_page_query_count_does_not_grow(client, company, django_assert_max_num_queries):
    for campus in (company.campus_a, company.campus_b):
        for _ in range(5):
            team = TeamFactory(campus=campus)
            UserFactory.create_batch(6, campus=campus, team=team)
    client.force_login(company.president)
    # 8, and the navigation's count of each of the president's queues (issue 12).
    with django_assert_max_num_queries(11):
        response = client.get("/people/")
    assert response.status_code == 200


def test_each_learning_manager_shows_a_phone_and_how_many_students_they_teach(client, company):
    """A consultant or a teacher looks up whom to call: the team card names each manager's phone and
    the students they are teaching (an ended or refunded contract aside)."""
    company.manager_a1.phone = "13811112222"
    company.manager_a1.save(update_fields=["phone"])
    for status in ("active", "active", "paused", "ended", "refunded"):
        Student.objects.create(
            full_name="学生", campus=company.campus_a, manager=company.manager_a1, status=status
        )
    client.force_login(company.consultant_a)
    html = client.get("/people/").content.decode()
    card = html.split("team-members", 1)[1].split("</ul>", 1)[0]
    assert '<a href="tel:13811112222">13811112222</a>' in card
    assert "3 名学生" in card
