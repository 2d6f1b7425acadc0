from decimal import Decimal

from django.db.models import Count, DecimalField, F, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import scope
from accounts.models import Role
from deadlines.models import ACTIVE, Deadline
from timeline import audience
from timeline.models import Event

from . import privacy
from .models import Contract, Guardian, Lesson, Student


def students_for(user) -> QuerySet[Student]:
    """Students the user may see: the caseload ladder of accounts.scope, narrowed for the roles that
    work with single students — a consultant sees the students they signed, a teacher those they
    teach."""
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
    """Adds hours bought, used (done lessons) and left, the next lesson, and open and late deadlines.

    Each is a correlated subquery, so one query serves any number of students.
    """
    now = now or timezone.now()
    zero = Value(Decimal("0"), output_field=HOURS)
    active = Deadline.objects.filter(status__in=ACTIVE)
    return students.annotate(
        hours_bought=Coalesce(per_student(Contract.objects, Sum("hours"), HOURS), zero),
        hours_used=Coalesce(
            per_student(Lesson.objects.filter(status=Lesson.Status.DONE), Sum("hours"), HOURS), zero
        ),
        hours_left=F("hours_bought") - F("hours_used"),
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
    hours_left_below: Decimal | None = None,
    now=None,
) -> QuerySet[Student]:
    """The caseload list: search by a student's name or a guardian's phone, filter by status, manager
    and hours left; late work first."""
    students = students_for(user).select_related("manager", "campus")
    if query:
        match = Q(full_name__icontains=query)
        digits = "".join(ch for ch in query if ch.isdigit())
        if len(digits) >= 4:  # phones are stored as digits only (see normalize_phone)
            # Part of a number finds it only for those who read numbers in full; the others must
            # know the whole number, or the search would spell out a masked one digit by digit.
            phones = Q(phone__contains=digits) if privacy.reads_contacts_in_full(user) else Q(phone=digits)
            match |= Q(pk__in=Guardian.objects.filter(phones).values("student"))
        students = students.filter(match)
    if status:
        students = students.filter(status=status)
    if manager_id:
        students = students.filter(manager_id=manager_id)
    students = with_hours(students, now=now)
    if hours_left_below is not None:
        students = students.filter(hours_left__lt=hours_left_below)
    return students.order_by("-late_deadlines", "full_name", "pk")


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


def student_timeline(student: Student, user, *, show: str = "", limit: int = 200) -> QuerySet[Event]:
    """The newest events of a student that the user may read, all or one filter's: a case's or a
    refund's only for those who may open the case or the refund (timeline.audience)."""
    events = student.timeline.filter(audience.readable_q(user)).select_related("actor")
    if show in TIMELINE_FILTERS:
        match = Q()
        for prefix in TIMELINE_FILTERS[show]:
            match |= Q(kind__startswith=prefix)
        if show in TIMELINE_RULES:
            match |= Q(kind__startswith="deadline.", data__rule__in=TIMELINE_RULES[show])
        events = events.filter(match)
    return events.order_by("-at", "-pk")[:limit]


def student_deadlines(student, user) -> QuerySet[Deadline]:
    """Every deadline about a student in the user's caseload, whoever owns it (a rescue is the
    supervisor's, but the student's manager sees it on the student's page)."""
    return (
        Deadline.objects.filter(audience.readable_q(user), student=student, student__in=students_for(user))
        .select_related("student", "owner", "closed_by")
        .order_by("-due_at")
    )
