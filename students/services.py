from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from deadlines.models import ACTIVE, Deadline
from timeline.services import timeline_add

from .models import Contract, Guardian, Student

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


# Who enters a signed contract, and who assigns the learning manager.
SIGNERS = (Role.CONSULTANT, Role.DIRECTOR)
ASSIGNERS = (Role.SUPERVISOR, Role.DIRECTOR)


@transaction.atomic
def contract_sign(
    *,
    actor,
    contract: dict,
    student: Student | None = None,
    new_student: dict | None = None,
    guardian: dict | None = None,
) -> Contract:
    """A consultant enters a signed contract: for an existing student (a renewal) or a new one with
    their guardian. The caller has validated the values (ContractIntakeForm)."""
    if actor.role not in SIGNERS or actor.campus_id is None:
        raise PermissionDenied(_("Only a consultant or the campus director enters signed contracts."))
    if student is None:
        student = Student.objects.create(campus_id=actor.campus_id, **new_student)
        if guardian:
            Guardian.objects.create(student=student, is_primary=True, **guardian)
        timeline_add(subject=student, kind="student.created", campus_id=student.campus_id, actor=actor)
    elif student.campus_id != actor.campus_id:
        raise PermissionDenied(_("This student belongs to another campus."))
    consultant = actor if actor.role == Role.CONSULTANT else contract.pop("consultant")
    signed = Contract.objects.create(student=student, consultant=consultant, **contract)
    timeline_add(
        subject=signed,
        kind="contract.signed",
        campus_id=student.campus_id,
        actor=actor,
        data={"number": signed.number, "hours": str(signed.hours)},
    )
    if student.manager_id:
        _open_handover(signed, student.manager, actor)
    return signed


def _open_handover(contract: Contract, manager, actor) -> None:
    """H1: the manager receives the new contract's file within 2 working days of the signing."""
    from handover.services import handover_start  # the handover builds on the student file, not the reverse

    handover_start(contract=contract, manager=manager, actor=actor)


@transaction.atomic
def student_assign(*, student: Student, manager, actor, reason: str = "") -> bool:
    """The supervisor (or director) gives a student a learning manager, or moves them to another with
    a reason; the open deadlines of the student's old manager move along. False if nothing changed."""
    if actor.role not in ASSIGNERS or actor.campus_id != student.campus_id:
        raise PermissionDenied(_("Only a supervisor or the campus director assigns learning managers."))
    if (
        manager.role != Role.LEARNING_MANAGER
        or manager.campus_id != student.campus_id
        or not manager.is_active
    ):
        raise ValidationError({"manager": _("Choose a learning manager of this campus.")})
    old = Student.objects.select_for_update().get(pk=student.pk).manager_id
    if old == manager.pk:
        return False
    reason = (reason or "").strip()
    if old is not None and not reason:
        raise ValidationError({"reason": _("Say why the student moves to another learning manager.")})
    if not Student.objects.filter(pk=student.pk, manager_id=old).update(manager=manager):
        return False  # someone else assigned the student a moment ago
    student.manager = manager
    Deadline.objects.filter(student=student, owner_id=old, status__in=ACTIVE).update(owner=manager)
    student.handovers.filter(manager_id=old, manager_signed_at=None).update(manager=manager)
    timeline_add(
        subject=student,
        kind="student.assigned",
        campus_id=student.campus_id,
        actor=actor,
        from_state=str(old or ""),
        to_state=str(manager.pk),
        reason=reason,
        data={"manager": manager.display_name},
    )
    if old is None:
        for contract in student.contracts.all():
            _open_handover(contract, manager, actor)
    return True
