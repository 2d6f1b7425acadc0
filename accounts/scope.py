"""What may this user see. Every selector of every app starts from here.

The ladder, from PROCESS.md: a learning manager sees their caseload, a supervisor their team's,
the other campus roles their campus, finance, the president and administrators every campus.
A record outside the scope is treated as one that does not exist (404).
"""

from collections import OrderedDict
from collections.abc import Callable
from threading import Lock
from typing import TypeVar

from django.db.models import Q, QuerySet

from .models import Campus, Role, Team, User

T = TypeVar("T")

# A condition no row meets; Django answers it without asking the database.
NOTHING = Q(pk__in=[])


def _is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


# The conditions built, by what decides them: kept for the process (a person's next request, on any
# page, reuses them; building a supervisor's took 10–20 ms of each page), the least recently used
# forgotten past BUILT_KEPT (about 45 KB each: a few per person, ~45 MB for a process's 1,000).
BUILT_KEPT = 1000
_built: OrderedDict[tuple, object] = OrderedDict()
_built_lock = Lock()


def built_once(user, name: str, build: Callable[[], T], *key) -> T:
    """`build()` once per `name`, `key` and what the scope ladder decides by (the user, their role,
    campus, team, whether active): a page asks for the same scope in its lists, its sections and the
    navigation's counts, and a person's requests all day ask for the same again.

    Only for conditions — Q objects and querysets never evaluated, which name the user's rows through
    subqueries (a team's members, a teacher's lessons) so that they stay true as the data changes —
    never for rows. Anything else a condition depends on (the declared readers) calls forget_built()."""
    if not (user and user.is_authenticated):
        return build()
    key = (name, user.pk, user.role, user.campus_id, user.team_id, user.is_active, *key)
    with _built_lock:
        if key in _built:
            _built.move_to_end(key)
            return _built[key]
    built = build()
    with _built_lock:
        _built[key] = built
        while len(_built) > BUILT_KEPT:
            _built.popitem(last=False)
    return built


def forget_built() -> None:
    with _built_lock:
        _built.clear()


def campus_q(user, *, campus: str = "campus") -> Q:
    """Rows that belong to a campus the user works for; `campus` names the row's campus field."""
    if not _is_signed_in(user):
        return NOTHING
    if user.is_company_wide:
        return Q()
    if user.campus_id is None:
        return NOTHING
    return Q(**{campus: user.campus_id})


def caseload_q(user, *, campus: str = "campus", manager: str = "manager") -> Q:
    """Case records (a student and everything about them) the user may see.

    `campus` and `manager` name the row's campus and learning-manager fields, e.g.
    `caseload_q(user, campus="student__campus", manager="student__manager")`.
    """
    on_campus = campus_q(user, campus=campus)
    if not _is_signed_in(user) or user.is_company_wide:
        return on_campus
    if user.role == Role.LEARNING_MANAGER:
        return on_campus & Q(**{manager: user.pk})
    if user.role == Role.SUPERVISOR:
        return on_campus & (Q(**{f"{manager}__in": _team_of(user)}) | Q(**{manager: user.pk}))
    return on_campus


def _team_of(supervisor) -> QuerySet[User]:
    """The learning managers of the teams a supervisor leads, as a subquery: through the indexes of
    the team's supervisor and the user's team (the supervisor themself is asked apart, as an OR
    inside would read every user of the company)."""
    return User.objects.filter(team__supervisor=supervisor).values("pk")


def campuses_for(user) -> QuerySet[Campus]:
    return Campus.objects.filter(campus_q(user, campus="pk"))


def teams_for(user) -> QuerySet[Team]:
    return Team.objects.filter(campus_q(user))


def people_for(user) -> QuerySet[User]:
    """Colleagues the user may look up: everyone on their campus; company roles see all."""
    return User.objects.filter(campus_q(user), is_active=True)
