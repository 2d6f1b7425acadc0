import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Campus, Role, User
from config.bounds import LESSON_MAX_DURATION, in_bounds
from deadlines.models import ACTIVE, Deadline
from timeline.services import timeline_add

from . import events, privacy
from .models import Contract, Document, Guardian, Lesson, Student

# Who keeps a student's personal file: the student's manager and the people above them.
FILE_KEEPERS = (Role.LEARNING_MANAGER, Role.SUPERVISOR, Role.DIRECTOR)


def normalize_phone(value: str) -> str:
    """Digits only, without the country code: what the caseload search matches against."""
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def can_edit_file(user, student: Student) -> bool:
    if user.role not in FILE_KEEPERS:
        return False
    return user.role != Role.LEARNING_MANAGER or student.manager_id == user.pk


_HOURS = DecimalField(max_digits=9, decimal_places=1)


def _hours_of(rows):
    """The sum of `rows`' hours for the student of the outer query (0 without any)."""
    sums = rows.filter(student=OuterRef("pk")).order_by().values("student").annotate(total=Sum("hours"))
    return Coalesce(Subquery(sums.values("total")[:1], output_field=_HOURS), Value(Decimal("0"), _HOURS))


def _hours_bought():
    return _hours_of(Contract.objects.all())


def _hours_used():
    return _hours_of(Lesson.objects.filter(status=Lesson.Status.DONE))


@transaction.atomic
def hours_recount(*, student_ids) -> None:
    """Writes the students' hours bought (their contracts) and used (their lessons done) from those rows,
    so the figures the lists read (Student.hours_bought, hours_used, hours_left) are the rows' own.
    Called in the transaction that signed the contract or marked the lesson, after the change. The
    rows are locked before they are counted: of two lessons marked at once, the second counts both.
    (FOR NO KEY UPDATE: the key-share lock of a contract just inserted for the student does not
    block it, so two contracts signed at once wait for each other rather than deadlock.)"""
    locked = Student.objects.select_for_update(no_key=True).filter(pk__in=student_ids).order_by("pk")
    ids = list(locked.values_list("pk", flat=True))
    bought, used = _hours_bought(), _hours_used()
    Student.objects.filter(pk__in=ids).update(hours_bought=bought, hours_used=used, hours_left=bought - used)


