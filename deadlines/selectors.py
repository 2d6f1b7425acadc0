"""Reads of the clock, always from the asking user's scope; each runs a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import home, scope
from accounts.models import User
from timeline import audience

from .models import ACTIVE, Deadline, Notification, Status
from .rules import RULES

WEEK = timedelta(days=7)


def deadlines_for(user) -> QuerySet[Deadline]:
    """Deadlines the user may see: their own, their team's, their campus's, by role."""
    return Deadline.objects.filter(scope.caseload_q(user, manager="owner"))


def notifications_for(user, *, now: datetime | None = None) -> QuerySet[Notification]:
    """The user's inbox: their own notices whose delivery time has come, about records they may still
    open (a student who moved to another manager leaves the former one's inbox)."""

    def readable():
        return Notification.objects.filter(readable_notices_q(user), recipient=user)

    delivered = Q(deliver_after__lte=now or timezone.now())
    return scope.built_once(user, "notifications_for", readable).filter(delivered)


def readable_notices_q(user) -> Q:
    """Notices about what the user may still open: a deadline's by the deadline, another record's by
    that record (its subject, student and campus are on the notice)."""
    of_deadline = Q(deadline__isnull=False) & audience.readable_q(user, prefix="deadline__")
    return of_deadline | Q(deadline=None) & audience.readable_q(user)


# The inbox shows this many notices at a time; "older" loads the next as many.
INBOX_PAGE = 30


@dataclass
class InboxPage:
    notices: list[Notification]
    # The last notice shown when older ones follow (?before= it loads them), else None.
    next_before: int | None


def inbox_page(user, *, before: int | None = None, now: datetime | None = None) -> InboxPage:
    """The user's newest INBOX_PAGE notices, or with `before` (a notice's id) the INBOX_PAGE that come
    after it, newest first (notification_inbox). One query, and no count: an inbox grows for years,
    and counting it would ask whether the reader may still open the record of every notice in it."""
    notices = notifications_for(user, now=now).select_related(
        "deadline__student", "deadline__owner", "student", "campus"
    )
    if before is not None:  # after that notice in the order shown: (deliver_after, pk) descending
        at = Subquery(Notification.objects.filter(pk=before, recipient=user).values("deliver_after")[:1])
        notices = notices.filter(Q(deliver_after__lt=at) | Q(deliver_after=at, pk__lt=before))
    rows = list(notices.order_by("-deliver_after", "-pk")[: INBOX_PAGE + 1])
    more = len(rows) > INBOX_PAGE
    rows = rows[:INBOX_PAGE]
    return InboxPage(rows, rows[-1].pk if more else None)


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
    total: int = 0  # all of the bucket's deadlines; at most BUCKET_LIMIT of them are in `groups`
    list_url: str = ""  # the bucket's full list, paginated

    @property
    def count(self) -> int:
        return self.total

    @property
    def shown(self) -> int:
        return sum(len(g.rows) for g in self.groups)

    @property
    def more(self) -> bool:
        return self.total > self.shown


# My day shows at most this many rows of a bucket, late first; its heading counts them all and a
# link leads to the bucket's full list (deadline_list, LIST_PAGE rows a page).
BUCKET_LIMIT = 50
# The team's day shows at most this many late rows of each manager, the longest late first.
TEAM_LATE_ROWS = 3
LIST_PAGE = 50


def bucket_of(deadline: Deadline, now: datetime) -> str:
    if deadline.due_at <= now:
        return "overdue"
    if deadline.due_at < _local_midnight(now, 1):
        return "today"
    return "week"


def _bucket_expression(now: datetime) -> Case:
    """bucket_of in SQL."""
    return Case(
        When(due_at__lte=now, then=Value("overdue")),
        When(due_at__lt=_local_midnight(now, 1), then=Value("today")),
        default=Value("week"),
        output_field=CharField(),
    )


def _bucket_q(bucket: str, now: datetime) -> Q:
    """The due times of a bucket of My day (any active deadline for no bucket)."""
    midnight = _local_midnight(now, 1)
    return {
        "overdue": Q(due_at__lte=now),
        "today": Q(due_at__gt=now, due_at__lt=midnight),
        "week": Q(due_at__gte=midnight, due_at__lt=midnight + WEEK),
    }.get(bucket, Q())


BUCKET_TITLES = {"overdue": _("Overdue"), "today": _("Due today"), "week": _("Due in the next 7 days")}


class RowLinks:
    """The links of deadline rows, as Deadline.action_url and Student.get_absolute_url answer them, each
    URL pattern reversed once per page rather than once per row."""

    STAND_IN = 987654321987  # an id no row has, replaced in the reversed pattern

    def __init__(self):
        self._patterns: dict[str, str] = {}

    def _url(self, name: str, pk: int | None = None) -> str:
        if name not in self._patterns:
            self._patterns[name] = reverse(name) if pk is None else reverse(name, args=[self.STAND_IN])
        pattern = self._patterns[name]
        return pattern if pk is None else pattern.replace(str(self.STAND_IN), str(pk))

    def student(self, student_id: int | None) -> str:
        return self._url("students:detail", student_id) if student_id else ""

    def action(self, deadline: Deadline) -> str:
        rule = RULES[deadline.rule]
        if rule.subject_url_name:
            return self._url(rule.subject_url_name, deadline.subject_id)
        if deadline.student_id:
            page = self.student(deadline.student_id)
            if rule.entry:
                return f"{page}?open={rule.entry}#{rule.entry}"
            return f"{page}#deadline-{deadline.pk}"
        return self._url(rule.url_name) if rule.url_name else ""

    def mark(self, deadline: Deadline) -> Deadline:
        """Sets the row's `act_url` and `student_url` for the page's loop."""
        deadline.act_url = self.action(deadline)
        deadline.student_url = self.student(deadline.student_id)
        return deadline


def list_url(*, owner: User | None = None, bucket: str = "") -> str:
    """The paginated list of a person's active deadlines (deadline_list), one bucket of them or all."""
    query = "&".join(
        part for part in (f"owner={owner.pk}" if owner else "", f"bucket={bucket}" if bucket else "") if part
    )
    return reverse("deadlines:list") + (f"?{query}" if query else "")


# What My day reads of a deadline (the template deadlines/_my_day.html and RowLinks.mark).
MY_DAY_FIELDS = ("rule", "subject_id", "student", "due_at", "status", "owner", "student__full_name")


def _active_until(queryset: QuerySet[Deadline], now: datetime) -> QuerySet[Deadline]:
    """Active deadlines due within a week, late ones first: what a day's work is made of; with what a
    row of My day shows and links to (RowLinks), not the whole file of each student."""
    return (
        queryset.filter(status__in=ACTIVE, due_at__lt=_local_midnight(now, 1) + WEEK)
        .select_related("student")
        .only(*MY_DAY_FIELDS)
        .order_by("due_at", "pk")
    )


def my_day(user: User, *, now: datetime | None = None) -> list[Bucket]:
    """A person's own overdue, due-today and due-this-week deadlines, grouped by student: at most
    BUCKET_LIMIT rows of each bucket, late first, and each bucket's full count. One query."""
    now = now or timezone.now()
    links = RowLinks()
    buckets = {key: Bucket(key, title, list_url=list_url(bucket=key)) for key, title in BUCKET_TITLES.items()}
    bucket = _bucket_expression(now)
    rows = (
        _active_until(deadlines_for(user).filter(owner=user), now)
        .annotate(
            bucket=bucket,
            place=Window(RowNumber(), partition_by=[bucket], order_by=[F("due_at").asc(), F("pk").asc()]),
            bucket_total=Window(Count("pk"), partition_by=[bucket]),
        )
        .filter(place__lte=BUCKET_LIMIT)
        .order_by("due_at", "pk")
    )
    groups: dict[tuple[str, object], Group] = {}
    for deadline in rows:
        buckets[deadline.bucket].total = deadline.bucket_total
        student = deadline.student
        key = (deadline.bucket, student.pk if student else None)
        if key not in groups:
            label = student.full_name if student else str(_("Not about one student"))
            groups[key] = Group(key, label, links.student(student.pk) if student else None)
            buckets[deadline.bucket].groups.append(groups[key])
        groups[key].rows.append(links.mark(deadline))
    return list(buckets.values())


@dataclass
class ManagerDay:
    manager: User
    rows: list[Deadline] = field(default_factory=list)  # the first TEAM_LATE_ROWS late ones
    counts: dict = field(default_factory=lambda: {"overdue": 0, "today": 0, "week": 0})
    due_this_month: int = 0
    met_on_time: int = 0
    list_url: str = ""  # the manager's active deadlines, late first, paginated
    late_url: str = ""  # the manager's late deadlines

    @property
    def on_time_rate(self) -> int | None:
        """Percent of this month's deadlines, due by now, that were met on time (waived ones aside)."""
        return round(100 * self.met_on_time / self.due_this_month) if self.due_this_month else None

    @property
    def more_late(self) -> int:
        return self.counts["overdue"] - len(self.rows)


# What an on-time rate counts: every status but waived (Status.WAIVED), named for the indexes.
COUNTED_ON_TIME = tuple(status for status in Status if status != Status.WAIVED)


def team_day(supervisor: User, *, now: datetime | None = None) -> list[ManagerDay]:
    """The supervisor's teams: each learning manager's counts of late, due-today and due-this-week
    deadlines, on-time rate this month and first TEAM_LATE_ROWS late deadlines, with links to the
    full lists. Three queries whatever the team's size."""
    now = now or timezone.now()
    members = list(
        scope.people_for(supervisor).filter(team__supervisor=supervisor).order_by("full_name", "username")
    )
    days = {
        m.pk: ManagerDay(m, list_url=list_url(owner=m), late_url=list_url(owner=m, bucket="overdue"))
        for m in members
    }
    if not days:
        return []
    team = deadlines_for(supervisor).filter(owner__in=list(days))
    midnight, month_start = _local_midnight(now, 1), _local_midnight(now).replace(day=1)
    active = Q(status__in=ACTIVE, due_at__lt=midnight + WEEK)
    # The statuses named, not "not waived": each side of the OR is then an index range of the team's
    # (deadline_owner_active, deadline_owner_status_due), not a read of every deadline they ever had.
    this_month = Q(due_at__gte=month_start, due_at__lte=now, status__in=COUNTED_ON_TIME)
    figures = (
        team.filter(active | this_month)
        .values("owner")
        .annotate(
            **{key: Count("pk", filter=active & _bucket_q(key, now)) for key in BUCKET_TITLES},
            total=Count("pk", filter=this_month),
            on_time=Count("pk", filter=this_month & Q(status=Status.MET)),
        )
        .order_by()
    )
    for row in figures:
        day = days[row["owner"]]
        day.counts = {key: row[key] for key in BUCKET_TITLES}
        day.due_this_month, day.met_on_time = row["total"], row["on_time"]
    links = RowLinks()
    # The first late rows of each manager chosen among the deadlines alone, and only those joined to
    # their students: a window over the join read every late row's student (a thousand at 100
    # campuses) to keep TEAM_LATE_ROWS of each.
    first_late = (
        team.filter(status__in=ACTIVE, due_at__lte=now)
        .annotate(
            place=Window(RowNumber(), partition_by=[F("owner")], order_by=[F("due_at").asc(), F("pk").asc()])
        )
        .filter(place__lte=TEAM_LATE_ROWS)
        .values("pk")
    )
    late = (
        Deadline.objects.filter(pk__in=first_late).select_related("student").order_by("owner", "due_at", "pk")
    )
    for deadline in late:
        days[deadline.owner_id].rows.append(links.mark(deadline))
    return list(days.values())


def list_owners(user: User) -> QuerySet[User]:
    """Whose deadline list the user may open: their own; a supervisor's team; a campus's people."""
    return User.objects.filter(scope.caseload_q(user, manager="pk"), is_active=True)


def deadline_list(
    user: User, *, owner: User, bucket: str = "", now: datetime | None = None
) -> QuerySet[Deadline]:
    """The owner's active deadlines that the user may see, of one bucket of My day or all of them, late
    first (the index deadline_owner_active serves it); rows for RowLinks.mark."""
    now = now or timezone.now()
    return (
        deadlines_for(user)
        .filter(_bucket_q(bucket, now), owner=owner, status__in=ACTIVE)
        .select_related("student")
        .order_by("due_at", "pk")
    )


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


# The navigation's unread count stops here; the bar shows more as "99+".
UNREAD_COUNTED = 100


def day_count_queries(user: User, *, now: datetime | None = None) -> dict[str, QuerySet]:
    """For the navigation: the user's own late deadlines and those due today, and their unread
    notices, as querysets to count (accounts.home.count_together counts them in one statement)."""
    now = now or timezone.now()
    mine = Deadline.objects.filter(owner=user, status__in=ACTIVE)  # deadline_owner_active
    return {
        "overdue": mine.filter(_bucket_q("overdue", now)),
        "today": mine.filter(_bucket_q("today", now)),
        # Counted to UNREAD_COUNTED at most (the bar shows "99+"): each unread notice is checked
        # against what the reader may still open, and an unread inbox may hold thousands.
        "unread": notifications_for(user, now=now)
        .filter(read_at=None)
        .order_by()
        .values("pk")[:UNREAD_COUNTED],
    }


def day_counts(user: User, *, now: datetime | None = None) -> dict:
    """How many of the user's own deadlines are late and due today, and unread notices. One query."""
    return home.count_together(day_count_queries(user, now=now))
