"""Follow-up records and their clocks: callbacks (F1, L4), the plans and documents of the first
weeks (L1, F2, F3, L2, F4), post-lesson talks (L3), scores (L5), growth (L6), concerns (L7),
absences and changes (L9, L10), pauses, and renewal (R1) up to the contract's end."""

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from deadlines import calendar
from deadlines.models import ACTIVE, Deadline
from deadlines.rules import get_rule
from deadlines.services import (
    deadline_meet,
    deadline_notify_owner,
    deadline_open,
    deadline_reschedule,
    deadline_stop,
)
from students.models import Document, Lesson, Student
from students.services import FILE_KEEPERS, can_edit_file, given_on_check
from timeline.services import student_id_of, timeline_add

from .models import AbsenceReason, Callback, Concern, ExamScore, GrowthRecord, LessonTalk, Renewal


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


def lesson_taught(*, lesson: Lesson, actor) -> None:
    """Any lesson marked done: the post-lesson talk is due (L3, unless the campus does without), and
    the hours left may now call for renewal (R1) or end the contract."""
    student = lesson.student
    # Two lessons marked at once must not each count the other's hours as unused.
    Student.objects.select_for_update().filter(pk=student.pk).first()
    if student.manager_id and student.campus.post_lesson_talks:
        deadline_open(
            rule="L3",
            subject=lesson,
            owner=student.manager,
            start=max(lesson.ends_at, lesson.starts_at),
            actor=actor,
        )
    hours_check(student=student, actor=actor)


@transaction.atomic
def lesson_talk_record(
    *, lesson: Lesson, actor, teacher_notes: str, student_notes: str, parent_notes: str
) -> bool:
    """L3: what the teacher, the student and the parent said after the lesson. False if recorded."""
    student = lesson.student
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above record this."))
    if not Lesson.objects.filter(pk=lesson.pk, status=Lesson.Status.DONE).exists():
        raise ValidationError(_("A post-lesson talk follows a lesson that took place."))
    notes = {"teacher_notes": teacher_notes, "student_notes": student_notes, "parent_notes": parent_notes}
    notes = {name: (text or "").strip() for name, text in notes.items()}
    missing = {name: _("Write what was said.") for name, text in notes.items() if not text}
    if missing:
        raise ValidationError(missing)
    _talk, created = LessonTalk.objects.get_or_create(lesson=lesson, defaults={**notes, "recorded_by": actor})
    if not created:
        return False
    timeline_add(
        subject=lesson,
        kind="lesson.talk",
        campus_id=student.campus_id,
        actor=actor,
        student_id=student.pk,
        reason=notes["parent_notes"],
        data={"subject": lesson.subject},
    )
    deadline_meet(rule="L3", subject=lesson, actor=actor)
    return True


def lesson_changed(*, lesson: Lesson, actor, changes: list[str]) -> None:
    """L10: someone other than the manager changed the teacher, time or classroom of a lesson — the
    manager is told at once and tells parent and student before the lesson starts."""
    student = lesson.student
    if student.manager_id is None:
        return
    deadline = Deadline.objects.filter(
        rule="L10", status__in=ACTIVE, subject_id=lesson.pk, student=student
    ).first()
    if deadline is None and actor.pk == student.manager_id:
        return  # the manager made the change and tells the family themself
    if deadline is None:
        deadline = deadline_open(
            rule="L10",
            subject=lesson,
            owner=student.manager,
            event=lesson.starts_at,
            actor=actor,
            occurrence=_next_occurrence("L10", lesson),
        )
    else:
        deadline = deadline_reschedule(rule="L10", subject=lesson, event=lesson.starts_at, actor=actor)
    if actor.pk != student.manager_id:
        deadline_notify_owner(deadline)


def _next_occurrence(rule: str, subject) -> int:
    """One more than the subject's last deadline of `rule`: a rule that may come round again."""
    last = Deadline.objects.filter(
        rule=rule, subject_id=subject.pk, student_id=student_id_of(subject)
    ).aggregate(Max("occurrence"))["occurrence__max"]
    return (last or 0) + 1