def hours_reconcile(*, batch: int = 1000) -> int:
    """Recounts the students whose figures differ from their contracts and lessons (rows written past
    the services: the shell, a bulk load); returns how many. One read when nothing differs; the
    morning's renewal run (followups.renewal.renewals_open) calls it."""
    stale = list(
        Student.objects.annotate(bought=_hours_bought(), used=_hours_used())
        .exclude(hours_bought=F("bought"), hours_used=F("used"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(stale), batch):
        hours_recount(student_ids=stale[start : start + batch])
    return len(stale)


@transaction.atomic
def student_file_update(*, student: Student, actor, changes: dict) -> list[str]:
    """Writes the personal file (F1); returns the names of the fields that changed (none: nothing
    is written). The caller has fetched `student` through students_for(actor)."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above may edit the file."))
    student = Student.objects.select_for_update().get(pk=student.pk)
    changed = [
        name
        for name in Student.FILE_FIELDS
        if name in changes and (changes[name] or "") != getattr(student, name)
    ]
    if not changed:
        return []
    for name in changed:
        setattr(student, name, changes[name] or "")
    student.file_updated_at = timezone.now()
    student.save(update_fields=[*changed, "file_updated_at"])
    timeline_add(
        subject=student,
        kind="student.file_updated",
        campus_id=student.campus_id,
        actor=actor,
        data={"fields": changed},
    )
    return changed


# Who enters a signed contract, and who assigns the learning manager.
SIGNERS = (Role.CONSULTANT,)
ASSIGNERS = (Role.SUPERVISOR, Role.DIRECTOR)


def renewal_refusal(student: Student, status: str | None = None) -> str:
    """Why the student's family is not asked about renewal nor renews ("" when it may): a refunded
    student's file is closed. A student whose hours are used up may renew: the new contract
    reactivates them."""
    if (status or student.status) == Student.Status.REFUNDED:
        return _(
            "%(student)s was refunded: there is no renewal to ask about. If the family signs again, enter "
            "the contract as a new student."
        ) % {"student": student.full_name}
    return ""


@transaction.atomic
def contract_sign(
    *,
    actor,
    contract: dict,
    student: Student | None = None,
    new_student: dict | None = None,
    guardian: dict | None = None,
    request_key: uuid.UUID | None = None,
    amount_confirmed: bool = False,
) -> Contract:
    """A consultant enters a signed contract: for an existing student (a renewal) or a new one with
    their guardian. The caller has validated the values (ContractIntakeForm), and `amount_confirmed`
    says the consultant confirmed an amount that is not hours × price (recorded on the timeline). The
    same form sent twice (the same `request_key`) enters one contract: the second gets the first."""
    if actor.role not in SIGNERS or actor.campus_id is None:
        raise PermissionDenied(_("Only the consultant who signed it enters a contract."))
    if request_key:
        User.objects.select_for_update().filter(pk=actor.pk).first()  # one intake of a consultant at a time
        if sent := Contract.objects.filter(consultant=actor, request_key=request_key).first():
            return sent
    if student is None:
        student = Student.objects.create(campus_id=actor.campus_id, **new_student)
        if guardian:
            Guardian.objects.create(student=student, is_primary=True, **guardian)
        timeline_add(subject=student, kind="student.created", campus_id=student.campus_id, actor=actor)
        renewal = False
    elif student.campus_id != actor.campus_id:
        raise PermissionDenied(_("This student belongs to another campus."))
    elif Student.objects.filter(pk=student.pk, status=Student.Status.REFUNDED).exists():
        raise ValidationError(renewal_refusal(student, Student.Status.REFUNDED), code="refunded")
    else:
        renewal = True
    signed = Contract.objects.create(student=student, consultant=actor, request_key=request_key, **contract)
    hours_recount(student_ids=[student.pk])  # before the renewal's listeners read the hours
    timeline_add(
        subject=signed,
        kind="contract.signed",
        campus_id=student.campus_id,
        actor=actor,
        data={
            "number": signed.number,
            "hours": str(signed.hours),
            **_amount_confirmation(signed, amount_confirmed),
        },
    )
    if renewal:
        events.contract_renewed.send(sender=Contract, contract=signed, actor=actor)
    # A new student's handover starts when the supervisor assigns a manager (student_assign); a
    # renewal stays with the student's manager and needs no handover.
    return signed


@transaction.atomic
def guardian_add(*, student: Student, actor, values: dict, request_key: uuid.UUID | None = None) -> Guardian:
    """Another parent or relative to call; a new main contact takes over from the old one.
    The same form sent twice (the same `request_key`) adds one guardian: the second gets the first."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above may edit the file."))
    Student.objects.select_for_update().get(pk=student.pk)  # one request of the form at a time
    if request_key and (sent := student.guardians.filter(request_key=request_key).first()):
        return sent
    if values.get("is_primary"):
        student.guardians.update(is_primary=False)
    guardian = Guardian.objects.create(student=student, request_key=request_key, **values)
    timeline_add(
        subject=student,
        kind="guardian.added",
        campus_id=student.campus_id,
        actor=actor,
        data={"name": guardian.name},
    )
    return guardian


def assignable_managers(actor, student: Student):
    """A supervisor assigns within the teams they lead; the director anyone on the campus."""
    managers = User.objects.filter(role=Role.LEARNING_MANAGER, campus_id=student.campus_id, is_active=True)
    if actor.role == Role.SUPERVISOR:
        managers = managers.filter(team__supervisor=actor)
    return managers.order_by("full_name")


# The assigner did not say which manager they saw: the student's manager of the moment is taken.
UNSEEN = object()


class AssignmentChanged(ValidationError):
    """Someone else assigned the student between the page the assigner saw and their click."""

    def __init__(self, student: Student, current):
        if current is None:
            message = _("%(student)s's learning manager changed a moment ago; nothing was changed.") % {
                "student": student.full_name
            }
        else:
            message = _(
                "%(student)s was assigned to %(manager)s a moment ago by someone else; nothing was "
                "changed. Assign again if the student should move."
            ) % {"student": student.full_name, "manager": current.display_name}
        super().__init__(message, code="changed")


