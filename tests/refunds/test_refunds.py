"""E5: the refund list's arithmetic, the approval chain and who may do what at each step."""

import threading
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from deadlines.models import Deadline
from refunds import services
from refunds.models import Approval, ApprovalStep, Refund
from students.models import Student
from tests.factories import refund_paid_back
from timeline.models import Event

from .conftest import at, lost_case


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def submit(case, actor, **values):
    data = {
        "request_key": uuid.uuid4(),
        "applicant": "赵妈妈",
        "applied_on": date(2026, 12, 3),
        "reason": "孩子不想继续",
        "scan": SimpleUploadedFile("application.pdf", b"%PDF-1.4"),
        **values,
    }
    return services.refund_submit(case=case, actor=actor, **data)


def test_the_refund_list_is_computed_from_contract_and_lessons(company, lost):
    refund, created = submit(lost, company.supervisor_a, deductions=Decimal(300), deduction_reason="资料费")
    assert created
    assert (refund.hours_bought, refund.hours_used, refund.hours_left) == (40, 10, 30)
    assert (refund.unit_price, refund.amount_paid, refund.amount) == (200, 8000, Decimal("5700.00"))
    assert refund.chain == ["director", "finance", "president"] and refund.waiting_role == "director"
    again, created_again = submit(lost, company.supervisor_a)
    assert again == refund and not created_again  # one refund per lost case


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"amount": Decimal("8000.01"), "amount_reason": "全额"}, "amount"),
        ({"amount": Decimal(-1), "amount_reason": "x"}, "amount"),
        ({"amount": Decimal(6500)}, "amount_reason"),
        ({"deductions": Decimal(-5)}, "deductions"),
        ({"deductions": Decimal(100)}, "deduction_reason"),
        ({"applied_on": date(2026, 12, 4)}, "applied_on"),
    ],
)
def test_bad_refund_lists_are_refused(company, lost, values, field):
    with pytest.raises(ValidationError) as error:
        submit(lost, company.supervisor_a, **values)
    assert field in error.value.message_dict
    assert not Refund.objects.exists()


def test_only_the_supervisor_or_director_submits_and_only_for_a_lost_case(company, lost):
    with pytest.raises(PermissionDenied):
        submit(lost, company.manager_a1)
    lost.outcome = ""
    with pytest.raises(ValidationError):
        submit(lost, company.supervisor_a)


def decide(refund, actor, approve=True, comment="同意"):
    refund.refresh_from_db()
    services.refund_decide(refund=refund, actor=actor, step=refund.step, approve=approve, comment=comment)


def test_the_chain_director_finance_president_then_payment(company, lost):
    refund, _ = submit(lost, company.supervisor_a)
    with pytest.raises(PermissionDenied):
        decide(refund, company.director_b)  # another campus
    with pytest.raises(PermissionDenied):
        decide(refund, company.finance)  # not their step yet
    with pytest.raises(PermissionDenied):
        decide(refund, company.manager_a1)
    decide(refund, company.director_a)
    with pytest.raises(ValidationError):
        decide(refund, company.finance, approve=False, comment="")  # a rejection says why
    decide(refund, company.finance)
    decide(refund, company.president)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.APPROVED
    student = Student.objects.get(pk=lost.student_id)
    assert student.status == Student.Status.REFUNDED
    assert not Deadline.objects.filter(
        student=student, rule__in=("L4", "L6", "R1"), status__in=("open", "overdue", "escalated")
    ).exists()
    with pytest.raises(ValidationError):
        refund_paid_back(refund, company, date(2026, 12, 4))  # the future
    with pytest.raises(PermissionDenied):
        refund_paid_back(refund, company, date(2026, 12, 3), actor=company.president)
    refund_paid_back(refund, company, date(2026, 12, 3))
    refund.refresh_from_db()
    assert (refund.status, refund.paid_on) == (Refund.Status.PAID, date(2026, 12, 3))
    kinds = list(
        Event.objects.filter(kind__startswith="refund.").order_by("at", "pk").values_list("kind", flat=True)
    )
    assert kinds == [
        "refund.submitted",
        "refund.approved",
        "refund.approved",
        "refund.approved",
        "refund.paid",
    ]