@transaction.atomic
def lesson_change_told(*, lesson: Lesson, actor) -> bool:
    """The parent and the student know of the change (L10). False if nothing was waiting."""
    student = lesson.student
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above record this."))
    deadline = deadline_meet(rule="L10", subject=lesson, actor=actor)
    if deadline is None:
        return False
    timeline_add(
        subject=lesson,
        kind="lesson.change_told",
        campus_id=student.campus_id,
        actor=actor,
        student_id=student.pk,
        data={"subject": lesson.subject},
    )
    return True


@transaction.atomic
def callback_record(
    *,
    student: Student,
    actor,
    request_key: uuid.UUID,
    at: datetime,
    summary: str,
    with_whom: str = Callback.With.PARENT,
    channel: str = Callback.Channel.PHONE,
    concerns: str = "",
    next_steps: str = "",
) -> tuple[Callback, bool]:
    """Logs a callback; a parent callback meets F1 and the open L4, and the next L4 runs from it.
    Returns (callback, created): the same form sent twice records once."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above record callbacks."))
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("Say what was talked about.")})
    if calendar.require_aware(at, "at") > timezone.now():
        raise ValidationError({"at": _("A callback cannot be in the future.")})
    first_contract = student.contracts.order_by("signed_at").values_list("signed_at", flat=True).first()
    if first_contract is None or at < first_contract:
        raise ValidationError({"at": _("A callback cannot be dated before the student's contract.")})
    callback, created = Callback.objects.get_or_create(
        created_by=actor,
        request_key=request_key,
        defaults={
            "student": student,
            "with_whom": with_whom,
            "channel": channel,
            "at": at,
            "summary": summary,
            "concerns": concerns,
            "next_steps": next_steps,
        },
    )
    if not created:
        return callback, False
    timeline_add(
        subject=student,
        kind="callback.recorded",
        campus_id=student.campus_id,
        actor=actor,
        reason=summary,
        data={"with": with_whom, "channel": channel, "at": at.isoformat()},
    )
    if with_whom == Callback.With.PARENT:
        deadline_meet(rule="F1", subject=student, actor=actor, at=at)
        deadline_meet(rule="L4", subject=student, actor=actor, at=at)
    return callback, True


@transaction.atomic
def score_record(
    *,
    student: Student,
    actor,
    request_key: uuid.UUID,
    kind: str,
    subject: str,
    score,
    full_marks,
    exam_date,
    analysis: str,
    class_rank=None,
    learned_on=None,
) -> tuple[ExamScore, bool]:
    """L5: a score with its analysis, due a week after the exam (or after the family learned it).
    The clock is opened and closed at once: on time or late is what the record shows."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above record scores."))
    today = timezone.localdate()
    if exam_date > today:
        raise ValidationError({"exam_date": _("A score needs an exam that has taken place.")})
    if learned_on and (learned_on < exam_date or learned_on > today):
        raise ValidationError(
            {"learned_on": _("The family learns a score after the exam and not in the future.")}
        )
    if not 0 <= score <= full_marks:
        raise ValidationError({"score": _("The score must be between 0 and the full marks.")})
    if not (analysis or "").strip():
        raise ValidationError({"analysis": _("Write what the score shows and what comes next.")})
    record, created = ExamScore.objects.get_or_create(
        created_by=actor,
        request_key=request_key,
        defaults={
            "student": student,
            "kind": kind,
            "subject": subject.strip(),
            "score": score,
            "full_marks": full_marks,
            "class_rank": class_rank,
            "exam_date": exam_date,
            "learned_on": learned_on,
            "analysis": analysis.strip(),
        },
    )
    if not created:
        return record, False
    known = datetime.combine(learned_on or exam_date, datetime.min.time(), tzinfo=calendar.local_zone())
    if student.manager_id:
        deadline_open(rule="L5", subject=record, owner=student.manager, start=known, actor=actor)
        deadline_meet(rule="L5", subject=record, actor=actor)
    timeline_add(
        subject=record,
        kind="score.recorded",
        campus_id=student.campus_id,
        actor=actor,
        student_id=student.pk,
        reason=record.analysis,
        data={"subject": record.subject, "score": str(score), "full_marks": str(full_marks)},
    )
    return record, True


def lesson_missed(*, lesson: Lesson, actor) -> None:
    """L9: a lesson marked absent — the manager finds out the real reason by the next working day's end."""
    if lesson.student.manager_id:
        deadline_open(rule="L9", subject=lesson, owner=lesson.student.manager, actor=actor)


