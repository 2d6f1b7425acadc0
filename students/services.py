from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from timeline.services import timeline_add

from .models import Student

# Who keeps a student's personal file: the student's manager and the people above them.
FILE_KEEPERS = (Role.LEARNING_MANAGER, Role.SUPERVISOR, Role.DIRECTOR)


def normalize_phone(value: str) -> str:
    """Digits only, without the country code: what the caseload search matches against."""
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def can_edit_file(user, student: Student) -> bool:
    if user.role not in FILE_KEEPERS:
        return False
    return user.role != Role.LEARNING_MANAGER or student.manager_id == user.pk


@transaction.atomic
def student_file_update(*, student: Student, actor, changes: dict) -> list[str]:
    """Writes the personal file (F1); returns the names of the fields that changed (none: nothing
    is written). The caller has fetched `student` through students_for(actor)."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above may edit the file."))
    student = Student.objects.select_for_update().get(pk=student.pk)
    changed = [
        name
        for name in Student.FILE_FIELDS
        if name in changes and (changes[name] or "") != getattr(student, name)
    ]
    if not changed:
        return []
    for name in changed:
        setattr(student, name, changes[name] or "")
    student.file_updated_at = timezone.now()
    student.save(update_fields=[*changed, "file_updated_at"])
    timeline_add(
        subject=student,
        kind="student.file_updated",
        campus_id=student.campus_id,
        actor=actor,
        data={"fields": changed},
    )
    return changed
