"""Records written straight into the tables at chosen times, so that each figure of a report can be
counted by hand: deadlines of any status, renewal talks, cases at any outcome, refunds and lessons."""

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType

from deadlines.models import Deadline
from followups.models import Renewal
from refunds.models import Payment, Refund
from retention.models import Case
from students.models import Contract, Lesson, Student

SH = ZoneInfo("Asia/Shanghai")
# A Wednesday in December: the default period is December 2026, the previous one November.
NOW = datetime(2026, 12, 16, 10, 0, tzinfo=SH)
DECEMBER = {"from": "2026-12-01", "to": "2026-12-31"}
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}

_numbers = itertools.count(1)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture(autouse=True)
def wednesday(time_machine):
    time_machine.move_to(NOW, tick=False)


def student(manager=None, *, campus=None, status="active", hours_left=0, name="") -> Student:
    """A student with `hours_left` class hours (bought, none used)."""
    left = Decimal(hours_left)
    return Student.objects.create(
        full_name=name or f"学生{next(_numbers)}",
        campus=campus or manager.campus,
        manager=manager,
        status=status,
        hours_bought=left,
        hours_used=0,
        hours_left=left,
    )


def deadline(
    owner, rule, due, status, *, level=0, of=None, opened=None, closed=None, campus=None
) -> Deadline:
    """One deadline of `owner` about a student of theirs (`of`, else a new one)."""
    subject = of or student(owner)
    return Deadline.objects.create(
        rule=rule,
        subject_type=ContentType.objects.get_for_model(Student),
        subject_id=subject.pk,
        occurrence=next(_numbers),
        student=subject,
        campus=campus or subject.campus,
        owner=owner,
        opened_at=opened or due - timedelta(days=3),
        due_at=due,
        closed_at=closed,
        status=status,
        escalation_level=level,
    )


def contract(of: Student, hours: int, amount: int, consultant) -> Contract:
    return Contract.objects.create(
        student=of,
        number=f"HT-{next(_numbers)}",
        signed_at=NOW - timedelta(days=400),
        consultant=consultant,
        subjects="数学",
        hours=Decimal(hours),
        unit_price=Decimal(amount) / hours,
        amount=Decimal(amount),
    )


def renewal_talk(
    of: Student, outcome: str, on: datetime, *, by, family="", reason="", renewed=None
) -> Renewal:
    """The family's answer about renewal, recorded at `on`: `family` the family's reason, `reason` a
    loss reason (as talks recorded before the family's reasons were asked); `renewed`: (hours,
    amount, consultant)."""
    new = contract(of, *renewed) if renewed else None
    talk = Renewal.objects.create(
        student=of, outcome=outcome, family_reason=family, loss_reason=reason, contract=new, recorded_by=by
    )
    Renewal.objects.filter(pk=talk.pk).update(recorded_at=on)
    return talk


def case(
    of: Student, raised: datetime, *, outcome="", decided=None, by_director=False, reasons=(), stage=None
):
    """A case of the student's manager and campus, raised at `raised`, its outcome known at `decided`."""
    stage = stage or (Case.Stage.CLOSED if outcome in ("stabilised", "retained") else "responsibility")
    made = Case.objects.create(
        student=of,
        campus=of.campus,
        manager=of.manager,
        stage=stage if outcome else Case.Stage.RESCUE,
        outcome=outcome,
        outcome_at=decided,
        source=Case.Source.MANAGER,
        description="家长不满",
        raised_by=of.manager,
        kind="" if outcome == "stabilised" else Case.Kind.REFUND_INTENT,
        lost_order_report="反馈太少" if by_director or outcome == "lost" else "",
        director_rescue="校长面谈" if by_director or outcome == "lost" else "",
        reasons=list(reasons),
    )
    Case.objects.filter(pk=made.pk).update(raised_at=raised)
    return made


def refund(of_case: Case, submitted: datetime, amount: int, *, by, paid: date | None = None, paid_back=None):
    made = Refund.objects.create(
        case=of_case,
        student=of_case.student,
        campus=of_case.campus,
        applicant="家长",
        applied_on=submitted.date(),
        reason="孩子不想学了",
        scan="refunds/application.pdf",
        hours_bought=40,
        hours_used=10,
        unit_price=200,
        amount_paid=8000,
        amount=Decimal(amount),
        chain=["director", "finance", "president"],
        submitted_by=by,
        status=Refund.Status.PAID if paid else Refund.Status.APPROVING,
        paid_on=paid,
    )
    Refund.objects.filter(pk=made.pk).update(submitted_at=submitted)
    if paid:
        Payment.objects.create(
            refund=made,
            amount=Decimal(paid_back if paid_back is not None else amount),
            method="bank",
            voucher="FK-1",
            payee_name="家长",
            paid_on=paid,
            recorded_by=by,
        )
    return made


def lesson(of: Student, starts: datetime, hours: str, status: str = "done") -> Lesson:
    return Lesson.objects.create(
        student=of,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        subject="数学",
        hours=Decimal(hours),
        status=status,
    )