@transaction.atomic
def absence_reason_record(*, lesson: Lesson, actor, reason: str) -> bool:
    """The real reason of an absence; recorded once (False if it already was)."""
    student = lesson.student
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above record this."))
    if lesson.status != Lesson.Status.ABSENT:
        raise ValidationError(_("Only a missed lesson has an absence reason."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the student missed the lesson.")})
    _record, created = AbsenceReason.objects.get_or_create(
        lesson=lesson, defaults={"reason": reason, "recorded_by": actor}
    )
    if not created:
        return False
    timeline_add(
        subject=lesson,
        kind="absence.reason",
        campus_id=student.campus_id,
        actor=actor,
        student_id=student.pk,
        reason=reason,
        data={"subject": lesson.subject},
    )
    deadline_meet(rule="L9", subject=lesson, actor=actor)
    return True


def month_key(day) -> int:
    """The occurrence of a monthly clock: 202612 for December 2026."""
    return day.year * 100 + day.month


@transaction.atomic
def growth_records_open(*, today) -> int:
    """L6 for every active student with a manager, for this month; safe to run every morning."""
    start = datetime.combine(today.replace(day=1), datetime.min.time(), tzinfo=calendar.local_zone())
    students = Student.objects.filter(status=Student.Status.ACTIVE, manager__isnull=False).select_related(
        "manager__campus"
    )
    for student in students:
        deadline_open(
            rule="L6", subject=student, owner=student.manager, start=start, occurrence=month_key(today)
        )
    return students.count()


@transaction.atomic
def growth_record_add(
    *, student: Student, actor, request_key: uuid.UUID, text: str
) -> tuple[GrowthRecord, bool]:
    """A growth record of this month; it meets this month's L6."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above record this."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what has grown this month.")})
    today = timezone.localdate()
    record, created = GrowthRecord.objects.get_or_create(
        created_by=actor,
        request_key=request_key,
        defaults={"student": student, "month": today.replace(day=1), "text": text},
    )
    if created:
        timeline_add(
            subject=student, kind="growth.recorded", campus_id=student.campus_id, actor=actor, reason=text
        )
        deadline_meet(rule="L6", subject=student, actor=actor, occurrence=month_key(today))
    return record, created


# Who may raise a concern: everyone who works with the student, not only the manager.
CONCERN_RAISERS = (Role.LEARNING_MANAGER, Role.SUPERVISOR, Role.DIRECTOR, Role.TEACHER, Role.HEAD_TEACHER)
NO_LESSON_GRACE = timedelta(days=3)


@transaction.atomic
def concern_raise(
    *, student: Student, actor, request_key: uuid.UUID, kind: str, description: str
) -> tuple[Concern, bool]:
    """L7 opens: due before the student's next scheduled lesson ends (three days when none is booked)."""
    if actor.role not in CONCERN_RAISERS:
        raise PermissionDenied(_("Your role may not raise concerns."))
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Say what was noticed.")})
    concern, created = Concern.objects.get_or_create(
        raised_by=actor,
        request_key=request_key,
        defaults={"student": student, "kind": kind, "description": description},
    )
    if not created:
        return concern, False
    now = timezone.now()
    next_end = (
        student.lessons.filter(status=Lesson.Status.SCHEDULED, starts_at__gte=now)
        .order_by("starts_at")
        .values_list("ends_at", flat=True)
        .first()
    )
    timeline_add(
        subject=concern,
        kind="concern.raised",
        campus_id=student.campus_id,
        actor=actor,
        student_id=student.pk,
        reason=description,
        data={"kind": kind},
    )
    if student.manager_id:
        deadline_open(
            rule="L7",
            subject=concern,
            owner=student.manager,
            event=next_end or now + NO_LESSON_GRACE,
            actor=actor,
        )
    return concern, True


@transaction.atomic
def concern_handle(*, concern: Concern, actor, analysis: str, parent_advice: str, student_talk: str) -> bool:
    """The manager has analysed it, told and advised the parent, and talked with the student."""
    if not can_edit_file(actor, concern.student):
        raise PermissionDenied(_("Only the student's learning manager and those above record this."))
    if not all((text or "").strip() for text in (analysis, parent_advice, student_talk)):
        raise ValidationError(
            _("Record the analysis, what the parent was told and the talk with the student.")
        )
    changed = Concern.objects.filter(pk=concern.pk, handled_at=None).update(
        analysis=analysis.strip(),
        parent_advice=parent_advice.strip(),
        student_talk=student_talk.strip(),
        handled_by=actor,
        handled_at=timezone.now(),
    )
    if not changed:
        return False
    timeline_add(
        subject=concern,
        kind="concern.handled",
        campus_id=concern.student.campus_id,
        actor=actor,
        student_id=concern.student_id,
        reason=analysis.strip(),
    )
    deadline_meet(rule="L7", subject=concern, actor=actor)
    return True


# Pausing (leave, suspension): who may, and the clock that stops meanwhile.
PAUSERS = (Role.LEARNING_MANAGER, Role.SUPERVISOR, Role.DIRECTOR)


@transaction.atomic
def student_pause(*, student: Student, actor, reason: str) -> bool:
    """The student takes leave or is suspended: the parent callbacks (L4) stop until they return.
    False if the student was not active."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above pause a student."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the student pauses.")})
    if not Student.objects.filter(pk=student.pk, status=Student.Status.ACTIVE).update(
        status=Student.Status.PAUSED
    ):
        return False
    stop_student_clocks(student, PAUSED_STOPS, actor, reason)
    _record_status(student, actor, Student.Status.ACTIVE, Student.Status.PAUSED, reason)
    return True


@transaction.atomic
def student_resume(*, student: Student, actor, reason: str = "") -> bool:
    """The student is back: the parent callbacks (L4) start again from today, on the same two-month
    phase from the first lesson. False if the student was not paused."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above resume a student."))
    if not Student.objects.filter(pk=student.pk, status=Student.Status.PAUSED).update(
        status=Student.Status.ACTIVE
    ):
        return False
    reason = (reason or "").strip()
    _record_status(
        student, actor, Student.Status.PAUSED, Student.Status.ACTIVE, reason, kind="student.resumed"
    )
    _callbacks_restart(student, actor)
    return True


