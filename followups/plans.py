"""The plans and documents of the first weeks: the course schedule and tutoring draft (L1), the
learning-management plan (F2), the tutoring plan by the 4th week or the 20th lesson (F3), the stage
summary (L2), all counted from the first lesson; and the teachers' papers the manager files (F4)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deadlines import calendar
from deadlines.models import ACTIVE, Deadline
from deadlines.rules import get_rule
from deadlines.services import (
    deadline_meet,
    deadline_open,
    deadline_reschedule,
)
from students.models import Document, Lesson, Student
from students.services import FILE_KEEPERS, can_edit_file, given_on_check
from timeline.services import timeline_add


def first_lesson_taught(*, lesson: Lesson, actor) -> None:
    """The first lesson happened: the first-lesson callback (F1) is due that day, and the parent
    callbacks (L4) start, weekly for two months, then every two weeks. The documents of the first
    weeks count from it: the course schedule and tutoring draft given that day (L1), the
    learning-management plan in 3 weeks (F2), the tutoring plan by the 4th week or the 20th lesson
    (F3), the stage summary in the 4th week (L2)."""
    student = lesson.student
    if student.manager_id is None:
        return
    manager, start = student.manager, lesson.starts_at
    deadline_open(rule="F1", subject=student, owner=manager, start=start, actor=actor)
    deadline_open(rule="L4", subject=student, owner=manager, start=start, event=start, actor=actor)
    for rule in ("L1", "F2", "L2"):
        deadline_open(rule=rule, subject=student, owner=manager, start=start, actor=actor)
    deadline_open(
        rule="F3",
        subject=student,
        owner=manager,
        start=start,
        event=twentieth_lesson_end(student),
        actor=actor,
    )
    document_clocks_check(student=student, actor=actor)


TUTORING_PLAN_LESSON = 20


def twentieth_lesson_end(student: Student) -> datetime | None:
    """When the student's 20th lesson (taught or booked, absences aside) ends, if it is booked."""
    return (
        student.lessons.filter(status__in=(Lesson.Status.SCHEDULED, Lesson.Status.DONE))
        .order_by("starts_at", "pk")
        .values_list("ends_at", flat=True)[TUTORING_PLAN_LESSON - 1 : TUTORING_PLAN_LESSON]
        .first()
    )


def lessons_changed(*, student: Student, actor) -> None:
    """Lessons were booked, moved or missed: the 20th lesson may now come sooner or later (F3)."""
    event = twentieth_lesson_end(student)
    deadline = Deadline.objects.filter(rule="F3", status__in=ACTIVE, student=student).first()
    if deadline is None or event == deadline.event_at:
        return
    due_at = get_rule("F3").due_at(start=deadline.opened_at, event=event, campus=student.campus)
    if due_at == deadline.due_at:  # the 4th week still comes first: the same clock, nothing to tell
        Deadline.objects.filter(pk=deadline.pk).update(event_at=event)
        return
    deadline_reschedule(
        rule="F3", subject=student, event=event, actor=actor, reason=_("The 20th lesson moved.")
    )


# The documents that meet a rule, and whether the parent must have been given them (else filing
# them is enough).
DOCUMENT_CLOCKS = {
    "L1": ((Document.Kind.COURSE_SCHEDULE, Document.Kind.TUTORING_DRAFT), True),
    "F2": ((Document.Kind.MANAGEMENT_PLAN,), False),
    "F3": ((Document.Kind.TUTORING_PLAN,), True),
    "L2": ((Document.Kind.STAGE_SUMMARY,), True),
}


# A teacher's documents the manager files the same working day (F4).
TEACHER_PAPERS = (Document.Kind.TEACHING_PLAN, Document.Kind.LESSON_RECORD)


# Documents made for the parent: the file records the day they got them.
PARENT_DOCUMENTS = (
    *(kind for kinds, to_parent in DOCUMENT_CLOCKS.values() if to_parent for kind in kinds),
    Document.Kind.SCORE_RECORD,
    Document.Kind.GROWTH_RECORD,
)


def document_clocks_check(*, student: Student, actor) -> list[str]:
    """Meets each document rule of the student whose documents are all in the file (and with the
    parent, where the parent must have them); returns the rules met."""
    open_rules = set(
        Deadline.objects.filter(rule__in=DOCUMENT_CLOCKS, status__in=ACTIVE, student=student).values_list(
            "rule", flat=True
        )
    )
    if not open_rules:
        return []
    done: dict[str, datetime] = {}
    for kind, uploaded_at, given_on, role, filed_at in student.documents.values_list(
        "kind", "uploaded_at", "given_to_parent_on", "uploaded_by__role", "filed_at"
    ):
        when = _given_at(given_on, student) if given_on else None
        # A teacher's or consultant's upload is theirs: in the manager's file once the manager filed it.
        if role in FILE_KEEPERS or filed_at:
            done[kind, False] = min(uploaded_at, done.get((kind, False), uploaded_at))
        if when:
            done[kind, True] = min(when, done.get((kind, True), when))
    met = []
    for rule in sorted(open_rules):
        kinds, to_parent = DOCUMENT_CLOCKS[rule]
        times = [done.get((kind, to_parent)) for kind in kinds]
        if all(times):
            deadline_meet(rule=rule, subject=student, actor=actor, at=max(times))
            met.append(rule)
    return met


def _given_at(day, student: Student) -> datetime:
    """A document given to the parent on `day` counts as given before that day's closing (not later
    than now: the manager may record it the same day)."""
    return min(calendar.end_of_working_day(day, student.campus), timezone.now())


@transaction.atomic
def document_given(*, document: Document, actor, on) -> bool:
    """The parent got the document on `on`; the rules it meets close. False if already recorded."""
    student = document.student
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above record this."))
    given_on_check(student=student, on=on, filed_at=document.uploaded_at)
    if not Document.objects.filter(pk=document.pk, given_to_parent_on=None).update(given_to_parent_on=on):
        return False
    timeline_add(
        subject=student,
        kind="document.given",
        campus_id=student.campus_id,
        actor=actor,
        data={"document": document.pk, "title": str(document), "on": on.isoformat()},
    )
    document_clocks_check(student=student, actor=actor)
    return True


def document_added(*, document: Document, actor) -> None:
    """A document entered the file: a teacher's plan or record waits for the manager to file it
    (F4); any document may meet a plan's clock."""
    student = document.student
    if document.kind in TEACHER_PAPERS and student.manager_id:
        if actor.pk == student.manager_id:
            Document.objects.filter(pk=document.pk).update(filed_by=actor, filed_at=document.uploaded_at)
        else:
            deadline_open(
                rule="F4", subject=document, owner=student.manager, start=document.uploaded_at, actor=actor
            )
    document_clocks_check(student=student, actor=actor)


@transaction.atomic
def document_file(*, document: Document, actor) -> bool:
    """F4: the manager has read the teacher's plan or record and filed it. False if already filed."""
    if not can_edit_file(actor, document.student):
        raise PermissionDenied(_("Only the student's learning manager and those above record this."))
    now = timezone.now()
    if not Document.objects.filter(pk=document.pk, filed_at=None).update(filed_by=actor, filed_at=now):
        return False
    timeline_add(
        subject=document.student,
        kind="document.filed",
        campus_id=document.student.campus_id,
        actor=actor,
        data={"document": document.pk, "title": str(document)},
    )
    deadline_meet(rule="F4", subject=document, actor=actor, at=now)
    return True
