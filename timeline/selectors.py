from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from accounts import scope
from accounts.models import Role

from .models import Access

# Who reads the access log: the campus director their campus's, the administrator every campus's.
LOG_READERS = (Role.DIRECTOR, Role.ADMIN)


def access_log_for(user) -> QuerySet[Access]:
    if not user.is_authenticated or user.role not in LOG_READERS:
        return Access.objects.none()
    return Access.objects.filter(scope.campus_q(user))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=timezone.get_current_timezone())


def access_log(
    user,
    *,
    student: str = "",
    person_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Access]:
    """The log in the user's scope, newest first, filtered by student (a name), person and period
    (both days included)."""
    entries = access_log_for(user).select_related("actor", "student")
    if student:
        entries = entries.filter(student__full_name__icontains=student)
    if person_id:
        entries = entries.filter(actor_id=person_id)
    if since:
        entries = entries.filter(at__gte=_start_of(since))
    if until:
        entries = entries.filter(at__lt=_start_of(until + timedelta(days=1)))
    return entries.order_by("-at", "-pk")
