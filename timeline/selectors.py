from datetime import date, datetime, time, timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from accounts import scope
from accounts.models import Role, User

from .models import Access

# Who reads the access log: the campus director their campus's, the administrator every campus's.
LOG_READERS = (Role.DIRECTOR, Role.ADMIN)


def access_log_for(user) -> QuerySet[Access]:
    if not user.is_authenticated or user.role not in LOG_READERS:
        return Access.objects.none()
    return Access.objects.filter(scope.campus_q(user))


# The log's "by whom" search names at most this many people: a part of a name matching more is too short.
ACTOR_MATCHES = 50


def actors_named(user, who: str) -> tuple[list[int], bool]:
    """The ids of the people whose name or username holds `who` (at most ACTOR_MATCHES of them, by
    name), and whether there were more: for a director those of their campus and the company-wide
    staff, who are the ones in their log; former staff included, their entries stay. One query over
    the people, so the log itself is read through its actor index, never scanned for a name."""
    if not user.is_authenticated or user.role not in LOG_READERS:
        return [], False
    named = Q(full_name__icontains=who) | Q(username__icontains=who)
    people = User.objects.filter(named)
    if not user.is_company_wide:  # (an empty Q() | Q(campus=None) would be the second alone)
        people = people.filter(scope.campus_q(user) | Q(campus=None))
    ids = list(
        people.order_by("full_name", "username", "pk").values_list("pk", flat=True)[: ACTOR_MATCHES + 1]
    )
    return ids[:ACTOR_MATCHES], len(ids) > ACTOR_MATCHES


# The log's student search reads the entries of at most this many students named so through their
# index; a name more common is searched walking the log back in time (a page is found soon).
STUDENT_MATCHES = 200


def students_named(name: str) -> list[int] | None:
    """The ids of the students whose name holds `name`, of any campus (the log keeps an entry on the
    campus it was made on), or None when more than STUDENT_MATCHES do. One query over the names:
    the filter on a rare name otherwise may walk the whole log back in time (a million rows)."""
    Student = Access._meta.get_field("student").related_model  # the layer above, not imported
    named = Student.objects.filter(full_name__icontains=name).order_by().values_list("pk", flat=True)
    ids = list(named[: STUDENT_MATCHES + 1])
    return ids if len(ids) <= STUDENT_MATCHES else None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=timezone.get_current_timezone())


def access_log(
    user,
    *,
    student: str = "",
    person_id: int | None = None,
    actor_ids: list[int] | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Access]:
    """The log in the user's scope, newest first, filtered by student (a name), person (one id, or
    `actor_ids`: those of `actors_named`) and period (both days included)."""
    entries = access_log_for(user).select_related("actor", "student")
    newest_first = ("-at", "-pk")
    if student:
        students = students_named(student)
        if students is None:  # a common name: walking the log back in time finds a page soon
            entries = entries.filter(student__full_name__icontains=student)
        else:  # a rare name: the students first, then their entries (access_student_at)
            entries = entries.filter(student_id__in=students)
            if len(students) > 1:  # then sorted, as the entries of several people below
                newest_first = ((F("at") + timedelta(0)).desc(), "-pk")
    if person_id:
        entries = entries.filter(actor_id=person_id)
    if actor_ids is not None:
        entries = entries.filter(actor_id__in=actor_ids)  # access_actor_at
        if len(actor_ids) > 1:
            # Their entries read through the actor index, then sorted: walking the whole log back in
            # time (access_at) for a few people who rarely look reads a million rows at company size.
            newest_first = ((F("at") + timedelta(0)).desc(), "-pk")
    if since:
        entries = entries.filter(at__gte=_start_of(since))
    if until:
        entries = entries.filter(at__lt=_start_of(until + timedelta(days=1)))
    return entries.order_by(*newest_first)
