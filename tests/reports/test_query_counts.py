"""Each report page and each list behind a figure runs the same number of queries with 3 and with 30
students per learning manager (deadlines, renewal talks, cases, refunds and lessons in proportion):
the figures are counted by the database, never row by row."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines.models import Deadline
from followups.models import Renewal
from refunds.models import Payment, Refund
from retention.models import Case
from students.models import Contract, Lesson, Student

from .conftest import DECEMBER, NOW, at

_keys = itertools.count(1)

PAGES = {
    "/reports/": {},
    "/reports/punctuality/": {},
    "/reports/renewal/": {},
    "/reports/retention/": {},
    "/reports/caseload/": {},
    "/reports/punctuality/deadlines/": {**DECEMBER, "state": "late"},
    "/reports/renewal/students/": {**DECEMBER},
    "/reports/retention/cases/": {**DECEMBER, "figure": "raised"},
    "/reports/retention/refunds/": {**DECEMBER, "figure": "applied"},
}
# The most queries a page may run: the session, the user, the navigation's counts, the form's
# choices, the figures (and for a list, its page, its count and the rows the reader may not open).
MOST = 12


def grow(company, per_manager: int) -> None:
    """`per_manager` more students for each learning manager, with their records, in bulk."""
    kind = ContentType.objects.get_for_model(Student)
    for manager in (company.manager_a1, company.manager_a2, company.manager_b):
        students = Student.objects.bulk_create(
            Student(
                full_name=f"学生{next(_keys)}",
                campus=manager.campus,
                manager=manager,
                status="active",
                hours_bought=Decimal(8),
                hours_left=Decimal(8),
            )
            for _ in range(per_manager)
        )
        deadlines = []
        for n, of in enumerate(students):
            for rule, due, status, level in (
                ("L4", at(2026, 12, 2, 18), "met", 0),
                ("L6", at(2026, 12, 9, 18), "overdue", 1),
                ("L4", at(2026, 11, 9, 18), "met_late", 0),
                ("R1", at(2026, 12, 12, 18), "open" if n % 2 else "met", 0),
            ):
                deadlines.append(
                    Deadline(
                        rule=rule,
                        subject_type=kind,
                        subject_id=of.pk,
                        occurrence=next(_keys),
                        student=of,
                        campus=of.campus,
                        owner=manager,
                        opened_at=due - timedelta(days=5),
                        due_at=due,
                        status=status,
                        escalation_level=level,
                    )
                )
        Deadline.objects.bulk_create(deadlines)
        contracts = Contract.objects.bulk_create(
            Contract(
                student=of,
                number=f"HT-{next(_keys)}",
                signed_at=NOW - timedelta(days=1),
                consultant=company.consultant_a,
                subjects="数学",
                hours=Decimal(30),
                unit_price=Decimal(200),
                amount=Decimal(6000),
            )
            for of in students[::2]
        )
        Renewal.objects.bulk_create(
            [
                Renewal(student=c.student, outcome="renewed", contract=c, recorded_by=manager)
                for c in contracts
            ]
            + [
                Renewal(student=of, outcome="declined", loss_reason="personal", recorded_by=manager)
                for of in students[1::2]
            ]
        )
        cases = Case.objects.bulk_create(
            Case(
                student=of,
                campus=of.campus,
                manager=manager,
                stage="responsibility" if n % 2 else "closed",
                outcome="lost" if n % 2 else "stabilised",
                outcome_at=NOW - timedelta(days=1),
                source="manager",
                description="家长不满",
                raised_by=manager,
                director_rescue="未能挽回" if n % 2 else "",
                reasons=["rel_feedback", "work_plan"],
            )
            for n, of in enumerate(students)
        )
        refunds = Refund.objects.bulk_create(
            Refund(
                case=lost,
                student=lost.student,
                campus=lost.campus,
                applicant="家长",
                applied_on=NOW.date(),
                reason="不学了",
                scan="refunds/application.pdf",
                hours_bought=40,
                hours_used=10,
                unit_price=200,
                amount_paid=8000,
                amount=Decimal(3000),
                chain=["director", "finance", "president"],
                submitted_by=company.supervisor_a,
                status="paid",
                paid_on=NOW.date(),
            )
            for lost in cases[1::2]
        )
        Payment.objects.bulk_create(
            Payment(
                refund=r,
                amount=r.amount,
                method="bank",
                voucher="FK",
                payee_name="家长",
                paid_on=r.paid_on,
                recorded_by=company.finance,
            )
            for r in refunds
        )
        Lesson.objects.bulk_create(
            Lesson(
                student=of,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                subject="数学",
                hours=Decimal(2),
                status="done",
            )
            for of in students
            for start in (at(2026, 12, 2, 16), at(2026, 11, 25, 16))
        )


def _queries(client, page: str, query: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page, query)
    assert response.status_code == 200, page
    return len(queries)


@pytest.mark.parametrize("person", ["supervisor_a", "director_a", "president", "finance"])
def test_every_page_runs_as_many_queries_with_ten_times_the_students(
    client, company, person, django_assert_max_num_queries
):
    user = getattr(company, person)
    client.force_login(user)
    pages = {
        page: query
        for page, query in PAGES.items()
        if person != "finance" or page in ("/reports/", "/reports/retention/", "/reports/retention/refunds/")
    }
    grow(company, 3)
    for page, query in pages.items():  # what a process reads once (content types, the session) aside
        client.get(page, query)
    small = {}
    for page, query in pages.items():
        with django_assert_max_num_queries(MOST):
            small[page] = _queries(client, page, query)
    grow(company, 27)
    for page, query in pages.items():
        with django_assert_max_num_queries(MOST):
            assert _queries(client, page, query) == small[page], (person, page)
    # The figures are the larger company's.
    response = client.get("/reports/retention/")
    assert response.context["report"].refunds.now.applied >= 15