@transaction.atomic
def student_assign(
    *, student: Student, manager, actor, reason: str = "", seen_manager_id: "int | None | object" = UNSEEN
) -> bool:
    """The supervisor (or director) gives a student a learning manager, or moves them to another with
    a reason; the open deadlines of the student's old manager move along. False if nothing changed
    (the student is with `manager` already). `seen_manager_id` is the manager the assigner saw (None:
    none): when another assigner changed it meanwhile, AssignmentChanged and nothing is written."""
    if actor.role not in ASSIGNERS or actor.campus_id != student.campus_id:
        raise PermissionDenied(_("Only a supervisor or the campus director assigns learning managers."))
    if not assignable_managers(actor, student).filter(pk=manager.pk).exists():
        raise ValidationError({"manager": _("Choose a learning manager of this campus.")})
    old = Student.objects.select_for_update().get(pk=student.pk).manager_id
    if old == manager.pk:
        return False
    if seen_manager_id is not UNSEEN and old != seen_manager_id:
        raise AssignmentChanged(student, User.objects.filter(pk=old).first() if old else None)
    reason = (reason or "").strip()
    if old is not None and not reason:
        raise ValidationError({"reason": _("Say why the student moves to another learning manager.")})
    if not Student.objects.filter(pk=student.pk, manager_id=old).update(manager=manager):
        return False  # someone else assigned the student a moment ago
    student.manager = manager
    Deadline.objects.filter(student=student, owner_id=old, status__in=ACTIVE).update(owner=manager)
    student.handovers.filter(manager_id=old, manager_signed_at=None).update(manager=manager)
    timeline_add(
        subject=student,
        kind="student.assigned",
        campus_id=student.campus_id,
        actor=actor,
        from_state=str(old or ""),
        to_state=str(manager.pk),
        reason=reason,
        data={"manager": manager.display_name},
    )
    # The handover of each contract starts (a first manager); the open retention case moves along.
    events.student_assigned.send(sender=Student, student=student, actor=actor, old_manager_id=old)
    return True


# Lessons that hold a teacher and a classroom.
BOOKED = (Lesson.Status.SCHEDULED, Lesson.Status.DONE)


def booking_refusal(student: Student, status: str | None = None) -> str:
    """Why no lesson may be booked for the student ("" when they may be): one whose hours are all used
    is booked again once a further contract reactivates them; a refunded one never. `status`: the
    student's status as just read (default: the one `student` carries)."""
    status = status or student.status
    if status == Student.Status.ENDED:
        return _(
            "%(student)s's class hours are all used and the contract has ended: lessons are booked "
            "again once the consultant enters a new contract."
        ) % {"student": student.full_name}
    if status == Student.Status.REFUNDED:
        return _("%(student)s was refunded: no more lessons are booked.") % {"student": student.full_name}
    return ""


def booking_check(student: Student) -> None:
    """Refuses a new booking for a student no longer taught, read from the database as it is now."""
    status = Student.objects.filter(pk=student.pk).values_list("status", flat=True).first()
    if refusal := booking_refusal(student, status):
        raise ValidationError(refusal, code="finished")


def lesson_book(
    *,
    student: Student,
    starts_at,
    ends_at,
    subject: str,
    hours,
    teacher=None,
    classroom: str = "",
    lesson: Lesson | None = None,
) -> Lesson:
    """Books a lesson (or moves `lesson`) unless the student, its teacher or its classroom is taken then.

    Bookings on one campus are serialized by locking the campus row, so two people booking at
    once cannot both take the same slot.
    """
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The lesson must end after it starts.")})
    if ends_at - starts_at > LESSON_MAX_DURATION:  # a lesson ending in 9999 would hold its room for ever
        hours = LESSON_MAX_DURATION.seconds // 3600
        raise ValidationError({"ends_at": _("A lesson lasts at most %(hours)d hours.") % {"hours": hours}})
    if not (in_bounds(timezone.localtime(starts_at)) and in_bounds(timezone.localtime(ends_at))):
        raise ValidationError({"starts_at": _("Choose a date between 2000 and 2100.")})
    classroom = classroom.strip().upper()  # "a301" and "A301 " are one room
    Campus.objects.select_for_update().get(pk=student.campus_id)
    if lesson is None:  # a new booking; a lesson already booked may still move
        booking_check(student)
    overlapping = Lesson.objects.filter(
        status__in=BOOKED, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).exclude(pk=getattr(lesson, "pk", None))
    if overlapping.filter(student=student).exists():
        raise ValidationError({"starts_at": _("The student already has a lesson at that time.")})
    if teacher and overlapping.filter(teacher=teacher).exists():
        raise ValidationError(
            {"teacher": _("%(teacher)s already teaches at that time.") % {"teacher": teacher.display_name}}
        )
    if classroom and overlapping.filter(student__campus_id=student.campus_id, classroom=classroom).exists():
        raise ValidationError(
            {"classroom": _("Classroom %(room)s is taken at that time.") % {"room": classroom}}
        )
    values = {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "subject": subject,
        "hours": hours,
        "teacher": teacher,
        "classroom": classroom,
    }
    if lesson is None:
        return Lesson.objects.create(student=student, **values)
    for field, value in values.items():
        setattr(lesson, field, value)
    lesson.save(update_fields=list(values))
    return lesson


