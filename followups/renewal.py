"""The class hours left and renewal (R1) up to the contract's end: the contract that ends when the hours
are used up, the family's answer, the further contract that renews it."""

import uuid
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import Role
from deadlines.models import Deadline, Status
from deadlines.services import (
    deadline_meet,
    deadline_open,
    deadline_stop,
)
from students.models import Student
from students.selectors import HOURS_GONE  # the hours gone, read the way every page reads them
from students.services import can_edit_file, hours_reconcile, renewal_refusal
from timeline.services import timeline_add

from .models import FamilyReason, Renewal
from .pauses import ENDED_STOPS, callbacks_restart, record_status, stop_student_clocks

# Students whose family is not asked about renewal for now, whatever their hours: an app above
# registers in its AppConfig.ready() a function returning those students' ids as a subquery
# (`….values("student")`); refunds: a refund under way. They leave the renewal list and get no R1.
RENEWAL_HOLDS: dict[str, Callable[[], QuerySet]] = {}


def renewal_hold(key: str, students: Callable[[], QuerySet]) -> None:
    """Adds (or, for the same key, replaces: ready() may run twice in tests) a reason not to ask."""
    RENEWAL_HOLDS[key] = students


def without_held(students: QuerySet[Student]) -> QuerySet[Student]:
    """`students` but those on hold: one subquery per hold, in the same query."""
    for held in RENEWAL_HOLDS.values():
        students = students.exclude(pk__in=held())
    return students


def renewal_asked(student: Student) -> bool:
    """Whether the family is to be asked about renewal at all: not once refunded or on hold. One query."""
    asked = Student.objects.filter(pk=student.pk).exclude(status=Student.Status.REFUNDED)
    return without_held(asked).exists()


def hours_left(student: Student) -> Decimal | None:
    """The class hours the student's contracts still hold, as the row says now (kept by the services
    that sign contracts and mark lessons); None without a contract. One query."""
    row = Student.objects.filter(pk=student.pk).values_list("hours_bought", "hours_left").first()
    if row is None or not row[0]:  # a contract holds hours (contract_hours_positive): none signed
        return None
    return row[1]


# An R1 stopped because a corrected contract left the hours no longer low (contract_corrected) is
# stopped by nobody (the hours did it), unlike a supervisor's waiver. Each such stop moves the R1 of
# the student's contracts one occurrence on, so that hours falling low again ask the family again
# (a waived R1 stays waived for its contract).
R1_STOPPED_BY_HOURS = Deadline.objects.filter(rule="R1", status=Status.WAIVED, closed_by=None)


def r1_occurrence(student: Student) -> int:
    """Which R1 of the student is due when the hours are low: one per contract, and one further per
    R1 the hours stopped. One query."""
    return student.contracts.count() + R1_STOPPED_BY_HOURS.filter(student=student).count()


def _r1_occurrences():
    """r1_occurrence of each student of a query, as correlated subqueries."""
    stops = R1_STOPPED_BY_HOURS.filter(student=OuterRef("pk")).order_by().values("student")
    return Count("contracts", distinct=True) + Coalesce(
        Subquery(stops.annotate(n=Count("pk")).values("n")[:1]), 0
    )


def hours_check(*, student: Student, actor=None) -> None:
    """After hours were used: below the campus's threshold the manager asks about renewal (R1, once
    per contract, and again after corrected hours stopped it: r1_occurrence); with none left the
    contract ends and the student's status follows."""
    left = hours_left(student)
    if left is None:
        return
    if left <= 0:
        contract_ended(student=student, actor=actor)
    if left < student.campus.renewal_threshold and student.manager_id and renewal_asked(student):
        deadline_open(
            rule="R1",
            subject=student,
            owner=student.manager,
            actor=actor,
            occurrence=r1_occurrence(student),
        )


def contract_ended(*, student: Student, actor=None) -> bool:
    """The hours are used up: the student's contract ends and their recurring callbacks stop."""
    old = Student.objects.filter(pk=student.pk).values_list("status", flat=True).first()
    if old not in (Student.Status.ACTIVE, Student.Status.PAUSED):
        return False
    # A pause's expected return means nothing once the hours are gone.
    if not Student.objects.filter(pk=student.pk, status=old).update(
        status=Student.Status.ENDED, expected_return_on=None
    ):
        return False
    reason = _("All class hours are used.")
    stop_student_clocks(student, ENDED_STOPS, actor, reason)
    record_status(student, actor, old, Student.Status.ENDED, reason)
    return True


@transaction.atomic
def renewals_open() -> int:
    """R1 for every active student already below their campus's threshold (a threshold lowered or
    raised, hours entered by hand); safe to run every morning. Returns how many were looked at.
    A student still active or paused whose hours are all used (entered by hand, or by any path that
    did not check them) has their contract ended here, as hours_check would have. Hours written past
    the services are recounted first (students.services.hours_reconcile)."""
    hours_reconcile()
    count = 0
    for student in Student.objects.filter(HOURS_GONE).select_related("manager", "campus"):
        hours_check(student=student)
        count += 1
    students = (
        without_held(
            Student.objects.filter(
                status__in=(Student.Status.ACTIVE, Student.Status.PAUSED), manager__isnull=False
            )
        )
        .filter(hours_left__lt=F("campus__renewal_threshold"))
        .select_related("manager__campus", "campus")
    )
    for student in students.annotate(occurrence=_r1_occurrences()):
        deadline_open(rule="R1", subject=student, owner=student.manager, occurrence=student.occurrence)
        count += 1
    return count


