"""Retention's part of the student page (registered in students.sections)."""

from .selectors import cases_for
from .services import RAISERS


def student_page(student, user) -> dict:
    """The student's open retention case (when the user may see it), or whether they may raise one."""
    return {
        "open_case": cases_for(user).filter(student=student).exclude(stage="closed").first(),
        "can_raise_case": user.role in RAISERS,
    }
