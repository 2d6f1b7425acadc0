from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from . import scope
from .models import Role, Team, User


def home_facts(user: User) -> dict:
    """What a home page says about the user's place in the company, in a fixed number of queries."""
    facts: dict = {}
    if user.is_company_wide:
        facts["campuses"] = list(
            scope.campuses_for(user).annotate(
                staff_count=Count("staff", filter=Q(staff__is_active=True), distinct=True),
                team_count=Count("teams", distinct=True),
            )
        )
    elif user.role == Role.LEARNING_MANAGER and user.team_id:
        facts["team"] = _teams_with_members(scope.teams_for(user).filter(pk=user.team_id)).first()
    elif user.role == Role.SUPERVISOR:
        facts["led_teams"] = list(_teams_with_members(scope.teams_for(user).filter(supervisor=user)))
    elif user.role == Role.DIRECTOR:
        facts["teams"] = list(_teams_with_members(scope.teams_for(user)))
    return facts


# The People page shows this many campuses a page (a company-wide reader pages through the company):
# a campus has some sixty people, and a page stays near 200 rows.
PEOPLE_CAMPUSES = 3


def people_directory(user: User, *, page: str | None = None) -> dict:
    """The People page: campuses in scope (a page of PEOPLE_CAMPUSES), their teams with members, and
    the other staff by role; the company-wide staff on the first page. A fixed number of queries."""
    campuses = Paginator(scope.campuses_for(user), PEOPLE_CAMPUSES).get_page(page)
    shown = [campus.pk for campus in campuses]
    here = Q(campus_id__in=shown) | Q(campus=None) if campuses.number == 1 else Q(campus_id__in=shown)
    people = list(
        scope.people_for(user).filter(here).select_related("campus", "team").order_by("role", "full_name")
    )
    teams = list(_teams_with_members(scope.teams_for(user).filter(campus_id__in=shown)))
    return {
        "campus_page": campuses,
        "campuses": [
            {
                "campus": campus,
                "teams": [team for team in teams if team.campus_id == campus.pk],
                "staff": [p for p in people if p.campus_id == campus.pk and p.role != Role.LEARNING_MANAGER],
                "unassigned": [
                    p
                    for p in people
                    if p.campus_id == campus.pk and p.role == Role.LEARNING_MANAGER and not p.team_id
                ],
            }
            for campus in campuses
        ],
        "company": [p for p in people if p.campus_id is None],
    }


# The students a learning manager is teaching (Student.FINISHED: the contract ended or refunded aside),
# read through the reverse relation `caseload`: the students app is above this one.
NOT_TAUGHT = ("ended", "refunded")


def _teams_with_members(teams: QuerySet[Team]) -> QuerySet[Team]:
    """The teams with their active members, each with `students`, the number they are teaching, so that
    a consultant or a teacher knows whom to call and how busy they are. One query for the members."""
    taught = Count("caseload", filter=~Q(caseload__status__in=NOT_TAUGHT))
    members = User.objects.filter(is_active=True).annotate(students=taught).order_by("full_name", "username")
    return teams.select_related("campus", "supervisor").prefetch_related(
        Prefetch("members", queryset=members)
    )