# Who schedules lessons: the scheduler, the director, or the student's own manager.
PLANNERS = (Role.LEARNING_MANAGER, Role.SCHEDULER, Role.DIRECTOR)


def may_plan(user, student: Student) -> bool:
    if user.role not in PLANNERS or user.campus_id != student.campus_id:
        return False
    return user.role != Role.LEARNING_MANAGER or student.manager_id == user.pk


def may_book(user, student: Student) -> bool:
    """Whether the user may book new lessons for the student: a planner, and the student still taught."""
    return may_plan(user, student) and not booking_refusal(student)


@transaction.atomic
def lessons_schedule(
    *,
    student: Student,
    actor,
    starts_at,
    ends_at,
    subject: str,
    hours,
    teacher=None,
    classroom: str = "",
    weeks: int = 1,
    request_key: uuid.UUID | None = None,
) -> list[Lesson]:
    """One lesson, or the same slot for `weeks` weeks; all of them or none (a clash names its date).
    The same form sent twice (the same `request_key`) books once: the second gets the first's lessons."""
    if not may_plan(actor, student):
        raise PermissionDenied(
            _("Only the scheduler, the director or the student's manager schedules lessons.")
        )
    if request_key:
        Campus.objects.select_for_update().get(pk=student.campus_id)  # bookings of a campus, one at a time
        sent = list(student.lessons.filter(request_key=request_key).order_by("starts_at"))
        if sent:
            return sent
    booking_check(student)  # said once, not once per week of the series
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("A new lesson must be in the future.")})
    booked = []
    for week in range(weeks):
        shift = timedelta(weeks=week)
        try:
            booked.append(
                lesson_book(
                    student=student,
                    starts_at=starts_at + shift,
                    ends_at=ends_at + shift,
                    subject=subject,
                    hours=hours,
                    teacher=teacher,
                    classroom=classroom,
                )
            )
        except ValidationError as clash:
            day = timezone.localtime(starts_at + shift).strftime("%Y-%m-%d")
            raise ValidationError(
                _("%(day)s: %(reason)s") % {"day": day, "reason": " ".join(clash.messages)}
            ) from None
    if request_key:
        Lesson.objects.filter(pk__in=[lesson.pk for lesson in booked]).update(request_key=request_key)
    timeline_add(
        subject=student,
        kind="lessons.scheduled",
        campus_id=student.campus_id,
        actor=actor,
        data={"count": len(booked), "first": starts_at.isoformat(), "subject": subject},
    )
    events.lessons_scheduled.send(sender=Lesson, student=student, lessons=booked, actor=actor)
    return booked


@transaction.atomic
def lesson_change(
    *, lesson: Lesson, actor, starts_at, ends_at, teacher=None, classroom: str = "", reason: str
) -> list[str]:
    """The scheduler (or the director, or the manager) moves a booked lesson or changes its teacher or
    classroom; returns what changed. A change the manager did not make is theirs to pass on (L10)."""
    student = lesson.student
    if not may_plan(actor, student):
        raise PermissionDenied(
            _("Only the scheduler, the director or the student's manager changes lessons.")
        )
    if lesson.status != Lesson.Status.SCHEDULED or lesson.starts_at <= timezone.now():
        raise ValidationError(_("Only a lesson still to come can be changed."))
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("A lesson cannot be moved into the past.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the lesson changes.")})
    # The handover refuses to move the first lesson here, or a lesson in front of it (ValidationError).
    events.lesson_moving.send(sender=Lesson, lesson=lesson, starts_at=starts_at, actor=actor)
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    before = {
        "time": (lesson.starts_at, lesson.ends_at),
        "teacher": lesson.teacher_id,
        "classroom": lesson.classroom,
    }
    lesson_book(
        student=student,
        starts_at=starts_at,
        ends_at=ends_at,
        subject=lesson.subject,
        hours=lesson.hours,
        teacher=teacher,
        classroom=classroom,
        lesson=lesson,
    )
    after = {
        "time": (lesson.starts_at, lesson.ends_at),
        "teacher": lesson.teacher_id,
        "classroom": lesson.classroom,
    }
    changes = [name for name in before if before[name] != after[name]]
    if not changes:
        return []
    timeline_add(
        subject=lesson,
        kind="lesson.changed",
        campus_id=student.campus_id,
        actor=actor,
        student_id=student.pk,
        reason=reason,
        data={
            "subject": lesson.subject,
            "changes": changes,
            "from": timezone.localtime(before["time"][0]).isoformat(),
            "at": lesson.starts_at.isoformat(),
        },
    )
    events.lesson_changed.send(sender=Lesson, lesson=lesson, actor=actor, changes=changes)
    return changes


