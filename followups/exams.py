"""The campus's exam calendar (L5): entering an exam opens the clock of each student it concerns.

L5 starts at 00:00 of the exam's day and is due 7 calendar days later; when the family learned the
results later (recorded with the score), the week counts from that day (deadline_reschedule). The
score for the exam meets it, on time or late. A student who has no score for the exam: their manager
closes the clock with the reason (exam_no_score), without a supervisor's waiver — the manager is the
one who knows the student did not sit it, and the reason stays on the clock and the timeline.
"""

import re
import uuid
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role
from deadlines import calendar
from deadlines.services import deadline_open, deadline_stop
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
