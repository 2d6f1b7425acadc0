"""Callbacks and talks: the parent callbacks (F1 on the first lesson's day, L4 weekly for two months,
then every two weeks; they open with the first lesson, plans.first_lesson_taught) and the talk after
each lesson taught (L3)."""

import uuid
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deadlines import calendar
from deadlines.services import (
    deadline_meet,
    deadline_open,
)
from students.models import Lesson, Student
from students.services import can_edit_file
from timeline.services import timeline_add

from .models import Callback, LessonTalk
from .renewal import hours_check


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


def lesson_taught(*, lesson: Lesson, actor) -> None:
    """Any lesson marked done: the post-lesson talk is due (L3, unless the campus does without), and
    the hours left may now call for renewal (R1) or end the contract."""
    student = lesson.student
    # Two lessons marked at once must not each count the other's hours as unused.
    Student.objects.select_for_update().filter(pk=student.pk).first()
    if student.manager_id and student.campus.post_lesson_talks:
        deadline_open(
            rule="L3",
            subject=lesson,
            owner=student.manager,
            start=max(lesson.ends_at, lesson.starts_at),
            actor=actor,
        )
    hours_check(student=student, actor=actor)


@transaction.atomic
def lesson_talk_record(
    *, lesson: Lesson, actor, teacher_notes: str, student_notes: str, parent_notes: str
) -> bool:
    """L3: what the teacher, the student and the parent said after the lesson. False if recorded."""
    student = lesson.student
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above record this."))
    if not Lesson.objects.filter(pk=lesson.pk, status=Lesson.Status.DONE).exists():
        raise ValidationError(_("A post-lesson talk follows a lesson that took place."))
    notes = {"teacher_notes": teacher_notes, "student_notes": student_notes, "parent_notes": parent_notes}
    notes = {name: (text or "").strip() for name, text in notes.items()}
    missing = {name: _("Write what was said.") for name, text in notes.items() if not text}
    if missing:
        raise ValidationError(missing)
    _talk, created = LessonTalk.objects.get_or_create(lesson=lesson, defaults={**notes, "recorded_by": actor})
    if not created:
        return False
    timeline_add(
        subject=lesson,
        kind="lesson.talk",
        campus_id=student.campus_id,
        actor=actor,
        student_id=student.pk,
        reason=notes["parent_notes"],
        data={"subject": lesson.subject},
    )
    deadline_meet(rule="L3", subject=lesson, actor=actor)
    return True
