"""What the demo promises, checked the same way on any day it is seeded."""

from datetime import time

from django.utils import timezone

from accounts.models import Role, User
from deadlines.models import ACTIVE, Deadline, Notification
from handover.models import Handover, PreClass
from refunds.models import Refund
from retention.models import Case
from students.models import Lesson, Student
from timeline.models import Event

# The people the README lists, and what each finds to do when signing in.
ROLES = [
    "manager1",
    "manager2",
    "supervisor1",
    "director1",
    "consultant1",
    "teacher1",
    "headteacher1",
    "scheduler1",
    "manager3",
    "supervisor2",
    "director2",
    "finance1",
    "president1",
    "admin",
    "teacher2",
    "consultant2",
    "teacher3",
]

# Deadlines opened by beat's morning jobs have no actor: the system opened them.
SYSTEM_RULES = {"P4", "L6", "R1"}
# The records whose pages the deadlines lead to (the student page, the handover, the case...).
SUBJECTS = {
    "students.student",
    "students.lesson",
    "students.document",
    "handover.handover",
    "handover.preclass",
    "handover.paperitem",
    "handover.weekendtimetable",
    "followups.concern",
    "followups.examsitting",
    "retention.case",
}


def work_of(user: User, now) -> list[str]:
    """What the user finds to do: their clocks, unread notices, refunds at their step, lessons to mark,
    rescues to lead, cases waiting for them, first lessons to set, colleagues to place in a team."""
    found = []
    if Deadline.objects.filter(owner=user, status__in=ACTIVE).exists():
        found.append("deadlines")
    if Notification.objects.filter(recipient=user, read_at=None, deliver_after__lte=now).exists():
        found.append("notices")
    waiting = Refund.objects.filter(status=Refund.Status.APPROVING, waiting_role=user.role)
    if user.role == Role.DIRECTOR:
        waiting = waiting.filter(campus_id=user.campus_id)
    if user.role in (Role.DIRECTOR, Role.FINANCE, Role.PRESIDENT) and waiting.exists():
        found.append("refund approval")
    if Lesson.objects.filter(teacher=user, status=Lesson.Status.SCHEDULED, starts_at__lte=now).exists():
        found.append("lesson to mark")
    cases = Case.objects.filter(campus_id=user.campus_id)
    if user.role == Role.HEAD_TEACHER and cases.filter(stage="rescue").exclude(kind="refund_intent").exists():
        found.append("rescue to lead")
    if (
        user.role == Role.DIRECTOR
        and cases.filter(stage="report").exclude(memo="").filter(director_rescue="").exists()
    ):
        found.append("director's rescue")
    if (
        user.role == Role.PRESIDENT
        and Case.objects.filter(stage="responsibility", instruction="").exclude(superiors_memo="").exists()
    ):
        found.append("instruction")
    if (
        user.role == Role.SCHEDULER
        and Handover.objects.filter(campus_id=user.campus_id, consultant_talk_at__isnull=False)
        .exclude(student__in=PreClass.objects.values("student"))
        .exists()
    ):
        found.append("first lesson to set")
    if (
        user.role in (Role.SUPERVISOR, Role.DIRECTOR)
        and Student.objects.filter(campus_id=user.campus_id, manager=None).exists()
    ):
        found.append("student to assign")
    if (
        user.role == Role.ADMIN
        and User.objects.filter(role=Role.LEARNING_MANAGER, team=None, is_active=True).exists()
    ):
        found.append("colleague without a team")
    return found


def open_deadlines_without_their_opening() -> list[str]:
    """Open deadlines not opened by a service: no `deadline.opened` event, no actor outside the
    morning jobs, or a subject no page leads to."""
    wrong = []
    opened = {
        event.data["deadline"]: event
        for event in Event.objects.filter(kind="deadline.opened").only("data", "actor", "at")
    }
    for deadline in Deadline.objects.filter(status__in=ACTIVE).select_related("subject_type"):
        event = opened.get(deadline.pk)
        label = f"{deadline.rule}#{deadline.pk}"
        model = f"{deadline.subject_type.app_label}.{deadline.subject_type.model}"
        if event is None:
            wrong.append(f"{label}: no opening event")
        elif event.actor_id is None and deadline.rule not in SYSTEM_RULES:
            wrong.append(f"{label}: opened by nobody")
        elif model not in SUBJECTS or deadline.subject is None:
            wrong.append(f"{label}: about {model}")
        elif deadline.rule == "L5" and model != "followups.examsitting":
            wrong.append(f"{label}: an L5 left open is an exam of the calendar's, else met with its score")
    return wrong


def lessons_off_hours() -> list[str]:
    """Lessons outside weekday evenings (18:00–20:00) and weekend days (09:00–18:00)."""
    wrong = []
    for lesson in Lesson.objects.all():
        starts, ends = timezone.localtime(lesson.starts_at), timezone.localtime(lesson.ends_at)
        if starts.weekday() >= 5:
            ok = time(9) <= starts.time() and ends.time() <= time(18)
        else:
            ok = time(18) <= starts.time() and ends.time() <= time(20)
        if not ok or starts.date() != ends.date():
            wrong.append(f"{lesson.student} {starts:%a %Y-%m-%d %H:%M}–{ends:%H:%M}")
    return wrong
