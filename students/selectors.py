import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property

from django.db import connections
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import scope
from accounts.models import Role
from config.bounds import LESSON_MAX_DURATION
from deadlines.calendar import local_zone
from deadlines.models import ACTIVE, Deadline
from timeline import audience
from timeline.models import Event

from . import privacy
from .models import Contract, Guardian, Lesson, Student


def students_for(user) -> QuerySet[Student]:
    """Students the user may see: the caseload ladder of accounts.scope, narrowed for the roles that
    work with single students — a consultant sees the students they signed, a teacher those they
    teach. Built once per user object (scope.built_once; a copy each time)."""
    return scope.built_once(user, "students_for", lambda: _students_for(user)).all()


def _students_for(user) -> QuerySet[Student]:
    if user.is_authenticated and user.role == Role.FINANCE:
        return Student.objects.none()  # finance works on the refunds that reach it, not on student files
    students = Student.objects.filter(scope.caseload_q(user))
    if user.is_authenticated and user.role == Role.SUPERVISOR:
        # The students waiting for a manager, so the supervisor can assign them.
        return Student.objects.filter(scope.caseload_q(user) | scope.campus_q(user) & Q(manager=None))
    if user.is_authenticated and user.role == Role.CONSULTANT:
        return students.filter(pk__in=Contract.objects.filter(consultant=user).values("student"))
    if user.is_authenticated and user.role == Role.TEACHER:
        return students.filter(pk__in=Lesson.objects.filter(teacher=user).values("student"))
    return students


def files_for(user) -> QuerySet[Student]:
    """Students whose file the user may read: those they may see, but for teachers, who see a student's
    lessons and documents only."""
    if user.is_authenticated and user.role == Role.TEACHER:
        return Student.objects.none()
    return students_for(user)


def per_student(queryset, expression, output_field):
    """A correlated subquery: `expression` over the rows of `queryset` that belong to the student."""
    rows = queryset.filter(student=OuterRef("pk")).order_by().values("student")
    return Subquery(rows.annotate(value=expression).values("value")[:1], output_field=output_field)


HOURS = DecimalField(max_digits=9, decimal_places=1)


def with_hours(students: QuerySet[Student], *, now=None) -> QuerySet[Student]:
    """Adds the next lesson and the open and late deadlines to students, who carry their hours bought,
    used (done lessons) and left themselves (Student.hours_*, kept by the services that change them).

    Each is a correlated subquery in the SELECT list: one query serves any number of students, and
    under a LIMIT PostgreSQL counts them for the rows fetched only, as long as nothing sorts on them.
    """
    now = now or timezone.now()
    active = Deadline.objects.filter(status__in=ACTIVE)
    return students.annotate(
        next_lesson_at=per_student(
            Lesson.objects.filter(status=Lesson.Status.SCHEDULED, starts_at__gte=now), Min("starts_at"), None
        ),
        open_deadlines=Coalesce(per_student(active, Count("pk"), None), 0),
        late_deadlines=Coalesce(per_student(active.filter(due_at__lte=now), Count("pk"), None), 0),
    )


def caseload(
    user,
    *,
    query: str = "",
    status: str = "",
    manager_id: int | None = None,
    unassigned: bool = False,
    hours_left_below: Decimal | None = None,
    campus_id: int | None = None,
    now=None,
) -> "Caseload":
    """The caseload list: search by a student's name or a guardian's phone, filter by status, manager
    (or none yet), campus and hours left; late work first (Caseload)."""
    now = now or timezone.now()
    students = students_for(user)
    truncated = by_name = False
    if query:
        match, by_name = name_q(query), True
        digits = "".join(ch for ch in query if ch.isdigit())
        if len(digits) >= 4:  # phones are stored as digits only (see normalize_phone)
            found, truncated = phone_matches(user, digits)
            # A number, not a name (names hold no digits): the guardians' phones only.
            by_name = not PHONE_LIKE.fullmatch(query)
            match = match | Q(pk__in=found) if by_name else Q(pk__in=found)
        students = students.filter(match)
    late = Deadline.objects.filter(scope.campus_q(user), status__in=ACTIVE, due_at__lte=now)
    if manager_id:
        students = students.filter(manager_id=manager_id)
    if unassigned:
        students = students.filter(manager=None)
    if campus_id:
        students = students.filter(campus_id=campus_id)
        late = late.filter(campus_id=campus_id)
    if status:
        students = students.filter(status_q(status))
    if hours_left_below is not None:
        # A refunded student's hours are refunded, not left to use.
        students = students.filter(hours_left__lt=hours_left_below).exclude(status=Student.Status.REFUNDED)
    if by_name:
        # A name is matched inside the names (no index serves that): the scope's names are read once,
        # for the ids of at most NAME_MATCHES students, and the count, the late deadlines and the
        # page then read those through the primary key (with every condition kept: the same rows).
        found = list(students.order_by().values_list("pk", flat=True)[: NAME_MATCHES + 1])
        if len(found) <= NAME_MATCHES:
            students = students.filter(pk__in=found)
    return Caseload(students=students, late=late, now=now, phone_truncated=truncated)


