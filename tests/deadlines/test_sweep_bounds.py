"""The sweep with nothing to do is cheap (issue 13): one query a step whatever the size of the table and
the number of campuses, every claim through its partial index; JIT off; the director's index."""

import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from deadlines.models import CalendarDay, Deadline, Delivery, NoticeChoice, Notification, Status, Topic
from deadlines.rules import RULES
from deadlines.services import sweep
from followups.selectors import callbacks_due
from students.models import Student

from ..factories import CampusFactory, UserFactory
from .conftest import at

NOW = at(2026, 12, 1, 10, 0)  # a Tuesday morning: the campuses are at work
DAY = timedelta(days=1)


def active_deadlines(owners, n: int, *, reminders: int = 0, **due) -> None:
    """`n` active deadlines of every rule and owner in turn with nothing due at NOW: nine in ten open
    (due in 3 days or more; the first `reminders` at their reminder time, the pre-class ones before a
    first lesson still to come), one in ten overdue with its escalation to come; and `n // 2` met in
    the past. `due`: rows of a kind due now (lapsed=, remind=, overdue=, escalate=) on top."""
    subject_type = ContentType.objects.get_for_model(Student)
    rules = list(RULES)
    rows = []
    for i in range(n + n // 2):
        owner, rule = owners[i % len(owners)], rules[i % len(rules)]
        row = Deadline(
            rule=rule,
            subject_type=subject_type,
            subject_id=i + 1,
            owner=owner,
            campus_id=owner.campus_id,
            opened_at=NOW - 30 * DAY,
            due_at=NOW + (3 + i % 20) * DAY,
            remind_at=NOW - timedelta(minutes=1) if i < reminders else NOW + (2 + i % 20) * DAY,
            event_at=NOW + 30 * DAY if RULES[rule].lapses_at_event else None,
        )
        if i >= n:
            row.status, row.due_at, row.closed_at = Status.MET, NOW - (1 + i % 20) * DAY, NOW - DAY
        elif i >= reminders and i % 10 == 1:
            row.status, row.due_at, row.escalate_at = Status.OVERDUE, NOW - DAY, NOW + DAY
        rows.append(row)
    extra = {
        "lapsed": dict(rule="P1", event_at=NOW - DAY, due_at=NOW - 2 * DAY, status=Status.OVERDUE),
        "remind": dict(rule="H1", remind_at=NOW - DAY, due_at=NOW + DAY),
        "overdue": dict(rule="H1", due_at=NOW - DAY),
        "escalate": dict(rule="H1", due_at=NOW - DAY / 2, status=Status.OVERDUE, escalate_at=NOW - DAY / 4),
    }
    for kind, count in due.items():
        for j in range(count):
            owner = owners[j % len(owners)]
            fields = {"opened_at": NOW - 30 * DAY, "campus_id": owner.campus_id, **extra[kind]}
            rows.append(
                Deadline(subject_type=subject_type, subject_id=10**6 + len(rows), owner=owner, **fields)
            )
    Deadline.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE deadlines_deadline")


def owners_on(company, campuses: int) -> list:
    """The company's learning managers, and one on each of `campuses` more campuses."""
    more = [UserFactory(role=Role.LEARNING_MANAGER, campus=CampusFactory()) for _ in range(campuses)]
    return [company.manager_a1, company.manager_a2, company.manager_b, *more]


def statements(queries) -> list[str]:
    """The statements a sweep ran, its transactions' savepoints aside."""
    return [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]


@pytest.mark.parametrize(("size", "campuses"), [(60, 0), (600, 8)])
def test_an_idle_sweep_runs_one_query_a_step_whatever_the_size(
    company, size, campuses, django_assert_max_num_queries
):
    active_deadlines(owners_on(company, campuses), size)
    with django_assert_max_num_queries(12) as queries:  # four steps, each in its own transaction
        result = sweep(now=NOW)
    assert str(result) == "swept: overdue=0 reminded=0 escalated=0 notified=0"
    assert len(statements(queries)) == 4  # no campus calendars read: nobody is told anything


@pytest.mark.parametrize(("size", "campuses"), [(60, 0), (600, 8)])
def test_a_sweep_with_only_reminders_due_runs_the_same_queries_at_any_size(
    company, size, campuses, django_assert_max_num_queries
):
    owners = owners_on(company, campuses)
    # Reminders reach email for those who ask for them (the default leaves them to the digest).
    NoticeChoice.objects.bulk_create(
        NoticeChoice(user=owner, topic=Topic.REMINDER, email=True, wecom=False) for owner in owners
    )
    active_deadlines(owners, size, reminders=25)
    with django_assert_max_num_queries(15) as queries:
        result = sweep(now=NOW)
    assert (result.reminded, result.notified, result.overdue, result.escalated) == (25, 25, 0, 0)
    # Lapses, overdue and escalations: one query each; the reminders: is any due, the campuses and
    # their calendars (once, in two queries), then one statement for the batch.
    assert len(statements(queries)) == 7
    assert Delivery.objects.filter(state=Delivery.State.PENDING).count() == 25
    assert set(Notification.objects.values_list("deliver_after", flat=True)) == {NOW}


def test_each_campus_notice_waits_for_its_own_calendar_read_with_the_others(company):
    CalendarDay.objects.create(date=NOW.date(), is_working_day=False, name="校庆", campus=company.campus_a)
    CalendarDay.objects.create(date=NOW.date() + DAY, is_working_day=False, name="停电")  # the company's
    active_deadlines(owners_on(company, 0), 0, overdue=2)  # one of manager_a1 (campus A), one of manager_a2
    Deadline.objects.filter(owner=company.manager_a2).update(owner=company.manager_b, campus=company.campus_b)
    with CaptureQueriesContext(connection) as queries:
        assert sweep(now=NOW).notified == 2
    assert sum("deadlines_calendarday" in sql for sql in statements(queries)) == 1
    held = dict(Notification.objects.values_list("deadline__campus", "deliver_after"))
    # Campus A is off today and, with the company, tomorrow: Thursday 09:00. Campus B is at work.
    assert held == {company.campus_a.pk: at(2026, 12, 3, 9, 0), company.campus_b.pk: NOW}


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_an_idle_sweep_reads_no_table_whole(company):
    """With many rows past due but closed or late, the planner guesses the first due open row is near
    and would read the table from its start: every step reads in its index's order."""
    active_deadlines(owners_on(company, 2), 600)
    with CaptureQueriesContext(connection) as queries:
        sweep(now=NOW)
    reads = statements(queries)
    assert len(reads) == 4
    for sql in reads:
        assert "Seq Scan" not in plan(sql), sql


def test_every_sweep_step_claims_its_rows_through_its_partial_index(company):
    active_deadlines(owners_on(company, 2), 300, lapsed=3, remind=3, overdue=3, escalate=3)
    with CaptureQueriesContext(connection) as queries:
        result = sweep(now=NOW)
    assert (result.missed, result.reminded, result.overdue, result.escalated) == (3, 3, 3, 3)
    claims = [sql for sql in statements(queries) if "FOR UPDATE" in sql]
    assert len(claims) == 5  # the escalations look again: a row may be due for the director too
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table this small would be read whole
    plans = "\n".join(plan(sql) for sql in claims)
    assert "Seq Scan on deadlines_deadline" not in plans
    for index in (
        "deadline_lapsing_event",
        "deadline_open_remind",
        "deadline_open_due",
        "deadline_late_escalate",
    ):
        assert re.search(rf"Index Scan (using|on) {index} ", plans), index


def test_the_directors_week_of_callbacks_reads_the_campus_index(company):
    active_deadlines(owners_on(company, 2), 300)
    queryset = callbacks_due(company.director_a, now=NOW)
    assert queryset.exists()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    explained = queryset.explain()
    assert re.search(r"Index Scan (on|using) deadline_campus_active_due", explained)
    assert "Seq Scan on deadlines_deadline" not in explained


@pytest.mark.django_db
def test_jit_is_off_for_this_workload():
    """JIT compiling only adds time to these queries (a second on a company-wide list)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