def may_mark(user, lesson: Lesson) -> bool:
    """The lesson's teacher, the student's manager, or the campus director marks a lesson."""
    student = lesson.student
    return (
        (user.role == Role.TEACHER and lesson.teacher_id == user.pk)
        or (user.role == Role.LEARNING_MANAGER and student.manager_id == user.pk)
        or (user.role == Role.DIRECTOR and user.campus_id == student.campus_id)
    )


def markable(user, lesson: Lesson, now) -> bool:
    """Whether the user may mark this lesson now: scheduled, begun, and theirs to mark."""
    return lesson.status == Lesson.Status.SCHEDULED and lesson.starts_at <= now and may_mark(user, lesson)


@transaction.atomic
def lesson_mark(*, lesson: Lesson, actor, status: str) -> bool:
    """A scheduled lesson that has started is marked done (its hours are used) or the student absent."""
    if not may_mark(actor, lesson):
        raise PermissionDenied(_("Only the lesson's teacher or the student's manager marks a lesson."))
    if status not in (Lesson.Status.DONE, Lesson.Status.ABSENT):
        raise ValidationError(_("A lesson is marked done or absent."))
    if lesson.starts_at > timezone.now():
        raise ValidationError(_("A lesson is marked once it has started."))
    if not Lesson.objects.filter(pk=lesson.pk, status=Lesson.Status.SCHEDULED).update(status=status):
        return False
    student = lesson.student
    if status == Lesson.Status.DONE:  # its hours are used: before the listeners check what is left
        hours_recount(student_ids=[student.pk])
    if status == Lesson.Status.ABSENT:
        events.lesson_missed.send(sender=Lesson, lesson=lesson, actor=actor)
    if status == Lesson.Status.DONE and Student.objects.filter(
        pk=student.pk, status=Student.Status.ONBOARDING
    ).update(status=Student.Status.ACTIVE):
        # The first lesson taught: the student is no longer being handed over but taught.
        events.first_lesson_taught.send(sender=Lesson, lesson=lesson, actor=actor)
        timeline_add(
            subject=student,
            kind="student.active",
            campus_id=student.campus_id,
            actor=actor,
            from_state=Student.Status.ONBOARDING,
            to_state=Student.Status.ACTIVE,
        )
    timeline_add(
        subject=lesson,
        kind=f"lesson.{status}",
        campus_id=lesson.student.campus_id,
        actor=actor,
        student_id=lesson.student_id,
        from_state=Lesson.Status.SCHEDULED,
        to_state=status,
        data={"subject": lesson.subject, "at": lesson.starts_at.isoformat()},
    )
    if status == Lesson.Status.DONE:
        events.lesson_taught.send(sender=Lesson, lesson=lesson, actor=actor)
    return True


# Documents: who adds them, and what may be uploaded.
DOCUMENT_TYPES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".jpg", ".jpeg", ".png"}
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


def may_add_document(user, student: Student) -> bool:
    """The file keepers; the consultant and the teachers of the student for their own reports and plans."""
    return can_edit_file(user, student) or user.role in (Role.CONSULTANT, Role.TEACHER)


def may_record_given(user, student: Student) -> bool:
    """Whether the user records that the parent got a document: the manager's act (and of those
    above), as it closes the manager's clocks. A teacher or consultant files their papers without it."""
    return can_edit_file(user, student)