# A name search finding at most this many students reads their ids first (caseload); more (a common
# surname) is read as the list reads a filter, a page at a time.
NAME_MATCHES = 500


def name_q(query: str) -> Q:
    """The students whose name holds `query`, whatever the case. A query of characters without case
    (a Chinese name, digits) is compared as typed: the same rows as icontains, without upper-casing
    every name of the scope to compare them (a third of the time of reading them)."""
    uncased = all(ch.upper() == ch == ch.lower() == ch.casefold() for ch in query)
    return Q(full_name__contains=query) if uncased else Q(full_name__icontains=query)


# A query of digits and what people type between them: a phone number, matched against phones only.
PHONE_LIKE = re.compile(r"[\d\s+()-]+")
# The phone search names at most this many students: a part of a number matching more is too short.
PHONE_MATCHES = 500


def phone_matches(user, digits: str) -> tuple[list[int], bool]:
    """The ids of the students in the user's scope with a guardian whose phone holds `digits` (at most
    PHONE_MATCHES of them), and whether there were more. Part of a number finds it only for those who
    read numbers in full (through the trigram index guardian_phone_trgm); the others must know the
    whole number (guardian_phone), or the search would spell out a masked one digit by digit. One
    query, run once per page: the list's count and rows then read the ids."""
    ids = list(phone_guardians(user, digits)[: PHONE_MATCHES + 1])
    return ids[:PHONE_MATCHES], len(ids) > PHONE_MATCHES


def phone_guardians(user, digits: str) -> QuerySet:
    """The distinct ids of the students of phone_matches, in order."""
    phones = Q(phone__contains=digits) if privacy.reads_contacts_in_full(user) else Q(phone=digits)
    guardians = Guardian.objects.filter(phones, student__in=students_for(user))
    return guardians.order_by("student").values_list("student", flat=True).distinct()


