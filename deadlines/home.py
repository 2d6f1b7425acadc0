"""The clock's parts of a person's home (registered in accounts.home): My day, the team's day, the
missing working-day schedule; and the navigation's counts."""

from django.utils import timezone

from accounts import home
from accounts.models import Role

from . import calendar, selectors

# Roles that own deadlines see their day first; a supervisor also sees the team's.
DEADLINE_OWNERS = (Role.LEARNING_MANAGER, Role.SUPERVISOR, Role.DIRECTOR)
CALENDAR_KEEPERS = (Role.DIRECTOR, Role.ADMIN)


def my_day(user, now) -> dict:
    day = selectors.my_day(user, now=now)
    return {"my_day": day, "my_day_has_items": any(bucket.count for bucket in day)}


def team_day(user, now) -> dict:
    return {"team_day": selectors.team_day(user, now=now)}


def missing_schedule(user, now) -> dict:
    return {"missing_schedule_year": calendar.missing_schedule_year(timezone.localdate(now))}


def nav_counts(user) -> dict:
    return selectors.day_counts(user)


PARTS = (
    home.Part("my_day", 10, frozenset(DEADLINE_OWNERS), my_day),
    home.Part("team_day", 30, frozenset({Role.SUPERVISOR}), team_day),
    home.Part("calendar", 90, frozenset(CALENDAR_KEEPERS), missing_schedule),
)