def given_on_check(*, student: Student, on, filed_at=None, field: str = "on") -> None:
    """The day the parent got a document, on upload or recorded later: not in the future, not before
    the student's first contract (no clock of the student ran before it), not long before filing."""
    if on > timezone.localdate():
        raise ValidationError({field: _("A document cannot be given in the future.")})
    first = student.contracts.order_by("signed_at").values_list("signed_at", flat=True).first()
    if first is not None and on < timezone.localtime(first).date():
        raise ValidationError(
            {
                field: _("A document cannot be given before the student's first contract (%(day)s).")
                % {"day": timezone.localtime(first).date().isoformat()}
            }
        )
    filed_on = timezone.localtime(filed_at).date() if filed_at else timezone.localdate()
    if on < filed_on - timedelta(days=366):
        raise ValidationError({field: _("Check the date: it is long before the document was filed.")})


@transaction.atomic
def document_add(
    *,
    student: Student,
    actor,
    kind: str,
    file,
    title: str = "",
    given_to_parent_on=None,
    request_key: uuid.UUID | None = None,
):
    """Files a document in the student's file (the caller fetched `student` through students_for).
    Only the manager (or those above) records that the parent has it; from a teacher or consultant
    the date is ignored. The same form sent twice (the same `request_key`) files one document."""
    if not may_add_document(actor, student):
        raise PermissionDenied(_("Your role may not add documents to this file."))
    Student.objects.select_for_update().get(pk=student.pk)  # one request of the form at a time
    if request_key and (sent := Document.objects.filter(uploaded_by=actor, request_key=request_key).first()):
        return sent
    if not may_record_given(actor, student):
        given_to_parent_on = None
    if given_to_parent_on is not None:
        given_on_check(student=student, on=given_to_parent_on, field="given_to_parent_on")
    document = Document.objects.create(
        student=student,
        kind=kind,
        title=title,
        file=file,
        uploaded_by=actor,
        given_to_parent_on=given_to_parent_on,
        request_key=request_key,
    )
    timeline_add(
        subject=student,
        kind="document.added",
        campus_id=student.campus_id,
        actor=actor,
        data={"document": document.pk, "kind": kind, "title": title or document.get_kind_display()},
    )
    events.document_added.send(sender=Document, document=document, actor=actor)
    return document


# The amount of a contract is its class hours × its price per hour; one further from it than this (1 %
# of it, at least 1 yuan: a rounded total passes, a mistyped one does not) is entered only when the
# person entering it confirms it (a discount, a gift of hours).
AMOUNT_TOLERANCE = Decimal("0.01")
AMOUNT_TOLERANCE_MIN = Decimal("1")
CENT = Decimal("0.01")


def amount_expected(*, hours: Decimal, unit_price: Decimal) -> Decimal:
    return (hours * unit_price).quantize(CENT, ROUND_HALF_UP)


def amount_off(*, hours: Decimal, unit_price: Decimal, amount: Decimal) -> Decimal | None:
    """hours × unit_price when `amount` is further from it than the tolerance, else None."""
    expected = amount_expected(hours=hours, unit_price=unit_price)
    tolerance = max(expected * AMOUNT_TOLERANCE, AMOUNT_TOLERANCE_MIN)
    return expected if abs(amount - expected) > tolerance else None


def amount_off_message(*, hours: Decimal, unit_price: Decimal, expected: Decimal) -> str:
    return _(
        "The amount is not class hours × price per hour (%(hours)s × %(price)s = %(expected)s). Correct "
        "it, or confirm that the amount is right."
    ) % {"hours": f"{hours.normalize():f}", "price": f"{unit_price.normalize():f}", "expected": expected}


def _amount_confirmation(contract: Contract, confirmed: bool) -> dict:
    """What the timeline keeps of a confirmed amount that is not hours × price (nothing otherwise)."""
    expected = amount_off(hours=contract.hours, unit_price=contract.unit_price, amount=contract.amount)
    if not (confirmed and expected is not None):
        return {}
    return {"amount_confirmed": True, "amount_expected": str(expected)}