@dataclass
class Caseload:
    """The caseload list, late work first, as the Paginator pages it (count() and slices).

    The students with an active deadline past due come first, then the others, each by name (the
    indexes student_name, student_campus_name); a row shows how many of its deadlines are late. Not
    most late first: that order counts every late deadline of the scope before the first row can be
    shown (200,000 in a company of 100,000 students: 0.8 s); this one stops at the page's end.

    It starts from the deadlines: the scope's late ones (deadline_campus_active_due), at most
    LATE_ROWS of them. Fewer: their students are all the late students, and the page is cut from them
    and the others, by name. As many: late work is common in the scope, and each student read by name
    is asked whether it has a late deadline (the deadlines' index on the student) until the page is
    full, the late ones and the others apart (the late ones alone while they fill the page:
    late_page). Either way a page costs what its offset costs, not what the scope holds: four
    queries (the late deadlines, the count, the page's order, its rows), five on the page where the
    late ones end."""

    students: QuerySet[Student]  # the user's, filtered: not ordered, not annotated
    late: QuerySet[Deadline]  # the active deadlines past due of the scope
    now: datetime
    phone_truncated: bool = False  # the phone search found more than PHONE_MATCHES students

    def count(self) -> int:
        return self.students.count()

    def count_upto(self, n: int) -> int:
        """The students, counted no further than `n` (config.paging.CountedAhead)."""
        return self.students.order_by()[:n].count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Student]:
        if not isinstance(window, slice):
            raise TypeError("Caseload is read a page at a time: [start:stop]")
        start, stop = window.start or 0, window.stop
        if stop is None or window.step is not None:
            raise TypeError("Caseload is read a page at a time: [start:stop]")
        if stop <= start:  # an empty list's page
            return []
        ids = self.late_page(start, stop)
        if ids is None:
            ids = [pk for pk, _late, _name in self.order(start, stop)]
        rows = with_hours(
            Student.objects.filter(pk__in=ids).select_related("manager", "campus"), now=self.now
        )
        by_id = {student.pk: student for student in rows}
        return [by_id[pk] for pk in ids if pk in by_id]

    def in_order(self) -> QuerySet[Student]:
        """Every student of the list in the pages' order, with what a row shows: one query, read
        whole (an export), so sorting the filtered scope costs no more than reading it. A student is
        late when one of the scope's late deadlines is theirs, as `order` asks it."""
        has_late = Exists(self.late.filter(student=OuterRef("pk")))
        rows = with_hours(self.students.select_related("manager"), now=self.now).annotate(late=has_late)
        return rows.order_by(F("late").desc(), "full_name", "pk")

    @cached_property
    def late_students(self) -> set[int] | None:
        """The ids of the students with late work, when the scope has fewer than LATE_ROWS late
        deadlines; else None. One query, of LATE_ROWS index rows at most."""
        rows = list(self.late_rows()[:LATE_ROWS])
        return set(rows) if len(rows) < LATE_ROWS else None

    def late_rows(self) -> QuerySet:
        """The students of the scope's late deadlines, one per deadline, in the order of the index on
        the student and due time of active deadlines (read from it alone, no further than needed)."""
        late = self.late.filter(student__in=self.students).order_by("student_id", "due_at")
        return late.values_list("student", flat=True)

    def late_page(self, start: int, stop: int) -> list[int] | None:
        """The ids of the rows start to stop when late work is common in the scope and the late
        students alone reach the page's end; else None (order() then cuts the page from both parts).
        One query, walking the name index and asking each student for a late deadline. PostgreSQL
        misjudges the on-time part at company size (it expects a row or two, so it sorts the whole
        filtered scope: 105 ms of the president's active students), so it is asked only when needed."""
        if self.late_students is not None or not self._limited:
            return None
        has_late = Exists(self.late.filter(student=OuterRef("pk")))
        late = self.students.filter(has_late).order_by("full_name", "pk").values_list("pk", flat=True)
        ids = list(late[:stop])
        return ids[start:stop] if len(ids) >= stop else None

    @property
    def _limited(self) -> bool:
        """Whether each part of the page's union may be limited: SQLite (make run's zero setup)
        cannot, and needs not."""
        return connections[self.students.db].features.supports_slicing_ordering_in_compound

    def order(self, start: int, stop: int) -> QuerySet:
        """(student id, late or not, name) of the rows start to stop, in the list's order."""
        known = self.late_students
        if known is not None:
            late, on_time = self.students.filter(pk__in=known), self.students.exclude(pk__in=known)
        else:  # asked of each student in turn, as the name index is walked (a semi- and an anti-join)
            # EXISTS, not a scalar subquery's IS NULL: PostgreSQL guesses that 0.5 % of the rows pass
            # "(subquery) IS NULL", and then sorts the whole filtered scope by name (90 ms for 20,000
            # students under ?hours_below=10) instead of reading the name index up to the page's end.
            has_late = Exists(self.late.filter(student=OuterRef("pk")))
            late, on_time = self.students.filter(has_late), self.students.filter(~has_late)

        limited = self._limited  # each part to the page's end

        def by_name(students, late: int):
            rows = students.annotate(late=Value(late), sort_name=F("full_name"))
            rows = rows.values_list("pk", "late", "sort_name")
            return rows.order_by("full_name", "pk")[:stop] if limited else rows.order_by()

        return (
            by_name(late, 1)
            .union(by_name(on_time, 0), all=True)
            .order_by("-late", "sort_name", "pk")[start:stop]
        )


