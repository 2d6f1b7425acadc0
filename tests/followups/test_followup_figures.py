"""The follow-up page at company size (issue 13): the hours left read from the student's column, the
students below the threshold counted once per page, the renewal list ordered through an index."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from followups.selectors import renewal_list

from .conftest import at
from .test_followup_pages import students_with_hours


def test_the_follow_up_page_reads_the_hours_column_and_counts_the_list_once(client, company, time_machine):
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)
    students_with_hours(company, 3, manager=company.manager_a1)
    client.force_login(company.supervisor_a)
    client.get("/followups/")  # the first page of a session caches what every page reads
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/followups/")
    sql = [q["sql"] for q in captured]
    assert response.context["counts"].below_threshold == 3 and len(response.context["page"]) == 3
    assert not [q for q in sql if '"students_contract"' in q]  # no sum of contracts: the column
    below = [
        q for q in sql if '"students_student"."hours_left" < ("accounts_campus"."renewal_threshold")' in q
    ]
    assert len(below) == 2  # the list's count and its page; the card above reads the same count
    with CaptureQueriesContext(connection) as captured:
        one = client.get(f"/followups/?manager={company.manager_a1.pk}")  # one manager's: its own count
    assert one.context["counts"].below_threshold == 3 and len(one.context["page"]) == 3
    assert sum('"hours_left" < ("accounts_campus"' in q["sql"] for q in captured) == 3


def test_the_renewal_list_is_ordered_through_the_campus_hours_index(company, time_machine):
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)
    students_with_hours(company, 200, manager=company.manager_a1)
    students_with_hours(company, 200, manager=company.manager_b, prefix="远")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE students_student")
        cursor.execute("SET LOCAL enable_seqscan = off")  # the tables of a test are tiny
    plan = renewal_list(company.director_a)[:100].explain()
    assert "student_campus_hours" in plan and "Seq Scan on students_student" not in plan