def test_a_rejection_goes_back_a_step_and_from_the_first_back_to_the_applicant(company, lost):
    refund, _ = submit(lost, company.supervisor_a)
    decide(refund, company.director_a)
    decide(refund, company.finance, approve=False, comment="扣款依据不足")
    refund.refresh_from_db()
    assert (refund.status, refund.waiting_role) == (Refund.Status.APPROVING, "director")
    decide(refund, company.director_a, approve=False, comment="请补充家长签字")
    refund.refresh_from_db()
    assert refund.status == Refund.Status.RETURNED
    services.refund_resubmit(refund=refund, actor=company.supervisor_a, comment="已补充签字")
    refund.refresh_from_db()
    assert (refund.status, refund.step, refund.waiting_role) == (Refund.Status.APPROVING, 0, "director")


def test_nobody_approves_their_own_submission(company, lost):
    with pytest.raises(PermissionDenied):
        submit(lost, company.director_a)  # the team's supervisor submits
    company.team_a.supervisor = None
    company.team_a.save()
    lost.manager.refresh_from_db()
    refund, _ = submit(lost, company.director_a)  # a team without one: the director does
    with pytest.raises(PermissionDenied):
        decide(refund, company.director_a)


def test_the_chain_is_configured_in_the_admin_and_kept_per_refund(company, lost):
    ApprovalStep.objects.all().delete()
    ApprovalStep.objects.create(position=1, role="finance")
    ApprovalStep.objects.create(position=2, role="president")
    refund, _ = submit(lost, company.supervisor_a)
    assert refund.chain == ["finance", "president"]
    ApprovalStep.objects.create(position=3, role="director")  # a later change leaves this refund alone
    decide(refund, company.finance)
    decide(refund, company.president)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.APPROVED


@pytest.mark.django_db(transaction=True)
def test_twenty_approvals_of_one_step_give_exactly_one(company, time_machine):
    time_machine.move_to(at(2026, 12, 3, 10, 0), tick=False)
    lost = lost_case(company)
    refund, _ = submit(lost, company.supervisor_a)
    results, barrier = [], threading.Barrier(20)

    def approve():
        mine = Refund.objects.get(pk=refund.pk)
        barrier.wait()
        try:
            services.refund_decide(refund=mine, actor=company.director_a, step=0, approve=True)
            results.append("approved")
        except (ValidationError, PermissionDenied):
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("approved") == 1
    assert Approval.objects.count() == 1
    assert Refund.objects.get().waiting_role == "finance"


def test_review_fixes_on_refunds(company, lost, client):

    from students.models import Lesson

    refund, _ = submit(lost, company.supervisor_a)
    with pytest.raises(ValidationError):
        services.refund_decide(refund=refund, actor=company.director_a, step=7, approve=True)
    client.force_login(company.director_a)
    assert client.post(f"/refunds/{refund.pk}/decide/", {"step": 7, "approve": "yes"}).status_code == 302
    decide(refund, company.director_a, approve=False, comment="补充签字")
    refund.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.refund_resubmit(refund=refund, actor=company.director_a, comment="已补充")
    services.refund_resubmit(refund=refund, actor=company.supervisor_a, comment="已补充")
    future = lost.student.lessons.create(
        starts_at=at(2026, 12, 20, 9, 0), ends_at=at(2026, 12, 20, 11, 0), subject="数学", hours=2
    )
    for approver in (company.director_a, company.finance, company.president):
        decide(refund, approver)
    future.refresh_from_db()
    assert future.status == Lesson.Status.CANCELLED
    assert Event.objects.filter(kind="lessons.cancelled").exists()


def test_the_refund_page_shows_where_the_chain_waits(company, lost):
    refund, _ = submit(lost, company.supervisor_a)
    decide(refund, company.director_a)
    refund.refresh_from_db()
    assert [state for _label, state in refund.steps()] == ["approved", "waiting", ""]
    decide(refund, company.finance)
    decide(refund, company.president)
    refund.refresh_from_db()
    assert [state for _label, state in refund.steps()] == ["approved"] * 3
