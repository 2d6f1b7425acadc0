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


def people_directory(user: User) -> dict:
    """The People page: campuses in scope, their teams with members, and the other staff by role."""
    people = list(scope.people_for(user).select_related("campus", "team").order_by("role", "full_name"))
    teams = list(_teams_with_members(scope.teams_for(user)))
    campuses = list(scope.campuses_for(user))
    return {
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


def _teams_with_members(teams: QuerySet[Team]) -> QuerySet[Team]:
    members = User.objects.filter(is_active=True).order_by("full_name", "username")
    return teams.select_related("campus", "supervisor").prefetch_related(
        Prefetch("members", queryset=members)
    )
