from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts import scope
from accounts.models import Role
from deadlines.calendar import local_zone
from deadlines.models import ACTIVE, LATE, Deadline, Status
from students.models import Lesson
from students.selectors import students_for

from .models import Handover, PaperItem, PreClass, WeekendTimetable


def handovers_for(user) -> QuerySet[Handover]:
    """A manager's own handovers, a supervisor's team's, the campus's for the director; a consultant
    the handovers of the contracts they signed. Teachers and schedulers have none."""
    if not user.is_authenticated or user.role in (Role.TEACHER, Role.SCHEDULER, Role.FINANCE):
        return Handover.objects.none()
    if user.role == Role.CONSULTANT:
        return Handover.objects.filter(scope.campus_q(user), consultant=user)
    if not scope.caseload_q(user):
        # The whole company's students (a company-wide reader): every handover is of one of them, and
        # asking each of 100,000 handovers whether its student is among 100,000 cost the list's count
        # 40–70 ms (a hash of every student) for nothing.
        return Handover.objects.filter(scope.campus_q(user))
    # By the student, not by the manager who did the handover: a student who moved to another
    # manager takes their handover along, and the former manager no longer reads it.
    return Handover.objects.filter(scope.campus_q(user), student__in=students_for(user))


def paper_items_for(user) -> QuerySet[PaperItem]:
    """The paper items (H5) of the handovers the user may open."""
    return PaperItem.objects.filter(handover__in=handovers_for(user))


def late_clocks(now: datetime) -> QuerySet[Deadline]:
    """Clocks that ran over: late now (swept or not yet), met late, or missed."""
    return Deadline.objects.filter(
        Q(status__in=(*LATE, Status.MET_LATE, Status.MISSED)) | Q(status__in=ACTIVE, due_at__lte=now)
    )


def handover_list(user, *, now: datetime | None = None) -> QuerySet[Handover]:
    """Handovers not signed off yet first, newest first (the index handover_list_order: a page reads
    a page of it); each marks its late steps (h1_late, h3_late, h4_late, and h5_late for a missing
    paper item brought late or not yet): one query for the page."""
    late = late_clocks(now or timezone.now())
    own = late.filter(subject_type=ContentType.objects.get_for_model(Handover), subject_id=OuterRef("pk"))
    items = PaperItem.objects.filter(handover=OuterRef(OuterRef("pk"))).values("pk")
    items_late = late.filter(
        rule="H5", subject_type=ContentType.objects.get_for_model(PaperItem), subject_id__in=items
    )
    return (
        handovers_for(user)
        .select_related("student", "contract", "manager", "consultant")
        .annotate(
            h1_late=Exists(own.filter(rule="H1")),
            h3_late=Exists(own.filter(rule="H3")),
            h4_late=Exists(own.filter(rule="H4")),
            h5_late=Exists(items_late),
        )
        # Descending puts the unsigned (null) first, as the index keeps them.
        .order_by("-consultant_signed_at", "-manager_signed_at", "-created_at", "-pk")
    )


def handover_deadlines(handover: Handover) -> dict[str, Deadline]:
    """The handover's own clocks (H1, H3, H4) by rule, the active one or else the latest."""
    return _clocks_of(handover)


def preclass_deadlines(pre: PreClass) -> dict[str, Deadline]:
    """The pre-class clocks (P1–P3) by rule, the active one or else the latest."""
    return _clocks_of(pre)


def _clocks_of(subject) -> dict[str, Deadline]:
    kind = ContentType.objects.get_for_model(subject)
    rows = Deadline.objects.filter(subject_type=kind, subject_id=subject.pk).order_by("occurrence")
    found: dict[str, Deadline] = {}
    for deadline in rows:
        if deadline.rule not in found or deadline.status in ACTIVE:
            found[deadline.rule] = deadline
    return found


def weekend_managers_for(user):
    """Whose weekend timetable a user may look at: their own; a supervisor their team's; the director
    the campus's learning managers."""
    managers = scope.people_for(user).filter(role=Role.LEARNING_MANAGER)
    if user.role == Role.SUPERVISOR:
        return managers.filter(team__supervisor=user)
    if user.role == Role.DIRECTOR:
        return managers
    return managers.filter(pk=user.pk)


def weekend_timetables_for(user) -> QuerySet[WeekendTimetable]:
    return WeekendTimetable.objects.filter(manager__in=weekend_managers_for(user))


def weekend_deadline(timetable) -> Deadline | None:
    return _clocks_of(timetable).get("P4")


def weekend_lessons(manager, saturday) -> dict:
    """A manager's Saturday and Sunday lessons by day and time slot, with students and teachers."""
    start = datetime.combine(saturday, time(0, 0), tzinfo=local_zone())
    lessons = (
        Lesson.objects.filter(
            student__manager=manager,
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=2),
            status__in=(Lesson.Status.SCHEDULED, Lesson.Status.DONE),
        )
        .select_related("student", "teacher")
        .order_by("starts_at", "student__full_name")
    )
    days = {saturday: [], saturday + timedelta(days=1): []}
    for lesson in lessons:
        days[timezone.localdate(lesson.starts_at)].append(lesson)
    return days
