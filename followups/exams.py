"""The campus's exam calendar (L5): entering an exam opens the clock of each student it concerns.

L5 starts at 00:00 of the exam's day and is due 7 calendar days later; when the family learned the
results later (recorded on its own, exam_learned_later, or with the score), the week counts from that
day (deadline_reschedule). The score for the exam meets it, on time or late. A student who has no
score for the exam: their manager closes the clock with the reason (exam_no_score), without a
supervisor's waiver — the manager is the one who knows the student did not sit it, and the reason
stays on the clock and the timeline.
"""

import re
import uuid
from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from deadlines import calendar
from deadlines.models import ACTIVE, Deadline
from deadlines.services import deadline_open, deadline_reschedule, deadline_stop
from students.models import Student
from students.services import can_edit_file
from timeline.services import timeline_add

from .models import Exam, ExamSitting

# Who enters exams: the campus's learning managers, supervisors and director.
EXAM_ENTERERS = (Role.LEARNING_MANAGER, Role.SUPERVISOR, Role.DIRECTOR)
GRADE_SEPARATORS = re.compile(r"[,，、;；\s]+")


def may_enter_exams(user) -> bool:
    return user.role in EXAM_ENTERERS and user.campus_id is not None


def split_grades(text: str) -> list[str]:
    """ "初二、初三" -> ["初二", "初三"], in order, once each."""
    return list(dict.fromkeys(g for g in GRADE_SEPARATORS.split(text or "") if g))


def exam_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=calendar.local_zone())


@transaction.atomic
def exam_add(
    *,
    actor,
    request_key: uuid.UUID,
    kind: str,
    date: date,
    school: str = "",
    grades: list[str] | None = None,
    student: Student | None = None,
) -> tuple[Exam, bool]:
    """An exam of the actor's campus for a school's grades, or one student's own exam (the student
    fetched through the actor's selector). Opens L5 for each active student of that campus, school
    and grade who has a manager (for a student's own exam: that student), owned by their manager."""
    if student is not None:
        if not can_edit_file(actor, student):
            raise PermissionDenied(
                _("Only the student's learning manager and those above enter their exams.")
            )
        campus_id, school, grades = (
            student.campus_id,
            student.school,
            [student.grade] if student.grade else [],
        )
    else:
        if not may_enter_exams(actor):
            raise PermissionDenied(
                _("Only the campus's learning managers, supervisors and director enter exams.")
            )
        campus_id, school, grades = actor.campus_id, (school or "").strip(), [g.strip() for g in grades or []]
        grades = [g for g in grades if g]
        if not school:
            raise ValidationError({"school": _("Name the school that holds the exam.")})
        if not grades:
            raise ValidationError({"grades": _("Name at least one grade.")})
    if kind not in Exam.Kind.values:
        raise ValidationError({"kind": _("Choose a monthly, midterm or final exam.")})
    exam, created = Exam.objects.get_or_create(
        created_by=actor,
        request_key=request_key,
        defaults={
            "campus_id": campus_id,
            "school": school,
            "grades": grades,
            "kind": kind,
            "date": date,
            "student": student,
        },
    )
    if not created:
        return exam, False
    if student is not None:
        concerned = Student.objects.filter(pk=student.pk, manager__isnull=False)
    else:
        concerned = Student.objects.filter(
            campus_id=campus_id,
            school=school,
            grade__in=grades,
            status=Student.Status.ACTIVE,
            manager__isnull=False,
        )
    concerned = list(concerned.select_related("manager__campus"))
    sittings = ExamSitting.objects.bulk_create([ExamSitting(exam=exam, student=s) for s in concerned])
    start = exam_start(date)
    for sitting, concerned_student in zip(sittings, concerned, strict=True):
        sitting.student = concerned_student
        deadline_open(rule="L5", subject=sitting, owner=concerned_student.manager, start=start, actor=actor)
    timeline_add(
        subject=exam,
        kind="exam.added",
        campus_id=campus_id,
        actor=actor,
        student_id=student.pk if student is not None else None,
        data={
            "kind": kind,
            "date": date.isoformat(),
            "school": school,
            "grades": grades,
            "students": len(sittings),
        },
    )
    return exam, True


@transaction.atomic
def exam_no_score(*, sitting: ExamSitting, actor, reason: str) -> bool:
    """The student has no score for this exam (absent, exempt): their L5 closes as waived with the
    reason. False if the clock was already closed."""
    if not can_edit_file(actor, sitting.student):
        raise PermissionDenied(_("Only the student's learning manager and those above record this."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why there is no score for this exam.")})
    return deadline_stop(rule="L5", subject=sitting, actor=actor, reason=reason) is not None


def l5_clock(sitting: ExamSitting, *, lock: bool = False) -> Deadline | None:
    """The sitting's active L5 (open, overdue or escalated), or None once it is closed."""
    clocks = Deadline.objects.filter(
        rule="L5",
        subject_type=ContentType.objects.get_for_model(ExamSitting),
        subject_id=sitting.pk,
        status__in=ACTIVE,
    )
    return (clocks.select_for_update() if lock else clocks).order_by("-occurrence").first()


def l5_count_from(*, sitting: ExamSitting, learned_on: date, actor) -> bool | None:
    """The family learned the results on `learned_on` (checked by the caller): the sitting's L5 is
    due a week after that day. False when the week already counts from that day (a double submit),
    None when the clock is closed. Inside the caller's transaction."""
    clock = l5_clock(sitting, lock=True)
    if clock is None:
        return None
    counts_from = max(exam_start(learned_on), clock.opened_at)
    if counts_from == max(clock.event_at or clock.opened_at, clock.opened_at):
        return False
    deadline_reschedule(
        rule="L5",
        subject=sitting,
        event=exam_start(learned_on),
        actor=actor,
        reason=_("The family learned the results on %(day)s.") % {"day": learned_on.isoformat()},
    )
    return True


def learned_on_check(*, exam_date: date, learned_on: date, field: str = "learned_on") -> None:
    """The day the family learned the results: not before the exam, not in the future."""
    if learned_on < exam_date:
        raise ValidationError(
            {
                field: _("The exam was on %(day)s: the family cannot have learned the results before it.")
                % {"day": exam_date.isoformat()}
            }
        )
    if learned_on > timezone.localdate():
        raise ValidationError(
            {field: _("The family cannot have learned the results on a day still to come.")}
        )


@transaction.atomic
def exam_learned_later(*, sitting: ExamSitting, actor, learned_on: date) -> bool:
    """The family learned the results after the exam, recorded before the score is entered: the
    student's L5 is due a week after that day (the timeline says who recorded which day). False if
    the clock already counted from that day; refused once the clock is closed."""
    if not can_edit_file(actor, sitting.student):
        raise PermissionDenied(_("Only the student's learning manager and those above record this."))
    learned_on_check(exam_date=sitting.exam.date, learned_on=learned_on)
    changed = l5_count_from(sitting=sitting, learned_on=learned_on, actor=actor)
    if changed is None:
        raise ValidationError(_("The score task of this exam is already closed: nothing to move."))
    return changed
