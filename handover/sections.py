"""The handover's part of the student page (registered in students.sections)."""

from .selectors import handovers_for


def student_page(student, user) -> dict:
    """The student's handovers the reader may open."""
    return {"handovers": list(handovers_for(user).filter(student=student).select_related("contract"))}
