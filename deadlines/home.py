"""The clock's parts of a person's home (registered in accounts.home): My day, the team's day, the
missing working-day schedule, the campus's on-time rate; the queues of what was escalated to the
campus director; and the navigation's counts."""

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

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


def campus_on_time(user, now) -> dict:
    return {"campus_on_time": selectors.campus_on_time(user, now=now)}


def director_escalations(user, now) -> tuple[list[home.Item], int]:
    """Everything escalated to the director, the first by due time; the home shows them by manager.
    Two queries."""
    escalated = selectors.escalated_to_director(user)
    rows = escalated.select_related("student", "owner").order_by("due_at", "pk")[: home.QUEUE_LIMIT]
    return [_escalated_item(deadline) for deadline in rows], escalated.count()


def _escalated_item(deadline) -> home.Item:
    student = deadline.student
    return home.Item(
        label=str(deadline.title),
        about=student.full_name if student else _("Not about one student"),
        url=deadline.action_url,
        due_at=deadline.due_at,
        note=deadline.rule,
        group=deadline.owner.display_name,
    )


def president_escalations(user, now) -> tuple[list[home.Item], int]:
    """One row per campus: how many deadlines the sweep escalated to its director, linking to the
    campus's students (late work first). One query; one row per campus, so all of them."""
    rows = list(
        selectors.escalated_to_director(user)
        .values("campus", "campus__name")
        .annotate(n=Count("pk"), first_due=Min("due_at"))
        .order_by("first_due", "campus__name")
    )
    students = reverse("students:list")
    items = [
        home.Item(
            label=ngettext(
                "%(n)d deadline escalated to the director",
                "%(n)d deadlines escalated to the director",
                row["n"],
            )
            % {"n": row["n"]},
            about=row["campus__name"],
            url=f"{students}?campus={row['campus']}",
            due_at=row["first_due"],  # the oldest of them
        )
        for row in rows
    ]
    return items[: home.QUEUE_LIMIT], len(items)


def nav_counts(user) -> dict:
    return selectors.day_count_queries(user)  # counted with the queues' totals in one statement


PARTS = (
    home.Part("my_day", 10, frozenset(DEADLINE_OWNERS), my_day),
    home.Part("team_day", 30, frozenset({Role.SUPERVISOR}), team_day),
    home.Part("calendar", 90, frozenset(CALENDAR_KEEPERS), missing_schedule),
    home.Part("campus_on_time", 20, frozenset({Role.DIRECTOR}), campus_on_time),
)

QUEUES = (
    home.Queue(
        "escalated_director",
        30,
        frozenset({Role.DIRECTOR}),
        gettext_lazy("Escalated to you"),
        director_escalations,
        count=lambda user, now: selectors.escalated_to_director(user),
    ),
    home.Queue(
        "escalated_campuses",
        30,
        frozenset({Role.PRESIDENT}),
        gettext_lazy("Escalations by campus"),
        president_escalations,
        count=lambda user, now: selectors.escalated_to_director(user).values("campus").distinct(),
    ),
)