# The late deadlines of a scope read to find its late students (Caseload.late_students); more, and
# the list asks each student instead.
LATE_ROWS = 2000


# Taught students whose contracts' hours are all used (their own columns, Student.hours_*): their
# contract has ended, even in the moment before followups.renewal.hours_check (or the morning's run)
# records it.
HOURS_GONE = Q(
    status__in=(Student.Status.ACTIVE, Student.Status.PAUSED), hours_bought__gt=0, hours_left__lte=0
)


def status_q(status: str) -> Q:
    """The students the list shows under `status`: one with no hours left is never active or paused,
    but ended."""
    if status in (Student.Status.ACTIVE, Student.Status.PAUSED):
        return Q(status=status) & ~HOURS_GONE
    if status == Student.Status.ENDED:
        return Q(status=status) | HOURS_GONE
    return Q(status=status)


def status_shown(student: Student) -> None:
    """The status a page shows for a student: ended once the hours are gone.
    Changes the instance in memory only (it is never saved from a page that shows it)."""
    gone = student.hours_bought > 0 and student.hours_left <= 0
    if gone and student.status in (Student.Status.ACTIVE, Student.Status.PAUSED):
        student.status = Student.Status.ENDED


# The students a manager works with: not those whose contract ended or who were refunded.
IN_CASELOAD = (Student.Status.ONBOARDING, Student.Status.ACTIVE, Student.Status.PAUSED)


def with_load(managers, *, now=None):
    """Adds each learning manager's caseload (students in IN_CASELOAD) and late deadlines, for the
    assign form. Correlated subqueries: one query for all the managers."""
    now = now or timezone.now()

    def per_manager(queryset, field):
        rows = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field)
        return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)

    late = Deadline.objects.filter(status__in=ACTIVE, due_at__lte=now)
    return managers.annotate(
        caseload_count=per_manager(Student.objects.filter(status__in=IN_CASELOAD), "manager"),
        late_count=per_manager(late, "owner"),
    )


# The student page's timeline filters, in the order shown, and the kinds of event each shows.
TIMELINE_LABELS = (
    ("", _("All")),
    ("callbacks", _("Callbacks and talks")),
    ("scores", _("Scores")),
    ("growth", _("Growth")),
    ("concerns", _("Concerns and absences")),
    ("documents", _("Documents")),
    ("deadlines", _("Deadlines")),
    ("renewal", _("Contracts and renewal")),
)
TIMELINE_FILTERS = {
    "callbacks": ("callback.", "lesson.talk", "lesson.change"),
    "scores": ("score.",),
    "growth": ("growth.",),
    "concerns": ("concern.", "absence.", "lesson.absent"),
    "documents": ("document.",),
    "deadlines": ("deadline.",),
    "renewal": ("renewal.", "contract.", "student."),
}
# ... and the clocks that go with each: their deadlines' events show under the same filter.
TIMELINE_RULES = {
    "callbacks": ("F1", "L3", "L4", "L10"),
    "scores": ("L5",),
    "growth": ("L6",),
    "concerns": ("L7", "L9"),
    "documents": ("L1", "F2", "F3", "L2", "F4"),
    "renewal": ("R1",),
}


# The student page shows this many events at a time; "older" loads the next as many.
TIMELINE_PAGE = 50


@dataclass
class TimelinePage:
    events: list[Event]
    # The last event shown when older ones follow (?before= it loads them), else None.
    next_before: int | None


def student_readable(student: Student, user) -> Q:
    """The rows about the student (events, deadlines) that the user may read (timeline.audience),
    asked once for the page's lists. One query."""
    rows = [student.timeline.all(), student.deadlines.all()]
    return audience.readable_about_student_q(user, student.pk, rows)


