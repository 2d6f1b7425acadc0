"""The campus's report figures are read from indexes made for them: a director's and a supervisor's
punctuality and renewal figures name people, so they are counted from the records, and at company size
the campus's deadlines of the periods are found without a pass over the company's (45 → 4 ms)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines.models import Deadline

from .conftest import at, deadline


def _deadline_queries(client, user, url) -> list[str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    from_deadlines = re.compile(r'FROM "deadlines_deadline" (INNER|LEFT|WHERE|GROUP)')
    return [q["sql"] for q in queries if from_deadlines.search(q["sql"])]


def _index(name):
    return next(index for index in Deadline._meta.indexes if index.name == name)


def _columns(sql: str) -> set[str]:
    """The deadline columns a query reads, its subqueries' aside."""
    outer = re.sub(r"\(SELECT .*?\)", "", sql)
    return set(re.findall(r'"deadlines_deadline"\."(\w+)"', outer))


@pytest.mark.parametrize("reader", ["director_a", "supervisor_a"])
def test_the_campus_punctuality_is_read_from_the_campus_index_alone(client, company, reader):
    deadline(company.manager_a1, "C1", at(2026, 12, 2, 10), "met")
    index = _index("deadline_campus_due")
    covered = {Deadline._meta.get_field(name).column for name in (*index.fields, *index.include)}
    queries = [
        sql
        for sql in _deadline_queries(client, getattr(company, reader), "/reports/punctuality/")
        if '"deadlines_deadline"."due_at" >=' in sql
    ]
    assert len(queries) == 2  # by rule and manager, by week
    for sql in queries:
        assert re.search(r'"deadlines_deadline"\."campus_id" = \d+', sql), sql
        assert _columns(sql) <= covered, sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'deadline_campus_due'")
        covering = "(campus_id, due_at) INCLUDE (owner_id, rule, status, escalation_level)"
        assert covering in cursor.fetchone()[0]


def test_the_campus_renewal_figures_find_the_threshold_by_campus_and_day(client, company):
    deadline(company.manager_a1, "R1", at(2026, 12, 2, 10), "open", opened=at(2026, 12, 1, 10))
    queries = [
        sql
        for sql in _deadline_queries(client, company.director_a, "/reports/renewal/")
        if '"deadlines_deadline"."opened_at" >=' in sql
    ]
    assert queries
    for sql in queries:
        assert re.search(r'"deadlines_deadline"\."campus_id" = \d+', sql), sql
        assert '"deadlines_deadline"."rule" = \'R1\'' in sql, sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'deadline_campus_renewal_opened'")
        assert "(campus_id, opened_at) WHERE ((rule)::text = 'R1'::text)" in cursor.fetchone()[0]