def _callbacks_restart(student: Student, actor) -> None:
    """L4 again from now, anchored where the series began (the first lesson)."""
    last = Deadline.objects.filter(rule="L4", student=student).order_by("-occurrence").first()
    if last is None or student.manager_id is None:
        return
    deadline_open(
        rule="L4",
        subject=student,
        owner=student.manager,
        event=last.event_at,
        actor=actor,
        occurrence=last.occurrence + 1,
    )


def _record_status(student: Student, actor, old: str, new: str, reason: str = "", kind: str = "") -> None:
    timeline_add(
        subject=student,
        kind=kind or f"student.{new}",
        campus_id=student.campus_id,
        actor=actor,
        from_state=old,
        to_state=new,
        reason=reason,
    )


def hours_left(student: Student) -> Decimal | None:
    """The class hours the student's contracts still hold; None without a contract."""
    bought = student.contracts.aggregate(total=Sum("hours"))["total"]
    if bought is None:
        return None
    used = student.lessons.filter(status=Lesson.Status.DONE).aggregate(total=Sum("hours"))["total"]
    return bought - (used or Decimal("0"))


def hours_check(*, student: Student, actor=None) -> None:
    """After hours were used: below the campus's threshold the manager asks about renewal (R1, once
    per contract); with none left the contract ends and the student's status follows."""
    left = hours_left(student)
    if left is None:
        return
    if left <= 0:
        contract_ended(student=student, actor=actor)
    if left < student.campus.renewal_threshold and student.manager_id:
        deadline_open(
            rule="R1",
            subject=student,
            owner=student.manager,
            actor=actor,
            occurrence=student.contracts.count(),
        )


def contract_ended(*, student: Student, actor=None) -> bool:
    """The hours are used up: the student's contract ends and their recurring callbacks stop."""
    old = Student.objects.filter(pk=student.pk).values_list("status", flat=True).first()
    if old not in (Student.Status.ACTIVE, Student.Status.PAUSED):
        return False
    if not Student.objects.filter(pk=student.pk, status=old).update(status=Student.Status.ENDED):
        return False
    reason = _("All class hours are used.")
    stop_student_clocks(student, ENDED_STOPS, actor, reason)
    _record_status(student, actor, old, Student.Status.ENDED, reason)
    return True


