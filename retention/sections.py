"""Retention's part of the student page (registered in students.sections)."""

from .selectors import cases_for
from .services import RAISERS
from .steps import next_step, with_steps


def student_page(student, user) -> dict:
    """The student's open retention case (when the user may see it) with its next step, or whether
    they may raise one."""
    case = with_steps(cases_for(user).filter(student=student).exclude(stage="closed")).first()
    return {
        "open_case": case,
        "open_case_step": next_step(case) if case is not None else None,
        "can_raise_case": user.role in RAISERS,
    }
