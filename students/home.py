"""The students' queues on the homes (registered in StudentsConfig.ready(), see accounts.home).

Each queue runs a fixed number of queries, from the user's scoped selector (students_for):
- consultant: the contracts they entered this week (Monday 00:00 local time to now);
- scheduler: the lesson changes of the week (the `lesson.changed` events of the campus);
- teacher: their lessons still to come today and this week, the lessons that have ended and are not
  marked, and the teaching plans and lesson records they owe.
"""

from datetime import datetime, time, timedelta

from django.db.models import Exists, Min, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import home
from accounts.models import Role
from deadlines.calendar import local_zone
from timeline import audience
from timeline.models import Event

from .models import Contract, Document, Lesson, Student
from .selectors import students_for

LIMIT = home.QUEUE_LIMIT


def week_start(now: datetime) -> datetime:
    """Monday 00:00, local time, of the week of `now`."""
    day = timezone.localdate(now, local_zone())
    return datetime.combine(day - timedelta(days=day.weekday()), time(0), tzinfo=local_zone())


def _local(at: datetime) -> datetime:
    return timezone.localtime(at, local_zone())


def _lessons_url(student_id: int) -> str:
    return reverse("students:detail", args=[student_id]) + "#lessons"


# -- the consultant ------------------------------------------------------------------------------


def _consultant_contracts(user, now):
    return Contract.objects.filter(
        consultant=user, student__in=students_for(user), created_at__gte=week_start(now), created_at__lte=now
    )


def consultant_contracts(user, now) -> tuple[list[home.Item], int]:
    """The contracts the consultant entered this week, newest first (nothing is due: a summary)."""
    contracts = _consultant_contracts(user, now)
    rows = contracts.select_related("student").order_by("-created_at", "-pk")[:LIMIT]
    items = [
        home.Item(
            label=_("Contract %(number)s") % {"number": contract.number},
            about=f"{contract.student.full_name} · {contract.subjects}",
            url=contract.student.get_absolute_url(),
            note=_("%(hours)s hours, entered %(when)s")
            % {"hours": contract.hours, "when": _local(contract.created_at).strftime("%m-%d %H:%M")},
        )
        for contract in rows
    ]
    return items, contracts.count()


# -- the scheduler -------------------------------------------------------------------------------

CHANGED = {
    "time": gettext_lazy("time"),
    "teacher": gettext_lazy("teacher"),
    "classroom": gettext_lazy("classroom"),
}


def _lesson_changes(user, now):
    return Event.objects.filter(
        audience.readable_q(user),
        kind="lesson.changed",
        student__in=students_for(user),
        at__gte=week_start(now),
    )


def scheduler_lesson_changes(user, now) -> tuple[list[home.Item], int]:
    """The lessons of the campus changed this week (by anyone: the scheduler, the director or the
    manager), newest first, each saying whether the family has been told (L10)."""
    told = Event.objects.filter(
        kind="lesson.change_told",
        subject_type=OuterRef("subject_type"),
        subject_id=OuterRef("subject_id"),
        at__gte=OuterRef("at"),
    )
    events = _lesson_changes(user, now).annotate(told=Exists(told))
    rows = events.select_related("student", "actor").order_by("-at", "-pk")[:LIMIT]
    items = []
    for event in rows:
        data = event.data or {}
        try:
            new_at = _local(datetime.fromisoformat(data["at"])).strftime("%m-%d %H:%M")
        except (KeyError, TypeError, ValueError):
            new_at = "—"
        what = "、".join(str(CHANGED.get(name, name)) for name in data.get("changes", []))
        items.append(
            home.Item(
                label=_("%(subject)s, now %(at)s") % {"subject": data.get("subject", ""), "at": new_at},
                about=f"{event.student.full_name} · {what}"
                + (f" · {event.actor.display_name}" if event.actor else ""),
                url=_lessons_url(event.student_id),
                note=_("family told") if event.told else _("the manager tells the family"),
            )
        )
    return items, events.count()


# -- the teacher ---------------------------------------------------------------------------------