def student_timeline(
    student: Student,
    user,
    *,
    show: str = "",
    before: int | None = None,
    limit: int = TIMELINE_PAGE,
    readable: Q | None = None,
) -> TimelinePage:
    """The newest `limit` events of a student that the user may read, all or one filter's, or with
    `before` (an event's id) the `limit` that come after it, newest first: a case's or a refund's
    only for those who may open the case or the refund (`readable`, student_readable's). One query,
    and one for `readable` when not given."""
    readable = student_readable(student, user) if readable is None else readable
    events = student.timeline.filter(readable).select_related("actor")
    if show in TIMELINE_FILTERS:
        match = Q()
        for prefix in TIMELINE_FILTERS[show]:
            match |= Q(kind__startswith=prefix)
        if show in TIMELINE_RULES:
            match |= Q(kind__startswith="deadline.", data__rule__in=TIMELINE_RULES[show])
        events = events.filter(match)
    if before is not None:  # after that event in the order shown: (at, pk) descending
        at = Subquery(student.timeline.filter(pk=before).values("at")[:1])
        events = events.filter(Q(at__lt=at) | Q(at=at, pk__lt=before))
    rows = list(events.order_by("-at", "-pk")[: limit + 1])
    more = len(rows) > limit
    return TimelinePage(rows[:limit], rows[limit - 1].pk if more else None)


# The student page shows every open clock (they are few) and, of the closed ones, their count and the
# latest this many; "earlier" loads the next as many.
CLOSED_CLOCKS_PAGE = 20


@dataclass
class StudentClocks:
    # Every active clock, late ones first, then by due time (what to do next, top down).
    active: list[Deadline]
    # The latest closed clocks (by due time, newest first), one page.
    closed: list[Deadline]
    # How many closed clocks the reader may see in all (None when only the closed rows were asked for).
    closed_count: int | None
    # The last closed clock shown when earlier ones follow (?closed_before= it loads them), else None.
    closed_next: int | None


def student_deadlines(
    student,
    user,
    *,
    now: datetime | None = None,
    closed_before: int | None = None,
    only_closed: bool = False,
    readable: Q | None = None,
) -> StudentClocks:
    """The deadlines about a student in the user's caseload, whoever owns it (a rescue is the
    supervisor's, but the student's manager sees it on the student's page): every active one, and
    the latest CLOSED_CLOCKS_PAGE closed ones with their count, or with `closed_before` (a deadline's
    id) the page of closed ones after it. Two queries (one with `only_closed`), whatever the
    student's history: the closed ones are counted beside their first page (a window); and one for
    `readable` (student_readable's) when not given."""
    now = now or timezone.now()
    readable = student_readable(student, user) if readable is None else readable
    # What the page draws of a clock: its rule (and title), state, due time and subject (a lesson's talk).
    rows = Deadline.objects.filter(readable, student=student, student__in=students_for(user)).only(
        "rule", "status", "due_at", "subject_id", "student"
    )
    active: list[Deadline] = []
    if not only_closed:
        active = sorted(rows.filter(status__in=ACTIVE), key=lambda d: (d.due_at > now, d.due_at, d.pk))
    closed = rows.exclude(status__in=ACTIVE)
    first_page_counted = closed_before is None and not only_closed
    count = closed.count() if closed_before is not None and not only_closed else None
    if first_page_counted:  # the window counts every closed row, before the page's cut
        closed = closed.annotate(closed_count=Window(Count("pk")))
    if closed_before is not None:  # after that clock in the order shown: (due_at, pk) descending
        due = Subquery(student.deadlines.filter(pk=closed_before).values("due_at")[:1])
        closed = closed.filter(Q(due_at__lt=due) | Q(due_at=due, pk__lt=closed_before))
    page = list(closed.order_by("-due_at", "-pk")[: CLOSED_CLOCKS_PAGE + 1])
    if first_page_counted:
        count = page[0].closed_count if page else 0
    more = len(page) > CLOSED_CLOCKS_PAGE
    page = page[:CLOSED_CLOCKS_PAGE]
    return StudentClocks(active, page, count, page[-1].pk if more else None)


# The campus timetable (students:timetable): who may read it, and its bounds.
TIMETABLE_ROLES = (Role.SCHEDULER, Role.DIRECTOR, Role.SUPERVISOR, Role.LEARNING_MANAGER)
# Those who read the whole campus see one day at a time; supervisors and managers their week.
TIMETABLE_WHOLE_CAMPUS = (Role.SCHEDULER, Role.DIRECTOR)
TIMETABLE_LIMIT = 200  # lessons on one page: a page of a day, or a supervisor's or manager's week
TIMETABLE_ROOM_WEEKS = 8  # the campus's classrooms: those its lessons used in the last 8 weeks
TIMETABLE_ROOM_LIMIT = 60
_BOOKED = (Lesson.Status.SCHEDULED, Lesson.Status.DONE)


