"""Exam scores with their analysis (L5), and the monthly growth record (L6)."""

import uuid
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deadlines import calendar
from deadlines.services import deadline_meet, deadline_open
from students.models import Student
from students.services import can_edit_file
from timeline.services import timeline_add

from .exams import l5_clock, l5_count_from, learned_on_check
from .models import ExamScore, ExamSitting, GrowthRecord


@transaction.atomic
def score_record(
    *,
    student: Student,
    actor,
    request_key: uuid.UUID,
    kind: str,
    subject: str,
    score,
    full_marks,
    exam_date,
    analysis: str,
    class_rank=None,
    learned_on=None,
    exam=None,
) -> tuple[ExamScore, bool]:
    """L5: a score with its analysis, due a week after the exam (or after the family learned it).

    For an exam of the calendar (`exam`) the score meets the clock its entry opened, on time or late;
    a later day the family learned the results moves the week to count from it. A score of an exam
    not in the calendar opens and closes its clock at once."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above record scores."))
    sitting = None
    if exam is not None:
        sitting = ExamSitting.objects.filter(exam=exam, student=student).select_related("exam").first()
        if sitting is None:
            raise ValidationError({"exam": _("Choose an exam this student sat.")})
        kind, exam_date = sitting.exam.kind, sitting.exam.date
    if not kind or exam_date is None:
        raise ValidationError(_("Choose the exam from the calendar, or give its kind and date."))
    today = timezone.localdate()
    if exam_date > today:
        raise ValidationError({"exam_date": _("A score needs an exam that has taken place.")})
    if learned_on:
        learned_on_check(exam_date=exam_date, learned_on=learned_on)
    elif sitting is not None and (clock := l5_clock(sitting)) and clock.event_at:
        # The day the family learned the results, recorded before the score (exam_learned_later).
        learned_on = max(timezone.localdate(clock.event_at), exam_date)
    if not 0 <= score <= full_marks:
        raise ValidationError({"score": _("The score must be between 0 and the full marks.")})
    if not (analysis or "").strip():
        raise ValidationError({"analysis": _("Write what the score shows and what comes next.")})
    record, created = ExamScore.objects.get_or_create(
        created_by=actor,
        request_key=request_key,
        defaults={
            "student": student,
            "kind": kind,
            "subject": subject.strip(),
            "score": score,
            "full_marks": full_marks,
            "class_rank": class_rank,
            "exam_date": exam_date,
            "learned_on": learned_on,
            "analysis": analysis.strip(),
            "exam": sitting.exam if sitting else None,
        },
    )
    if not created:
        return record, False
    known = datetime.combine(learned_on or exam_date, datetime.min.time(), tzinfo=calendar.local_zone())
    if sitting is not None:
        if learned_on and learned_on > exam_date:
            l5_count_from(sitting=sitting, learned_on=learned_on, actor=actor)
        deadline_meet(rule="L5", subject=sitting, actor=actor)
    elif student.manager_id:
        deadline_open(rule="L5", subject=record, owner=student.manager, start=known, actor=actor)
        deadline_meet(rule="L5", subject=record, actor=actor)
    timeline_add(
        subject=record,
        kind="score.recorded",
        campus_id=student.campus_id,
        actor=actor,
        student_id=student.pk,
        reason=record.analysis,
        data={"subject": record.subject, "score": str(score), "full_marks": str(full_marks)},
    )
    return record, True


def month_key(day) -> int:
    """The occurrence of a monthly clock: 202612 for December 2026."""
    return day.year * 100 + day.month


@transaction.atomic
def growth_records_open(*, today) -> int:
    """L6 for every active student with a manager, for this month; safe to run every morning."""
    start = datetime.combine(today.replace(day=1), datetime.min.time(), tzinfo=calendar.local_zone())
    students = Student.objects.filter(status=Student.Status.ACTIVE, manager__isnull=False).select_related(
        "manager__campus"
    )
    for student in students:
        deadline_open(
            rule="L6", subject=student, owner=student.manager, start=start, occurrence=month_key(today)
        )
    return students.count()


@transaction.atomic
def growth_record_add(
    *, student: Student, actor, request_key: uuid.UUID, text: str
) -> tuple[GrowthRecord, bool]:
    """A growth record of this month; it meets this month's L6."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above record this."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what has grown this month.")})
    today = timezone.localdate()
    record, created = GrowthRecord.objects.get_or_create(
        created_by=actor,
        request_key=request_key,
        defaults={"student": student, "month": today.replace(day=1), "text": text},
    )
    if created:
        timeline_add(
            subject=student, kind="growth.recorded", campus_id=student.campus_id, actor=actor, reason=text
        )
        deadline_meet(rule="L6", subject=student, actor=actor, occurrence=month_key(today))
    return record, created