def _teacher_lessons(user):
    return Lesson.objects.filter(teacher=user, student__in=students_for(user))


def _teacher_week(user, now):
    week_end = week_start(now) + timedelta(days=7)
    return _teacher_lessons(user).filter(
        status=Lesson.Status.SCHEDULED, ends_at__gt=now, starts_at__lt=week_end
    )


def teacher_week(user, now) -> tuple[list[home.Item], int]:
    """The teacher's lessons still to come today and in the rest of the week, by day and time."""
    lessons = _teacher_week(user, now)
    rows = lessons.select_related("student").order_by("starts_at", "pk")[:LIMIT]
    today = timezone.localdate(now, local_zone())
    items = []
    for lesson in rows:
        starts, ends = _local(lesson.starts_at), _local(lesson.ends_at)
        day = _("Today") if starts.date() == today else WEEKDAYS[starts.weekday()]
        items.append(
            home.Item(
                label=f"{starts:%H:%M}–{ends:%H:%M} {lesson.subject}",
                about=lesson.student.full_name + (f" · {lesson.classroom}" if lesson.classroom else ""),
                url=_lessons_url(lesson.student_id),
                group=f"{day} {starts:%m-%d}",
            )
        )
    return items, lessons.count()


def _to_mark(user, now):
    return _teacher_lessons(user).filter(status=Lesson.Status.SCHEDULED, ends_at__lte=now)


def teacher_to_mark(user, now) -> tuple[list[home.Item], int]:
    """The teacher's lessons that have ended and are still only scheduled: late since they ended."""
    lessons = _to_mark(user, now)
    rows = lessons.select_related("student").order_by("ends_at", "pk")[:LIMIT]
    items = [
        home.Item(
            label=_("Mark the lesson done or absent"),
            about=f"{lesson.student.full_name} · {lesson.subject} · "
            f"{_local(lesson.starts_at):%m-%d %H:%M}–{_local(lesson.ends_at):%H:%M}",
            url=_lessons_url(lesson.student_id),
            due_at=lesson.ends_at,
        )
        for lesson in rows
    ]
    return items, lessons.count()


# A lesson record is owed for each lesson taught in these last days.
RECORD_DAYS = 7
TAUGHT = (Student.Status.ONBOARDING, Student.Status.ACTIVE)


def _papers_owed(user, now):
    """The students owed a teaching plan (with `first_lesson_at`) and the lessons owed a record."""
    mine = Document.objects.filter(student=OuterRef("pk"), uploaded_by=user, kind=Document.Kind.TEACHING_PLAN)
    taught = Lesson.objects.filter(teacher=user).exclude(status=Lesson.Status.CANCELLED)
    first = (
        taught.filter(student=OuterRef("pk")).order_by().values("student").annotate(first=Min("starts_at"))
    ).values("first")[:1]
    # "Has a first lesson" as a semi-join on the teacher's lessons (lesson_teacher_student), not as
    # `first_lesson_at IS NOT NULL`: PostgreSQL then computed the first lesson of every student of the
    # campus before keeping the teacher's (880 subqueries at 1,000 students a campus); now it is
    # computed for the students shown only, and the count needs it not at all.
    plans = (
        students_for(user)
        .filter(status__in=TAUGHT, pk__in=taught.values("student"))
        .annotate(first_lesson_at=first, has_plan=Exists(mine))
        .filter(has_plan=False)
    )
    record = Document.objects.filter(
        student=OuterRef("student"),
        uploaded_by=user,
        kind=Document.Kind.LESSON_RECORD,
        uploaded_at__gte=OuterRef("starts_at"),
    )
    records = (
        _teacher_lessons(user)
        .filter(
            status=Lesson.Status.DONE, starts_at__gte=now - timedelta(days=RECORD_DAYS), starts_at__lte=now
        )
        .exclude(Exists(record))
    )
    return plans, records


