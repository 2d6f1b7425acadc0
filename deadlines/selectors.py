"""Reads of the clock, always from the asking user's scope; each runs a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import scope
from accounts.models import User
from timeline import audience

from .models import ACTIVE, Deadline, Notification, Status

WEEK = timedelta(days=7)


def deadlines_for(user) -> QuerySet[Deadline]:
    """Deadlines the user may see: their own, their team's, their campus's, by role."""
    return Deadline.objects.filter(scope.caseload_q(user, manager="owner"))


def notifications_for(user, *, now: datetime | None = None) -> QuerySet[Notification]:
    """The user's inbox: their own notices whose delivery time has come, about records they may still
    open (a student who moved to another manager leaves the former one's inbox)."""
    return Notification.objects.filter(
        audience.readable_q(user, prefix="deadline__"),
        recipient=user,
        deliver_after__lte=now or timezone.now(),
    )


def _local_midnight(now: datetime, days: int = 0) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=days)


@dataclass
class Group:
    """The rows of one student (or, for deadlines about no student, of the owner)."""

    key: object
    label: str
    url: str | None
    rows: list[Deadline] = field(default_factory=list)


@dataclass
class Bucket:
    key: str
    title: str
    groups: list[Group] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(g.rows) for g in self.groups)


def bucket_of(deadline: Deadline, now: datetime) -> str:
    if deadline.due_at <= now:
        return "overdue"
    if deadline.due_at < _local_midnight(now, 1):
        return "today"
    return "week"


BUCKET_TITLES = {"overdue": _("Overdue"), "today": _("Due today"), "week": _("Due in the next 7 days")}


def _active_until(queryset: QuerySet[Deadline], now: datetime) -> QuerySet[Deadline]:
    """Active deadlines due within a week, late ones first: what a day's work is made of."""
    return (
        queryset.filter(status__in=ACTIVE, due_at__lt=_local_midnight(now, 1) + WEEK)
        .select_related("student", "owner")
        .order_by("due_at", "pk")
    )


def my_day(user: User, *, now: datetime | None = None) -> list[Bucket]:
    """A person's own overdue, due-today and due-this-week deadlines, grouped by student. One query."""
    now = now or timezone.now()
    buckets = {key: Bucket(key, title) for key, title in BUCKET_TITLES.items()}
    groups: dict[tuple[str, object], Group] = {}
    for deadline in _active_until(deadlines_for(user).filter(owner=user), now):
        bucket = bucket_of(deadline, now)
        student = deadline.student
        key = (bucket, student.pk if student else None)
        if key not in groups:
            label = student.full_name if student else str(_("Not about one student"))
            groups[key] = Group(key, label, student.get_absolute_url() if student else None)
            buckets[bucket].groups.append(groups[key])
        groups[key].rows.append(deadline)
    return list(buckets.values())


@dataclass
class ManagerDay:
    manager: User
    rows: list[Deadline] = field(default_factory=list)
    counts: dict = field(default_factory=lambda: {"overdue": 0, "today": 0, "week": 0})
    due_this_month: int = 0
    met_on_time: int = 0

    @property
    def on_time_rate(self) -> int | None:
        """Percent of this month's deadlines, due by now, that were met on time (waived ones aside)."""
        return round(100 * self.met_on_time / self.due_this_month) if self.due_this_month else None


def team_day(supervisor: User, *, now: datetime | None = None) -> list[ManagerDay]:
    """The supervisor's teams: each learning manager's open deadlines and on-time rate this month.
    Three queries whatever the team's size."""
    now = now or timezone.now()
    members = list(
        scope.people_for(supervisor).filter(team__supervisor=supervisor).order_by("full_name", "username")
    )
    days = {m.pk: ManagerDay(m) for m in members}
    team = deadlines_for(supervisor).filter(owner__in=list(days))
    for deadline in _active_until(team, now):
        day = days[deadline.owner_id]
        day.rows.append(deadline)
        day.counts[bucket_of(deadline, now)] += 1
    stats = _due_this_month(team, now).values("owner").annotate(**ON_TIME)
    for row in stats:
        days[row["owner"]].due_this_month, days[row["owner"]].met_on_time = row["total"], row["on_time"]
    return list(days.values())


# Of the deadlines due this month: how many in all, how many met on time.
ON_TIME = {"total": Count("pk"), "on_time": Count("pk", filter=Q(status=Status.MET))}


def _due_this_month(queryset: QuerySet[Deadline], now: datetime) -> QuerySet[Deadline]:
    """This month's deadlines due by now, waived ones aside: what an on-time rate counts."""
    month_start = _local_midnight(now).replace(day=1)
    return queryset.filter(due_at__gte=month_start, due_at__lte=now).exclude(status=Status.WAIVED)


@dataclass
class OnTime:
    due: int
    met_on_time: int

    @property
    def rate(self) -> int | None:
        return round(100 * self.met_on_time / self.due) if self.due else None


def campus_on_time(user: User, *, now: datetime | None = None) -> OnTime:
    """The on-time rate this month of every deadline in the user's scope (a director's: the
    campus's), counted as in the team's day. One query."""
    now = now or timezone.now()
    stats = _due_this_month(deadlines_for(user), now).aggregate(**ON_TIME)
    return OnTime(stats["total"], stats["on_time"])


def escalated_to_director(user: User) -> QuerySet[Deadline]:
    """Active deadlines the sweep has escalated to the campus director (level 2), in the user's scope."""
    return deadlines_for(user).filter(status__in=ACTIVE, escalation_level__gte=2)


def day_counts(user: User, *, now: datetime | None = None) -> dict:
    """For the navigation: how many of the user's own deadlines are late and due today, and unread
    notices. Two queries."""
    now = now or timezone.now()
    counts = Deadline.objects.filter(
        owner=user, status__in=ACTIVE, due_at__lt=_local_midnight(now, 1)
    ).aggregate(
        overdue=Count("pk", filter=Q(due_at__lte=now)),
        today=Count("pk", filter=Q(due_at__gt=now)),
    )
    counts["unread"] = notifications_for(user, now=now).filter(read_at=None).count()
    return counts
