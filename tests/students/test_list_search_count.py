"""The student list at company size, continued (issue 13): a name search reads the names once, the
pager counts a few pages ahead only, and the late students are asked of each student with EXISTS
(an anti-join under the name index, not a sort of the whole filtered scope)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from students.models import Student
from students.selectors import caseload, name_q
from tests.students.test_list_bounded import NOW, many_students, plan


@pytest.mark.parametrize("query", ["乙00", "tom", "TOM", "Tö", "0001"])
def test_a_name_is_matched_as_icontains_would(company, query):
    many_students(company, 3, prefix="乙")
    Student.objects.filter(full_name="乙0001").update(full_name="Tömmy 乙0001")
    Student.objects.filter(full_name="乙0002").update(full_name="TOMMY 乙0002")
    expected = set(Student.objects.filter(full_name__icontains=query).values_list("pk", flat=True))
    assert set(Student.objects.filter(name_q(query)).values_list("pk", flat=True)) == expected


@pytest.mark.parametrize("matches", [500, 2], ids=["few: their ids first", "many: as a filter"])
def test_a_name_search_lists_the_same_students_either_way(
    client, company, time_machine, monkeypatch, matches
):
    monkeypatch.setattr("students.selectors.NAME_MATCHES", matches)
    time_machine.move_to(NOW, tick=False)
    many_students(company, 8, prefix="戊", late_every=3)
    many_students(company, 4, prefix="己")
    many_students(company, 3, prefix="戊", manager=company.manager_b)  # another campus
    client.force_login(company.director_a)
    response = client.get("/students/?q=戊")
    names = [s.full_name for s in response.context["page"]]
    assert names == ["戊0000", "戊0003", "戊0006", "戊0001", "戊0002", "戊0004", "戊0005", "戊0007"]
    assert response.context["page"].paginator.count == 8


def test_a_name_search_reads_the_names_once(client, company, time_machine):
    time_machine.move_to(NOW, tick=False)
    many_students(company, 60, prefix="庚", late_every=4)
    client.force_login(company.president)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/students/?q=庚&page=2")
    assert len(response.context["page"]) == 10
    assert sum("LIKE" in q["sql"] and "LIMIT 501" in q["sql"] for q in captured) == 1
    assert sum("LIKE" in q["sql"] and "IN (" in q["sql"] for q in captured) >= 2  # then by their ids


def test_the_pager_counts_a_few_pages_ahead(client, company, time_machine, monkeypatch):
    monkeypatch.setattr("students.views.LIST_PAGE", 5)
    monkeypatch.setattr("config.paging.PAGES_AHEAD", 2)
    time_machine.move_to(NOW, tick=False)
    made = many_students(company, 23, prefix="辛")
    client.force_login(company.director_a)
    first = client.get("/students/")
    assert first.context["page"].paginator.num_pages == 3 and first.context["more_pages"]
    assert "1 / 3+" in first.content.decode()
    last = client.get("/students/?page=5")  # a page further on counts further
    assert [s.full_name for s in last.context["page"]] == [s.full_name for s in made[20:]]
    assert not last.context["more_pages"] and "5 / 5<" in last.content.decode()
    beyond = client.get("/students/?page=99")  # as before: the last page
    assert beyond.context["page"].number == 5


def test_the_late_students_are_asked_under_the_name_index(company, time_machine, monkeypatch):
    """Many late deadlines in the scope: each student read by name is asked whether it has one; the
    on-time part must walk the name index as the late part does, never sort the filtered scope."""
    time_machine.move_to(NOW, tick=False)
    many_students(company, 300, prefix="壬", late_every=7)
    monkeypatch.setattr("students.selectors.LATE_ROWS", 5)
    rows = caseload(company.president, now=NOW, status="active")
    assert rows.late_students is None
    plan_text = plan(rows.order(50, 100), ordered=True)
    assert "Anti Join" in plan_text and "Semi Join" in plan_text, plan_text
    assert "student_name" in plan_text and "Seq Scan" not in plan_text