# Corrections (资料更正): a mistyped detail put right, with the reason; the timeline keeps old → new of
# each field. The student's details and guardians are the file keepers'; a contract see
# correctable_contracts.
STUDENT_CORRECTABLE = ("full_name", "gender", "school", "grade")
GUARDIAN_CORRECTABLE = (
    "name",
    "relation",
    "phone",
    "phone_other",
    "wechat",
    "best_time_to_call",
    "is_primary",
)
CONTRACT_CORRECTABLE = ("number", "signed_at", "subjects", "hours", "unit_price", "amount")
# What a contract's hours left, renewal (R1) and refund list are computed from.
CONTRACT_MONEY = ("hours", "unit_price", "amount")
# The family's contacts are kept masked on the timeline, as most of its readers see them (privacy).
MASKED_ON_TIMELINE = {
    "phone": privacy.masked_phone,
    "phone_other": privacy.masked_phone,
    "wechat": privacy.masked_text,
}
CONTRACT_CORRECTORS = (Role.CONSULTANT, Role.SUPERVISOR, Role.DIRECTOR)
# A refund with the approvers, approved or paid keeps the figures it was computed from (hours bought
# and used, the amount paid): its student's contracts are no longer corrected in their hours or money.
# A refund returned to its applicant is computed again when it is sent again (refund_resubmit). The
# refunds app is above this one, so its rows are read through the reverse relation `student.refunds`,
# by their status.
REFUND_SUBMITTED = ("approving", "approved", "paid")


def handover_signed(student: Student) -> bool:
    """Whether the student's file was handed over: a handover signed by both the learning manager and
    the consultant (H5, Handover.signed_off), read through the reverse relation `student.handovers`
    (the handover app is above this one). One query."""
    return student.handovers.filter(
        manager_signed_at__isnull=False, consultant_signed_at__isnull=False
    ).exists()


def _leads_manager_of(user, student: Student) -> bool:
    """Whether the user is the supervisor of the team of the student's learning manager. One query."""
    return (
        bool(student.manager_id)
        and User.objects.filter(pk=student.manager_id, team__supervisor=user).exists()
    )


def correctable_contracts(user, student: Student, contracts) -> set[int]:
    """The ids of those of the student's `contracts` the user may correct: until the handover is signed
    (handover_signed) the consultant who signed each; after it, the supervisor of the student's manager
    or the campus director. At most two queries, whatever the number of contracts."""
    if user.role not in CONTRACT_CORRECTORS or user.campus_id != student.campus_id:
        return set()
    if not handover_signed(student):
        return {c.pk for c in contracts if user.role == Role.CONSULTANT and c.consultant_id == user.pk}
    if user.role == Role.DIRECTOR or (user.role == Role.SUPERVISOR and _leads_manager_of(user, student)):
        return {c.pk for c in contracts}
    return set()


def may_correct_contract(user, contract: Contract) -> bool:
    return contract.pk in correctable_contracts(user, contract.student, [contract])


def money_correction_refusal(student: Student) -> str:
    """Why the hours, price and amount of the student's contracts may not be corrected ("" if they may)."""
    if student.refunds.filter(status__in=REFUND_SUBMITTED).exists():
        return _(
            "A refund of %(student)s has been submitted and keeps the figures it was computed from: the "
            "class hours, price and amount of the contracts can no longer be corrected."
        ) % {"student": student.full_name}
    return ""


def _correction_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this is corrected.")})
    return reason


def _changed(record: models.Model, names: tuple[str, ...], changes: dict) -> dict[str, tuple]:
    """The fields among `names` whose value in `changes` differs from the record's: name -> (old, new)."""
    return {
        name: (getattr(record, name), changes[name])
        for name in names
        if name in changes and changes[name] != getattr(record, name)
    }


def _shown(model: type[models.Model], name: str, value) -> str:
    """A field's value as the timeline keeps it, in the corrector's language: a choice's label, a
    date-time local to the minute, a decimal with the field's places, a contact masked."""
    field = model._meta.get_field(name)
    if value is None or value == "":
        return ""
    if name in MASKED_ON_TIMELINE:
        return MASKED_ON_TIMELINE[name](str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, models.DateTimeField):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(field, models.DecimalField):
        return str(Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places)))
    return str(value)


def _trail(model: type[models.Model], changed: dict[str, tuple]) -> dict[str, list[str]]:
    """The timeline's record of the changes: field -> [old, new], as shown."""
    return {
        name: [_shown(model, name, old), _shown(model, name, new)] for name, (old, new) in changed.items()
    }


def _write(record: models.Model, changed: dict[str, tuple]) -> None:
    for name, (_old, new) in changed.items():
        setattr(record, name, new)
    record.save(update_fields=list(changed))