@dataclass
class TimetableSlot:
    starts: datetime
    ends: datetime
    lessons: list
    free: list


@dataclass
class TimetableDay:
    day: date
    slots: list
    count: int = 0  # the reader's booked lessons of the day, shown or not
    shown: int = 0  # of them, those on this page

    @property
    def hidden(self) -> int:
        return self.count - self.shown


@dataclass
class Timetable:
    days: list  # the 7 days of the week, Monday first, each with its count (the day tabs)
    day: date | None  # the day shown, or None for the week
    rooms: list
    lessons: int  # shown on this page
    total: int  # of the day (or the week) in all
    first: int  # the place of the first shown lesson in the day (or week), from 1
    page: int
    pages: int
    teachers: int

    @property
    def week_total(self) -> int:
        return sum(d.count for d in self.days)

    @property
    def last(self) -> int:
        return self.first + self.lessons - 1

    @property
    def more(self) -> int:
        return self.total - self.first + 1 - self.lessons if self.lessons else 0


def timetable_week(user, monday: date, *, day: date | None = None, page: int = 1) -> Timetable:
    """One week (Monday to Sunday, local time) of the user's campus, or one `day` of it: the booked
    lessons (scheduled or done) by day and time slot, at most TIMETABLE_LIMIT of them (`page` of the
    day in time order; a week shows its first TIMETABLE_LIMIT), and in each slot the campus's
    classrooms that are free all through it; with every day of the week its count of lessons.

    The classrooms are the distinct classroom names of the campus's lessons in the 8 weeks before the
    week and the week itself (a room no lesson used for two months is not offered as free). A
    scheduler or director sees every lesson of the campus; a supervisor or manager those of the
    students they may see, with the rooms free counted from the whole campus. Five queries, whatever
    the size of the campus."""
    zone = local_zone()
    week_start = datetime.combine(monday, time(0), tzinfo=zone)
    week_end = week_start + timedelta(days=7)
    if day is None:
        start, end = week_start, week_end
    else:
        start = datetime.combine(day, time(0), tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    campus = Lesson.objects.filter(student__campus_id=user.campus_id)
    # Eight weeks of lessons: from the campus's students by id, PostgreSQL reads them through the
    # (student, starts_at) index, where the join scans every student of the company (twice as slow).
    ids = list(Student.objects.filter(campus_id=user.campus_id).order_by().values_list("pk", flat=True))
    used_since = week_start - timedelta(weeks=TIMETABLE_ROOM_WEEKS)
    rooms = sorted(
        Lesson.objects.filter(student_id__in=ids, starts_at__gte=used_since, starts_at__lt=week_end)
        .exclude(classroom="")
        .order_by("classroom")
        .values_list("classroom", flat=True)
        .distinct()[:TIMETABLE_ROOM_LIMIT]
    )
    booked = campus.filter(status__in=_BOOKED)
    mine = booked.filter(student__in=students_for(user))
    counts = dict(  # at most 7 rows: the reader's lessons of each day of the week
        mine.filter(starts_at__gte=week_start, starts_at__lt=week_end)
        .annotate(on=TruncDate("starts_at", tzinfo=zone))
        .order_by()
        .values("on")
        .annotate(n=Count("pk"))
        .values_list("on", "n")
    )
    week = [monday + timedelta(days=n) for n in range(7)]
    days = [TimetableDay(on, [], counts.get(on, 0)) for on in week]
    total = sum(counts.values()) if day is None else counts.get(day, 0)
    pages = max(1, -(-total // TIMETABLE_LIMIT)) if day is not None else 1
    page = min(max(page, 1), pages)
    offset = (page - 1) * TIMETABLE_LIMIT
    lessons = list(
        mine.filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("student", "teacher")
        .only(  # what a row shows: not the whole file of each student and teacher
            *("starts_at", "ends_at", "classroom", "subject", "status", "student", "teacher"),
            *("student__full_name", "teacher__full_name", "teacher__first_name", "teacher__last_name"),
            "teacher__username",
        )
        .order_by("starts_at", "ends_at", "classroom", "pk")[offset : offset + TIMETABLE_LIMIT]
    )
    # The rooms held at some time of the shown lessons, by interval: one row per distinct (start, end,
    # room) of the whole campus, however many students share a room. A lesson lasts at most
    # LESSON_MAX_DURATION, so one that began that long before the first shown lesson is the earliest
    # that can still hold a room then.
    held: dict = {}
    if lessons and rooms:
        first_start = lessons[0].starts_at
        last_end = max(lesson.ends_at for lesson in lessons)
        for s, e, room in (
            booked.filter(
                classroom__in=rooms,
                starts_at__gte=first_start - LESSON_MAX_DURATION,
                starts_at__lt=last_end,
                ends_at__gt=first_start,
            )
            .order_by()
            .values_list("starts_at", "ends_at", "classroom")
            .distinct()
        ):
            held.setdefault((s, e), set()).add(room)
    slots: dict = {}
    for lesson in lessons:
        starts, ends = timezone.localtime(lesson.starts_at, zone), timezone.localtime(lesson.ends_at, zone)
        slot = slots.get((starts, ends))
        if slot is None:
            busy = set().union(
                *(r for (s, e), r in held.items() if s < lesson.ends_at and lesson.starts_at < e)
            )
            free = [room for room in rooms if room not in busy]
            slot = slots[(starts, ends)] = TimetableSlot(starts, ends, [], free)
            days[(starts.date() - monday).days].slots.append(slot)
        slot.lessons.append(lesson)
        days[(starts.date() - monday).days].shown += 1
    return Timetable(
        days=days,
        day=day,
        rooms=rooms,
        lessons=len(lessons),
        total=total,
        first=offset + 1,
        page=page,
        pages=pages,
        teachers=len({lesson.teacher_id for lesson in lessons if lesson.teacher_id}),
    )


# The student's printed record (views.student_record) shows at most this many rows of each part.
RECORD_ROWS = 200


def first_rows(rows: QuerySet, limit: int = RECORD_ROWS) -> tuple[list, int]:
    """The first `limit` rows and how many more there are beyond them, in one query (every row
    carries the count of all)."""
    fetched = list(rows.annotate(rows_in_all=Window(Count("pk")))[:limit])
    return fetched, (fetched[0].rows_in_all - len(fetched) if fetched else 0)


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """The moments of the days from `first` to `last`: from 00:00 of the first to 00:00 after the last."""
    zone = local_zone()
    return (
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
    )


def record_start(contracts, student: Student) -> date:
    """Where the student's record begins: the first contract's signing day (else the day the student
    was entered). `contracts`: the student's, fetched already."""
    signed = [contract.signed_at for contract in contracts]
    return timezone.localtime(min(signed) if signed else student.created_at).date()


@dataclass
class Attendance:
    """The lessons of a period: taught (and their class hours), missed, cancelled, still to come."""

    done: int
    hours: Decimal
    absent: int
    cancelled: int
    scheduled: int


def attendance(student: Student, first: date, last: date) -> Attendance:
    """The student's lessons that start within the days from `first` to `last`, by status. One query."""
    start, end = day_range(first, last)
    status = Lesson.Status
    figures = student.lessons.filter(starts_at__gte=start, starts_at__lt=end).aggregate(
        done=Count("pk", filter=Q(status=status.DONE)),
        hours=Coalesce(Sum("hours", filter=Q(status=status.DONE)), Value(Decimal("0")), output_field=HOURS),
        absent=Count("pk", filter=Q(status=status.ABSENT)),
        cancelled=Count("pk", filter=Q(status=status.CANCELLED)),
        scheduled=Count("pk", filter=Q(status=status.SCHEDULED)),
    )
    return Attendance(**figures)


def personal_file(student: Student) -> list[tuple[str, str]]:
    """The personal file's parts (Student.FILE_FIELDS), each with its label."""
    return [
        (Student._meta.get_field(name).verbose_name, getattr(student, name)) for name in Student.FILE_FIELDS
    ]
