"""Follow-up records with clocks: callbacks (F1, L4) and exam scores (L5)."""

import uuid
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from deadlines import calendar
from deadlines.services import deadline_meet, deadline_open
from students.models import Lesson, Student
from students.services import can_edit_file
from timeline.services import timeline_add

from .models import AbsenceReason, Callback, Concern, ExamScore, GrowthRecord


def first_lesson_taught(*, lesson: Lesson, actor) -> None:
    """The first lesson happened: the first-lesson callback (F1) is due that day, and the parent
    callbacks (L4) start, weekly for two months, then every two weeks."""
    student = lesson.student
    if student.manager_id is None:
        return
    manager = student.manager
    deadline_open(rule="F1", subject=student, owner=manager, start=lesson.starts_at, actor=actor)
    deadline_open(
        rule="L4", subject=student, owner=manager, start=lesson.starts_at, event=lesson.starts_at, actor=actor
    )


@transaction.atomic
def callback_record(
    *,
    student: Student,
    actor,
    request_key: uuid.UUID,
    at: datetime,
    summary: str,
    with_whom: str = Callback.With.PARENT,
    channel: str = Callback.Channel.PHONE,
    concerns: str = "",
    next_steps: str = "",
) -> tuple[Callback, bool]:
    """Logs a callback; a parent callback meets F1 and the open L4, and the next L4 runs from it.
    Returns (callback, created): the same form sent twice records once."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above record callbacks."))
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("Say what was talked about.")})
    if calendar.require_aware(at, "at") > timezone.now():
        raise ValidationError({"at": _("A callback cannot be in the future.")})
    first_contract = student.contracts.order_by("signed_at").values_list("signed_at", flat=True).first()
    if first_contract is None or at < first_contract:
        raise ValidationError({"at": _("A callback cannot be dated before the student's contract.")})
    callback, created = Callback.objects.get_or_create(
        created_by=actor,
        request_key=request_key,
        defaults={
            "student": student,
            "with_whom": with_whom,
            "channel": channel,
            "at": at,
            "summary": summary,
            "concerns": concerns,
            "next_steps": next_steps,
        },
    )
    if not created:
        return callback, False
    timeline_add(
        subject=student,
        kind="callback.recorded",
        campus_id=student.campus_id,
        actor=actor,
        reason=summary,
        data={"with": with_whom, "channel": channel, "at": at.isoformat()},
    )
    if with_whom == Callback.With.PARENT:
        deadline_meet(rule="F1", subject=student, actor=actor, at=at)
        deadline_meet(rule="L4", subject=student, actor=actor, at=at)
    return callback, True


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
) -> tuple[ExamScore, bool]:
    """L5: a score with its analysis, due a week after the exam (or after the family learned it).
    The clock is opened and closed at once: on time or late is what the record shows."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above record scores."))
    today = timezone.localdate()
    if exam_date > today:
        raise ValidationError({"exam_date": _("A score needs an exam that has taken place.")})
    if learned_on and (learned_on < exam_date or learned_on > today):
        raise ValidationError(
            {"learned_on": _("The family learns a score after the exam and not in the future.")}
        )
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
        },
    )
    if not created:
        return record, False
    known = datetime.combine(learned_on or exam_date, datetime.min.time(), tzinfo=calendar.local_zone())
    if student.manager_id:
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


def lesson_missed(*, lesson: Lesson, actor) -> None:
    """L9: a lesson marked absent — the manager finds out the real reason by the next working day's end."""
    if lesson.student.manager_id:
        deadline_open(rule="L9", subject=lesson, owner=lesson.student.manager, actor=actor)


@transaction.atomic
def absence_reason_record(*, lesson: Lesson, actor, reason: str) -> bool:
    """The real reason of an absence; recorded once (False if it already was)."""
    student = lesson.student
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above record this."))
    if lesson.status != Lesson.Status.ABSENT:
        raise ValidationError(_("Only a missed lesson has an absence reason."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the student missed the lesson.")})
    _record, created = AbsenceReason.objects.get_or_create(
        lesson=lesson, defaults={"reason": reason, "recorded_by": actor}
    )
    if not created:
        return False
    timeline_add(
        subject=lesson,
        kind="absence.reason",
        campus_id=student.campus_id,
        actor=actor,
        student_id=student.pk,
        reason=reason,
        data={"subject": lesson.subject},
    )
    deadline_meet(rule="L9", subject=lesson, actor=actor)
    return True


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


# Who may raise a concern: everyone who works with the student, not only the manager.
CONCERN_RAISERS = (Role.LEARNING_MANAGER, Role.SUPERVISOR, Role.DIRECTOR, Role.TEACHER, Role.HEAD_TEACHER)
NO_LESSON_GRACE = timedelta(days=3)


@transaction.atomic
def concern_raise(
    *, student: Student, actor, request_key: uuid.UUID, kind: str, description: str
) -> tuple[Concern, bool]:
    """L7 opens: due before the student's next scheduled lesson ends (three days when none is booked)."""
    if actor.role not in CONCERN_RAISERS:
        raise PermissionDenied(_("Your role may not raise concerns."))
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Say what was noticed.")})
    concern, created = Concern.objects.get_or_create(
        raised_by=actor,
        request_key=request_key,
        defaults={"student": student, "kind": kind, "description": description},
    )
    if not created:
        return concern, False
    now = timezone.now()
    next_end = (
        student.lessons.filter(status=Lesson.Status.SCHEDULED, starts_at__gte=now)
        .order_by("starts_at")
        .values_list("ends_at", flat=True)
        .first()
    )
    timeline_add(
        subject=concern,
        kind="concern.raised",
        campus_id=student.campus_id,
        actor=actor,
        student_id=student.pk,
        reason=description,
        data={"kind": kind},
    )
    if student.manager_id:
        deadline_open(
            rule="L7",
            subject=concern,
            owner=student.manager,
            event=next_end or now + NO_LESSON_GRACE,
            actor=actor,
        )
    return concern, True


@transaction.atomic
def concern_handle(*, concern: Concern, actor, analysis: str, parent_advice: str, student_talk: str) -> bool:
    """The manager has analysed it, told and advised the parent, and talked with the student."""
    if not can_edit_file(actor, concern.student):
        raise PermissionDenied(_("Only the student's learning manager and those above record this."))
    if not all((text or "").strip() for text in (analysis, parent_advice, student_talk)):
        raise ValidationError(
            _("Record the analysis, what the parent was told and the talk with the student.")
        )
    changed = Concern.objects.filter(pk=concern.pk, handled_at=None).update(
        analysis=analysis.strip(),
        parent_advice=parent_advice.strip(),
        student_talk=student_talk.strip(),
        handled_by=actor,
        handled_at=timezone.now(),
    )
    if not changed:
        return False
    timeline_add(
        subject=concern,
        kind="concern.handled",
        campus_id=concern.student.campus_id,
        actor=actor,
        student_id=concern.student_id,
        reason=analysis.strip(),
    )
    deadline_meet(rule="L7", subject=concern, actor=actor)
    return True