def teacher_papers(user, now) -> tuple[list[home.Item], int]:
    """The teaching plans and lesson records the teacher owes (four queries):

    - a teaching plan for each student they teach (onboarding or active) for whom they have uploaded
      none, due at their first lesson with the student;
    - a lesson record for each lesson they taught (marked done) in the last 7 days with no lesson
      record uploaded by them for that student since the lesson began, due at the end of its day.
    """
    plans, records = _papers_owed(user, now)
    items = [
        home.Item(
            label=_("Upload the teaching plan"),
            about=student.full_name,
            url=reverse("students:document_new", args=[student.pk]) + f"?kind={Document.Kind.TEACHING_PLAN}",
            due_at=student.first_lesson_at,
            note=_("before the first lesson"),
        )
        for student in plans.order_by("first_lesson_at", "pk")[:LIMIT]
    ]
    for lesson in records.select_related("student").order_by("starts_at", "pk")[:LIMIT]:
        day_end = datetime.combine(_local(lesson.ends_at).date(), time(23, 59), tzinfo=local_zone())
        items.append(
            home.Item(
                label=_("Upload the lesson record"),
                about=f"{lesson.student.full_name} · {lesson.subject} · "
                f"{_local(lesson.starts_at):%m-%d %H:%M}",
                url=reverse("students:document_new", args=[lesson.student_id])
                + f"?kind={Document.Kind.LESSON_RECORD}",
                due_at=day_end,
            )
        )
    items.sort(key=lambda item: item.due_at)
    return items[:LIMIT], plans.count() + records.count()


QUEUES = (
    home.Queue(
        "consultant_contracts",
        45,
        frozenset({Role.CONSULTANT}),
        gettext_lazy("Contracts you entered this week"),
        consultant_contracts,
        count=_consultant_contracts,
        waiting=False,
    ),
    home.Queue(
        "scheduler_lesson_changes",
        45,
        frozenset({Role.SCHEDULER}),
        gettext_lazy("Lesson changes this week"),
        scheduler_lesson_changes,
        count=_lesson_changes,
        empty=gettext_lazy("No lesson was changed this week."),
        waiting=False,
    ),
    home.Queue(
        "teacher_to_mark",
        40,
        frozenset({Role.TEACHER}),
        gettext_lazy("Lessons to mark"),
        teacher_to_mark,
        count=_to_mark,
    ),
    home.Queue(
        "teacher_papers",
        42,
        frozenset({Role.TEACHER}),
        gettext_lazy("Teaching plans and lesson records you owe"),
        teacher_papers,
        count=_papers_owed,
    ),
    home.Queue(
        "teacher_week",
        44,
        frozenset({Role.TEACHER}),
        gettext_lazy("Your lessons today and this week"),
        teacher_week,
        count=_teacher_week,
        empty=gettext_lazy("No more lessons this week."),
    ),
)


# -- the supervisor and the campus director --------------------------------------------------------

# Students still to be given a learning manager; an ended or refunded one needs none.
UNASSIGNED_STATUSES = (Student.Status.ONBOARDING, Student.Status.ACTIVE, Student.Status.PAUSED)


def _unassigned(user):
    return students_for(user).filter(manager=None, campus_id=user.campus_id, status__in=UNASSIGNED_STATUSES)


def assigner_unassigned(user, now) -> tuple[list[home.Item], int]:
    """The campus's students waiting for a learning manager, the longest waiting first, each linking
    to the student's page (where 分配学管师 is). Two queries."""
    students = _unassigned(user)
    items = [
        home.Item(
            label=_("Assign a learning manager"),
            about=student.full_name + (f" · {student.grade}" if student.grade else ""),
            url=student.get_absolute_url(),
            note=_("entered %(when)s") % {"when": _local(student.created_at).strftime("%m-%d %H:%M")},
        )
        for student in students.order_by("created_at", "pk")[:LIMIT]
    ]
    return items, students.count()


ASSIGNER_QUEUES = (
    home.Queue(
        "assigner_unassigned",
        35,
        frozenset({Role.SUPERVISOR, Role.DIRECTOR}),
        gettext_lazy("Students waiting for a learning manager"),
        assigner_unassigned,
        count=lambda user, now: _unassigned(user),
    ),
)