# The student's own clocks that make no sense once they pause or their hours run out: callbacks,
# the month's growth record, and (at the end) the plans of the first weeks. Talks about lessons
# that took place (L3), concerns (L7), absences (L9) and renewal (R1) go on.
PAUSED_STOPS = ("L4", "L6")
ENDED_STOPS = ("L4", "L6", "L1", "F2", "F3", "L2")


def stop_student_clocks(student: Student, rules: tuple[str, ...], actor, reason: str) -> None:
    for rule in rules:
        while deadline_stop(rule=rule, subject=student, actor=actor, reason=reason):
            pass  # a monthly rule may have more than one month open


@transaction.atomic
def renewals_open() -> int:
    """R1 for every active student already below their campus's threshold (a threshold lowered or
    raised, hours entered by hand); safe to run every morning. Returns how many were looked at."""
    from students.selectors import with_hours  # the file's hours, read the way every page reads them

    students = (
        with_hours(
            Student.objects.filter(
                status__in=(Student.Status.ACTIVE, Student.Status.PAUSED), manager__isnull=False
            )
        )
        .filter(hours_left__lt=F("campus__renewal_threshold"))
        .select_related("manager__campus", "campus")
    )
    count = 0
    for student in students.annotate(contract_count=Count("contracts", distinct=True)):
        deadline_open(rule="R1", subject=student, owner=student.manager, occurrence=student.contract_count)
        count += 1
    return count


RENEWAL_RECORDERS = (Role.LEARNING_MANAGER, Role.SUPERVISOR, Role.DIRECTOR)


@transaction.atomic
def renewal_record(
    *,
    student: Student,
    actor,
    request_key: uuid.UUID,
    outcome: str,
    note: str = "",
    loss_reason: str = "",
    contract=None,
) -> tuple[Renewal, bool]:
    """What the family said about renewal. Declined names the reason the student is lost; renewed
    names the new contract. Either answer meets R1; "not decided" keeps it open."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above record this."))
    note = (note or "").strip()
    if outcome == Renewal.Outcome.DECLINED and not loss_reason:
        raise ValidationError({"loss_reason": _("Choose why the family does not renew.")})
    if outcome == Renewal.Outcome.RENEWED and (contract is None or contract.student_id != student.pk):
        raise ValidationError({"contract": _("A renewal needs the new contract, entered by the consultant.")})
    if outcome == Renewal.Outcome.UNDECIDED and not note:
        raise ValidationError({"note": _("Say what the family said and when to ask again.")})
    if outcome != Renewal.Outcome.DECLINED:
        loss_reason = ""
    renewal, created = Renewal.objects.get_or_create(
        recorded_by=actor,
        request_key=request_key,
        defaults={
            "student": student,
            "outcome": outcome,
            "note": note,
            "loss_reason": loss_reason,
            "contract": contract,
        },
    )
    if not created:
        return renewal, False
    timeline_add(
        subject=student,
        kind=f"renewal.{outcome}",
        campus_id=student.campus_id,
        actor=actor,
        reason=note,
        data={"loss_reason": loss_reason, "number": contract.number if contract else ""},
    )
    if outcome != Renewal.Outcome.UNDECIDED:
        deadline_meet(rule="R1", subject=student, actor=actor)
    return renewal, True


def contract_renewed(*, contract, actor) -> None:
    """A further contract of a student already in the file: the renewal is recorded for the manager
    (R1 met), and a student whose hours had run out is taught again."""
    student = contract.student
    Renewal.objects.create(
        student=student, outcome=Renewal.Outcome.RENEWED, contract=contract, recorded_by=actor
    )
    timeline_add(
        subject=student,
        kind="renewal.renewed",
        campus_id=student.campus_id,
        actor=actor,
        data={"number": contract.number},
    )
    deadline_meet(rule="R1", subject=student, actor=actor)
    if Student.objects.filter(pk=student.pk, status=Student.Status.ENDED).update(
        status=Student.Status.ACTIVE
    ):
        _record_status(student, actor, Student.Status.ENDED, Student.Status.ACTIVE, kind="student.renewed")
        _callbacks_restart(student, actor)
