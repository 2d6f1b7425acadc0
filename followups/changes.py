"""Lesson changes someone other than the manager made, passed on to the family before the lesson (L10)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from deadlines.models import ACTIVE, Deadline
from deadlines.services import (
    deadline_meet,
    deadline_notify_owner,
    deadline_open,
    deadline_reschedule,
)
from students.models import Lesson
from students.services import can_edit_file
from timeline.services import student_id_of, timeline_add


def lesson_changed(*, lesson: Lesson, actor, changes: list[str]) -> None:
    """L10: someone other than the manager changed the teacher, time or classroom of a lesson — the
    manager is told at once and tells parent and student before the lesson starts."""
    student = lesson.student
    if student.manager_id is None:
        return
    deadline = Deadline.objects.filter(
        rule="L10", status__in=ACTIVE, subject_id=lesson.pk, student=student
    ).first()
    if deadline is None and actor.pk == student.manager_id:
        return  # the manager made the change and tells the family themself
    if deadline is None:
        deadline = deadline_open(
            rule="L10",
            subject=lesson,
            owner=student.manager,
            event=lesson.starts_at,
            actor=actor,
            occurrence=_next_occurrence("L10", lesson),
        )
    else:
        deadline = deadline_reschedule(rule="L10", subject=lesson, event=lesson.starts_at, actor=actor)
    if actor.pk != student.manager_id:
        deadline_notify_owner(deadline)


def _next_occurrence(rule: str, subject) -> int:
    """One more than the subject's last deadline of `rule`: a rule that may come round again."""
    last = Deadline.objects.filter(
        rule=rule, subject_id=subject.pk, student_id=student_id_of(subject)
    ).aggregate(Max("occurrence"))["occurrence__max"]
    return (last or 0) + 1


@transaction.atomic
def lesson_change_told(*, lesson: Lesson, actor) -> bool:
    """The parent and the student know of the change (L10). False if nothing was waiting."""
    student = lesson.student
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above record this."))
    deadline = deadline_meet(rule="L10", subject=lesson, actor=actor)
    if deadline is None:
        return False
    timeline_add(
        subject=lesson,
        kind="lesson.change_told",
        campus_id=student.campus_id,
        actor=actor,
        student_id=student.pk,
        data={"subject": lesson.subject},
    )
    return True
