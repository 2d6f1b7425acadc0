"""Pausing a student (leave, suspension) and their return: the clocks that stop meanwhile, and the
parent callbacks (L4) that start again."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from deadlines.models import Deadline
from deadlines.services import (
    deadline_open,
    deadline_stop,
)
from students.models import Student
from students.services import can_edit_file
from timeline.models import Event
from timeline.services import timeline_add

# Pausing (leave, suspension): who may, and the clock that stops meanwhile.
PAUSERS = (Role.LEARNING_MANAGER, Role.SUPERVISOR, Role.DIRECTOR)
# How far ahead a family may say the student comes back: a year (a school year's leave fits).
LONGEST_PAUSE = timedelta(days=366)


def return_refusal(day: date | None, today: date) -> str:
    """Why `day` cannot be the expected return of a pause starting `today`; "" when it can."""
    if day is None:
        return _("Enter the day the student is expected back.")
    if day < today:
        return _("The expected return cannot be before today.")
    if day > today + LONGEST_PAUSE:
        return _("The expected return is more than a year away: check the date.")
    return ""


@transaction.atomic
def student_pause(*, student: Student, actor, reason: str, expected_return_on: date | None) -> bool:
    """The student takes leave or is suspended until about `expected_return_on`: the parent callbacks
    (L4) stop until they return. False if the student was not active."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above pause a student."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the student pauses.")})
    if refusal := return_refusal(expected_return_on, timezone.localdate()):
        raise ValidationError({"expected_return_on": refusal})
    if not Student.objects.filter(pk=student.pk, status=Student.Status.ACTIVE).update(
        status=Student.Status.PAUSED, expected_return_on=expected_return_on
    ):
        return False
    stop_student_clocks(student, PAUSED_STOPS, actor, reason)
    data = {"expected_return_on": expected_return_on.isoformat()}
    record_status(student, actor, Student.Status.ACTIVE, Student.Status.PAUSED, reason, data=data)
    return True


@transaction.atomic
def student_resume(*, student: Student, actor, reason: str = "") -> bool:
    """The student is back: the parent callbacks (L4) start again from today, on the same two-month
    phase from the first lesson. False if the student was not paused."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above resume a student."))
    if not Student.objects.filter(pk=student.pk, status=Student.Status.PAUSED).update(
        status=Student.Status.ACTIVE, expected_return_on=None
    ):
        return False
    reason = (reason or "").strip()
    record_status(
        student, actor, Student.Status.PAUSED, Student.Status.ACTIVE, reason, kind="student.resumed"
    )
    callbacks_restart(student, actor)
    return True


def callbacks_restart(student: Student, actor) -> None:
    """L4 again from now, anchored where the series began (the first lesson)."""
    last = Deadline.objects.filter(rule="L4", student=student).order_by("-occurrence").first()
    if last is None or student.manager_id is None:
        return
    deadline_open(
        rule="L4",
        subject=student,
        owner=student.manager,
        event=last.event_at,
        actor=actor,
        occurrence=last.occurrence + 1,
    )


def record_status(
    student: Student, actor, old: str, new: str, reason: str = "", kind: str = "", data: dict | None = None
) -> None:
    timeline_add(
        subject=student,
        kind=kind or f"student.{new}",
        campus_id=student.campus_id,
        actor=actor,
        from_state=old,
        to_state=new,
        reason=reason,
        data=data,
    )


def pause_shown(student: Student, today: date | None = None) -> dict | None:
    """While the student is paused, what the page says of it: the reason given when pausing (the
    latest pause's timeline event), the expected return and whether that day has passed. None when
    not paused; one query when paused."""
    if student.status != Student.Status.PAUSED:
        return None
    event = Event.objects.filter(student_id=student.pk, kind="student.paused").order_by("-at", "-pk").first()
    back = student.expected_return_on
    today = today or timezone.localdate()
    return {"reason": event.reason if event else "", "back": back, "overdue": bool(back and back < today)}


# The student's own clocks that make no sense once they pause or their hours run out: callbacks,
# the month's growth record, and (at the end) the plans of the first weeks. Talks about lessons
# that took place (L3), concerns (L7), absences (L9) and renewal (R1) go on.
PAUSED_STOPS = ("L4", "L6")
ENDED_STOPS = ("L4", "L6", "L1", "F2", "F3", "L2")


def stop_student_clocks(student: Student, rules: tuple[str, ...], actor, reason: str) -> None:
    for rule in rules:
        while deadline_stop(rule=rule, subject=student, actor=actor, reason=reason):
            pass  # a monthly rule may have more than one month open
