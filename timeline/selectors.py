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
    if student:
        entries = entries.filter(student__full_name__icontains=student)
    if person_id:
        entries = entries.filter(actor_id=person_id)
    newest_first = ("-at", "-pk")
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