RENEWAL_RECORDERS = (Role.LEARNING_MANAGER, Role.SUPERVISOR, Role.DIRECTOR)


@transaction.atomic
def renewal_record(
    *,
    student: Student,
    actor,
    request_key: uuid.UUID,
    outcome: str,
    note: str = "",
    family_reason: str = "",
    family_reason_note: str = "",
    contract=None,
) -> tuple[Renewal, bool]:
    """What the family said about renewal. Declined names the family's reason (FamilyReason; "other"
    in a few words); renewed names the new contract. Either answer meets R1; "not decided" keeps it
    open."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above record this."))
    status = Student.objects.filter(pk=student.pk).values_list("status", flat=True).first()
    if refusal := renewal_refusal(student, status):  # refunded: nothing to ask (hours used up: ask)
        raise ValidationError(refusal, code="refunded")
    note = (note or "").strip()
    if outcome not in Renewal.Outcome.values:
        raise ValidationError({"outcome": _("Choose what the family answered.")})
    if outcome == Renewal.Outcome.RENEWED and (contract is None or contract.student_id != student.pk):
        raise ValidationError({"contract": _("A renewal needs the new contract, entered by the consultant.")})
    if outcome == Renewal.Outcome.UNDECIDED and not note:
        raise ValidationError({"note": _("Say what the family said and when to ask again.")})
    family_reason, family_reason_note = _family_reason(outcome, family_reason, family_reason_note)
    renewal, created = Renewal.objects.get_or_create(
        recorded_by=actor,
        request_key=request_key,
        defaults={
            "student": student,
            "outcome": outcome,
            "note": note,
            "family_reason": family_reason,
            "family_reason_note": family_reason_note,
            "contract": contract,
        },
    )
    if not created:
        return renewal, False
    timeline_add(
        subject=student,
        kind=f"renewal.{outcome}",
        campus_id=student.campus_id,
        actor=actor,
        reason=note,
        data={
            "family_reason": family_reason,
            "family_reason_note": family_reason_note,
            "number": contract.number if contract else "",
        },
    )
    if outcome != Renewal.Outcome.UNDECIDED:
        deadline_meet(rule="R1", subject=student, actor=actor)
    return renewal, True


def _family_reason(outcome: str, reason: str, note: str) -> tuple[str, str]:
    """The family's reason and its words, checked; both empty unless the family declined."""
    if outcome != Renewal.Outcome.DECLINED:
        return "", ""
    note = (note or "").strip()
    if reason not in FamilyReason.values:
        raise ValidationError({"family_reason": _("Choose why the family does not renew.")})
    if reason == FamilyReason.OTHER and not note:
        raise ValidationError({"family_reason_note": _("Say in a few words why the family does not renew.")})
    return reason, note if reason == FamilyReason.OTHER else ""


def contract_renewed(*, contract, actor) -> None:
    """A further contract of a student already in the file: the renewal is recorded for the manager
    (R1 met), and a student whose hours had run out is taught again."""
    student = contract.student
    Renewal.objects.create(
        student=student, outcome=Renewal.Outcome.RENEWED, contract=contract, recorded_by=actor
    )
    timeline_add(
        subject=student,
        kind="renewal.renewed",
        campus_id=student.campus_id,
        actor=actor,
        data={"number": contract.number},
    )
    deadline_meet(rule="R1", subject=student, actor=actor)
    left = hours_left(student)
    if left is None or left <= 0:
        return  # more hours were taught than bought: the new contract has not brought any to use yet
    if Student.objects.filter(pk=student.pk, status=Student.Status.ENDED).update(
        status=Student.Status.ACTIVE
    ):
        record_status(student, actor, Student.Status.ENDED, Student.Status.ACTIVE, kind="student.renewed")
        callbacks_restart(student, actor)


def contract_corrected(*, contract, actor, changes) -> None:
    """A contract's class hours corrected (the student's hours were recounted): below the campus's
    threshold R1 opens as after a lesson (none left: the contract ends); no longer below, the open R1
    stops with the reason; a student whose contract had ended with hours now left is taught again."""
    if "hours" not in changes:
        return
    student = Student.objects.select_related("manager", "campus").get(pk=contract.student_id)
    left = hours_left(student)
    if left is None:
        return
    figures = {
        "left": f"{left.normalize():f}",
        "threshold": f"{student.campus.renewal_threshold.normalize():f}",
    }
    if left > 0 and Student.objects.filter(pk=student.pk, status=Student.Status.ENDED).update(
        status=Student.Status.ACTIVE
    ):
        reason = _("The contract's class hours were corrected: %(left)s hours are left.") % figures
        record_status(
            student, actor, Student.Status.ENDED, Student.Status.ACTIVE, reason, kind="student.reactivated"
        )
        callbacks_restart(student, actor)
    if left < student.campus.renewal_threshold:
        hours_check(student=student, actor=actor)
        return
    reason = (
        _(
            "The contract's class hours were corrected: %(left)s hours are left, no longer below the "
            "campus's renewal threshold (%(threshold)s)."
        )
        % figures
    )
    deadline_stop(rule="R1", subject=student, actor=None, reason=reason)  # by nobody: R1_STOPPED_BY_HOURS
