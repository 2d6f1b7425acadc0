"""How the handover answers what the student file announces (students/events.py); connected in
HandoverConfig.ready()."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from students.models import Lesson

from .models import PreClass
from .services import handover_start


def after_student_assigned(*, student, actor, old_manager_id, **kwargs) -> None:
    """H1: the manager receives the new contract's file within 2 working days of the signing — from
    the student's first manager; a student moving to another manager takes their handover along."""
    if old_manager_id is not None:
        return
    for contract in student.contracts.all():
        handover_start(contract=contract, manager=student.manager, actor=actor)


def before_lesson_moves(*, lesson: Lesson, starts_at, **kwargs) -> None:
    """The first lesson moves with its pre-class clocks (P1–P3) on its own page; no lesson may be moved
    in front of it while it is still to come."""
    pre = PreClass.objects.filter(student_id=lesson.student_id).select_related("first_lesson").first()
    if pre is None or pre.first_lesson.status != Lesson.Status.SCHEDULED:
        return
    if pre.first_lesson_id == lesson.pk:
        raise ValidationError(
            _("This is the first lesson: move it under Before the first lesson, so its clocks move with it.")
        )
    if starts_at < pre.first_lesson.starts_at:
        raise ValidationError({"starts_at": _("A lesson cannot come before the first lesson.")})
