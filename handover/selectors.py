from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from accounts import scope
from accounts.models import Role
from deadlines.models import ACTIVE, Deadline

from .models import Handover, PreClass


def handovers_for(user) -> QuerySet[Handover]:
    """A manager's own handovers, a supervisor's team's, the campus's for the director; a consultant
    the handovers of the contracts they signed. Teachers and schedulers have none."""
    if not user.is_authenticated or user.role in (Role.TEACHER, Role.SCHEDULER):
        return Handover.objects.none()
    if user.role == Role.CONSULTANT:
        return Handover.objects.filter(scope.campus_q(user), consultant=user)
    return Handover.objects.filter(scope.caseload_q(user))


def handover_list(user) -> QuerySet[Handover]:
    """Handovers not signed off yet first, newest first."""
    return (
        handovers_for(user)
        .select_related("student", "contract", "manager", "consultant")
        .order_by("consultant_signed_at", "manager_signed_at", "-created_at")
    )


def handover_deadlines(handover: Handover) -> dict[str, Deadline]:
    """The handover's own clocks (H1, H3, H4) by rule, the active one or else the latest."""
    return _clocks_of(handover)


def preclass_deadlines(pre: PreClass) -> dict[str, Deadline]:
    """The pre-class clocks (P1–P3) by rule, the active one or else the latest."""
    return _clocks_of(pre)


def _clocks_of(subject) -> dict[str, Deadline]:
    kind = ContentType.objects.get_for_model(subject)
    rows = Deadline.objects.filter(subject_type=kind, subject_id=subject.pk).order_by("occurrence")
    found: dict[str, Deadline] = {}
    for deadline in rows:
        if deadline.rule not in found or deadline.status in ACTIVE:
            found[deadline.rule] = deadline
    return found
