"""How follow-up answers what the student file announces (students/events.py); connected in
FollowupsConfig.ready(). One receiver per event, calling its steps in order."""

from .callbacks import lesson_taught
from .changes import lesson_changed
from .concerns import lesson_missed
from .plans import document_added, first_lesson_taught, lessons_changed
from .renewal import contract_corrected, contract_renewed


def after_contract_renewed(*, contract, actor, **kwargs) -> None:
    """R1 met by the new contract; a student whose hours had run out is taught again."""
    contract_renewed(contract=contract, actor=actor)


def after_contract_corrected(*, contract, actor, changes, **kwargs) -> None:
    """Corrected class hours: R1 opens or stops as the hours left now say; an ended contract reopens."""
    contract_corrected(contract=contract, actor=actor, changes=changes)


def after_lessons_scheduled(*, student, actor, **kwargs) -> None:
    """The 20th lesson may now come sooner (F3)."""
    lessons_changed(student=student, actor=actor)


def after_lesson_changed(*, lesson, actor, changes, **kwargs) -> None:
    """L10 for the manager to pass the change on; the 20th lesson may have moved (F3)."""
    lesson_changed(lesson=lesson, actor=actor, changes=changes)
    lessons_changed(student=lesson.student, actor=actor)


def after_lesson_missed(*, lesson, actor, **kwargs) -> None:
    """L9: the real reason of the absence; the 20th lesson comes later (F3)."""
    lesson_missed(lesson=lesson, actor=actor)
    lessons_changed(student=lesson.student, actor=actor)


def after_first_lesson_taught(*, lesson, actor, **kwargs) -> None:
    """F1, L4 and the documents of the first weeks (L1, F2, F3, L2) count from the first lesson."""
    first_lesson_taught(lesson=lesson, actor=actor)


def after_lesson_taught(*, lesson, actor, **kwargs) -> None:
    """L3: the post-lesson talk; the hours left may call for renewal (R1) or end the contract."""
    lesson_taught(lesson=lesson, actor=actor)


def after_document_added(*, document, actor, **kwargs) -> None:
    """F4 for a teacher's paper; any document may meet a plan's clock (L1, F2, F3, L2)."""
    document_added(document=document, actor=actor)
