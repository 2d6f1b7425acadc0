"""How retention answers what the student file announces (students/events.py); connected in
RetentionConfig.ready()."""

from .services import cases_follow_manager


def after_student_assigned(*, student, **kwargs) -> None:
    """The student moved to another manager: their open case moves along."""
    cases_follow_manager(student=student)