@transaction.atomic
def student_correct(*, student: Student, actor, changes: dict, reason: str) -> dict[str, list[str]]:
    """A mistyped name, gender, school or grade put right by a file keeper; returns the changes (field
    -> [old, new] as shown; none: nothing was written). The caller fetched `student` through
    students_for(actor)."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above correct the file."))
    reason = _correction_reason(reason)
    student = Student.objects.select_for_update().get(pk=student.pk)
    changed = _changed(student, STUDENT_CORRECTABLE, changes)
    if not changed:
        return {}
    _write(student, changed)
    trail = _trail(Student, changed)
    timeline_add(
        subject=student,
        kind="student.corrected",
        campus_id=student.campus_id,
        actor=actor,
        reason=reason,
        data={"changes": trail},
    )
    return trail


@transaction.atomic
def guardian_correct(*, guardian: Guardian, actor, changes: dict, reason: str) -> dict[str, list[str]]:
    """A guardian's mistyped details put right by a file keeper (母亲 entered for 父亲); a guardian made
    the main contact takes over from the others. Returns the changes as student_correct does."""
    student = guardian.student
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above correct the file."))
    reason = _correction_reason(reason)
    Student.objects.select_for_update().get(pk=student.pk)  # the student's guardians, one change at a time
    guardian = Guardian.objects.select_for_update().get(pk=guardian.pk)
    changed = _changed(guardian, GUARDIAN_CORRECTABLE, changes)
    if not changed:
        return {}
    if changed.get("is_primary", (False, False))[1]:
        student.guardians.exclude(pk=guardian.pk).update(is_primary=False)
    _write(guardian, changed)
    trail = _trail(Guardian, changed)
    timeline_add(
        subject=guardian,
        kind="guardian.corrected",
        campus_id=student.campus_id,
        actor=actor,
        reason=reason,
        data={"name": guardian.name, "changes": trail},
    )
    return trail


def _contract_check(contract: Contract, changed: dict[str, tuple], *, amount_confirmed: bool) -> None:
    """Refuses a correction the contract may not take: money under a submitted refund, a number taken,
    a signing time to come, an amount off hours × price not confirmed."""
    if set(changed) & set(CONTRACT_MONEY) and (refusal := money_correction_refusal(contract.student)):
        raise ValidationError(refusal, code="refund")
    if (
        "number" in changed
        and Contract.objects.filter(number=changed["number"][1]).exclude(pk=contract.pk).exists()
    ):
        raise ValidationError({"number": _("A contract with this number has already been entered.")})
    if "signed_at" in changed and changed["signed_at"][1] > timezone.now():
        raise ValidationError({"signed_at": _("The signing time cannot be in the future.")})
    if set(changed) & set(CONTRACT_MONEY) and not amount_confirmed:
        figures = {
            name: changed[name][1] if name in changed else getattr(contract, name) for name in CONTRACT_MONEY
        }
        if (expected := amount_off(**figures)) is not None:
            message = amount_off_message(
                hours=figures["hours"], unit_price=figures["unit_price"], expected=expected
            )
            raise ValidationError({"amount": message})


@transaction.atomic
def contract_correct(
    *, contract: Contract, actor, changes: dict, reason: str, amount_confirmed: bool = False
) -> dict[str, list[str]]:
    """A contract's mistyped number, signing time, subjects, hours, price or amount put right (see
    correctable_contracts for who may). Hours changed are recounted at once and the change announced
    (events.contract_corrected: renewal follows); a refund list not yet submitted is computed from the
    contracts and follows by itself. Returns the changes as student_correct does."""
    student = contract.student
    if not may_correct_contract(actor, contract):
        raise PermissionDenied(
            _(
                "The consultant who signed the contract corrects it until the handover is signed; after "
                "it, the student's supervisor or the campus director."
            )
        )
    reason = _correction_reason(reason)
    Student.objects.select_for_update(no_key=True).get(pk=student.pk)  # as hours_recount locks it
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    changed = _changed(contract, CONTRACT_CORRECTABLE, changes)
    if not changed:
        return {}
    _contract_check(contract, changed, amount_confirmed=amount_confirmed)
    _write(contract, changed)
    if set(changed) & set(CONTRACT_MONEY):
        hours_recount(student_ids=[student.pk])  # before the listeners read the hours left
    trail = _trail(Contract, changed)
    timeline_add(
        subject=contract,
        kind="contract.corrected",
        campus_id=student.campus_id,
        actor=actor,
        reason=reason,
        data={
            "number": contract.number,
            "changes": trail,
            **_amount_confirmation(contract, amount_confirmed),
        },
    )
    events.contract_corrected.send(sender=Contract, contract=contract, actor=actor, changes=list(changed))
    return trail
