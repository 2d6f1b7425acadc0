"""Concerns raised by anyone who works with the student (L7), and the real reason of an absence (L9)."""

import uuid
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from deadlines.services import (
    deadline_meet,
    deadline_open,
)
from students.models import Lesson, Student
from students.services import can_edit_file
from timeline.services import timeline_add

from .models import AbsenceReason, Concern

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
