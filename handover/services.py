"""The handover of a signed contract, H1–H5: each step a compare-and-set, a timeline event, a met deadline."""

from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from deadlines import calendar
from deadlines.models import Deadline
from deadlines.services import deadline_meet, deadline_open, deadline_reschedule
from students.models import Lesson, Student
from students.services import BOOKED, lesson_book, may_plan, student_file_update
from timeline.services import timeline_add

from .models import Handover, PaperItem, PaperItemKind, PreClass, WeekendTimetable

# The H2 review: what the manager checks on receiving the file.
REVIEW_ITEMS = ("student_data", "contract", "consultation_report")


def _record(handover: Handover, kind: str, actor, **kwargs) -> None:
    timeline_add(subject=handover, kind=kind, campus_id=handover.campus_id, actor=actor, **kwargs)


def _manager_only(handover: Handover, actor) -> None:
    if actor.pk != handover.manager_id:
        raise PermissionDenied(_("Only the student's learning manager records the handover."))


def _not_signed_off(handover: Handover) -> None:
    if handover.signed_off:
        raise ValidationError(_("This handover is signed off and can no longer change."))


def _received(handover: Handover) -> None:
    if handover.received_at is None:
        raise ValidationError(_("Confirm receiving the file first (H1)."))


def _when(at: datetime | None) -> datetime:
    """When a step happened: now, or earlier when the manager records it afterwards."""
    if at is None:
        return timezone.now()
    if calendar.require_aware(at, "at") > timezone.now():
        raise ValidationError(_("This cannot be in the future."))
    return at


@transaction.atomic
def handover_start(*, contract, manager, actor) -> Handover:
    """The contract's student has a learning manager: the handover exists and H1 runs from the signing."""
    handover, created = Handover.objects.get_or_create(
        contract=contract,
        defaults={
            "student": contract.student,
            "campus_id": contract.student.campus_id,
            "manager": manager,
            "consultant": contract.consultant,
        },
    )
    if created:
        _record(handover, "handover.started", actor, data={"number": contract.number})
    deadline_open(rule="H1", subject=handover, owner=handover.manager, start=contract.signed_at, actor=actor)
    return handover


@transaction.atomic
def handover_receive(
    *, handover: Handover, actor, review: dict[str, bool], at: datetime | None = None
) -> bool:
    """H1/H2: the manager has the file and has reviewed it. False if it was already received."""
    _manager_only(handover, actor)
    _not_signed_off(handover)
    now = _when(at)
    checked = {item: bool(review.get(item)) for item in REVIEW_ITEMS}
    if not Handover.objects.filter(pk=handover.pk, received_at=None).update(received_at=now, review=checked):
        return False  # a double click or a second tab
    handover.refresh_from_db()
    _record(handover, "handover.received", actor, data={"review": checked})
    deadline_meet(rule="H1", subject=handover, actor=actor, at=now)
    deadline_open(rule="H3", subject=handover, owner=handover.manager, start=now, actor=actor)
    deadline_open(rule="H4", subject=handover, owner=handover.manager, start=now, actor=actor)
    return True


@transaction.atomic
def handover_intro_call(
    *, handover: Handover, actor, notes: str, file_changes: dict, at: datetime | None = None
) -> bool:
    """H3: the introductory call to the parent; what the parent told goes into the personal file."""
    _manager_only(handover, actor)
    _not_signed_off(handover)
    _received(handover)
    now = _when(at)
    if not Handover.objects.filter(pk=handover.pk, intro_call_at=None).update(
        intro_call_at=now, intro_call_notes=notes
    ):
        return False
    student_file_update(student=handover.student, actor=actor, changes=file_changes)
    _record(handover, "handover.intro_call", actor, reason=notes)
    deadline_meet(rule="H3", subject=handover, actor=actor, at=now)
    return True


@transaction.atomic
def handover_consultant_talk(
    *, handover: Handover, actor, notes: str, paper_handover_at: datetime, lesson_arrangement: str
) -> bool:
    """H4: the talk with the consultant, fixing when the paper file comes and how lessons are arranged."""
    _manager_only(handover, actor)
    _not_signed_off(handover)
    _received(handover)
    calendar.require_aware(paper_handover_at, "paper_handover_at")
    now = timezone.now()
    changed = Handover.objects.filter(pk=handover.pk, consultant_talk_at=None).update(
        consultant_talk_at=now,
        consultant_talk_notes=notes,
        paper_handover_at=paper_handover_at,
        lesson_arrangement=lesson_arrangement,
    )
    if not changed:
        return False
    _record(handover, "handover.consultant_talk", actor, reason=notes)
    deadline_meet(rule="H4", subject=handover, actor=actor, at=now)
    return True


def paper_item_names(campus_id: int) -> list[str]:
    """The items a campus's paper file must hold: the company's and the campus's own, each name once."""
    kinds = PaperItemKind.objects.filter(Q(campus=None) | Q(campus_id=campus_id), is_active=True)
    return list(dict.fromkeys(kinds.order_by("order", "pk").values_list("name", flat=True)))


@transaction.atomic
def handover_paper_check(*, handover: Handover, actor, items: list[tuple[str, bool, date | None]]) -> bool:
    """H5: each item present, or missing with the date the consultant agrees to bring it; each missing
    item is a deadline of the consultant's."""
    _manager_only(handover, actor)
    _not_signed_off(handover)
    _received(handover)
    today = timezone.localdate()
    for name, present, promised_on in items:
        if not present and (promised_on is None or promised_on < today):
            raise ValidationError(_("Give each missing item a date from today on: %(name)s") % {"name": name})
    if not Handover.objects.filter(pk=handover.pk, paper_checked_at=None).update(
        paper_checked_at=timezone.now()
    ):
        return False
    missing = []
    for name, present, promised_on in items:
        item = PaperItem.objects.create(
            handover=handover, name=name, present=present, promised_on=None if present else promised_on
        )
        if not present:
            missing.append(name)
            due = calendar.end_of_working_day(promised_on, handover.campus)
            deadline_open(rule="H5", subject=item, owner=handover.consultant, event=due, actor=actor)
    _record(handover, "handover.paper_checked", actor, data={"missing": missing})
    return True


@transaction.atomic
def paper_item_receive(*, item: PaperItem, actor) -> bool:
    """A missing paper-file item has been brought: the consultant's H5 deadline is met."""
    handover = item.handover
    if actor.pk not in (handover.manager_id, handover.consultant_id):
        raise PermissionDenied(_("Only the manager or the consultant of this handover may do this."))
    # Signing off notes the missing items with their dates; bringing them comes after, by design.
    now = timezone.now()
    if not PaperItem.objects.filter(pk=item.pk, present=False).update(present=True, received_at=now):
        return False
    _record(handover, "handover.item_received", actor, data={"item": item.name})
    deadline_meet(rule="H5", subject=item, actor=actor, at=now)
    return True


@transaction.atomic
def handover_sign(*, handover: Handover, actor) -> bool:
    """The manager and the consultant each sign the receipt from their own account; after both, the
    handover is read-only. False if this person had already signed."""
    if actor.pk == handover.manager_id:
        field = "manager_signed_at"
    elif actor.pk == handover.consultant_id:
        field = "consultant_signed_at"
    else:
        raise PermissionDenied(_("Only the manager or the consultant of this handover may sign it."))
    handover = Handover.objects.select_for_update().get(pk=handover.pk)
    if None in (handover.intro_call_at, handover.consultant_talk_at, handover.paper_checked_at):
        raise ValidationError(
            _("Record the intro call, the talk with the consultant and the paper check first.")
        )
    if not Handover.objects.filter(pk=handover.pk, **{field: None}).update(**{field: timezone.now()}):
        return False
    handover.refresh_from_db()
    _record(handover, "handover.signed", actor)
    if handover.signed_off:
        _record(handover, "handover.signed_off", actor)
    return True


# Pre-class work (P1–P3), counted towards the first lesson.
PRECLASS_RULES = ("P1", "P2", "P3")


def _record_preclass(pre: PreClass, kind: str, actor, **kwargs) -> None:
    timeline_add(
        subject=pre,
        kind=kind,
        campus_id=pre.student.campus_id,
        student_id=pre.student_id,
        actor=actor,
        **kwargs,
    )


@transaction.atomic
def first_lesson_set(
    *,
    student,
    actor,
    starts_at: datetime,
    ends_at: datetime,
    subject: str,
    hours,
    teacher=None,
    classroom: str = "",
    reason: str = "",
) -> PreClass:
    """Sets the first lesson, or moves it: P1–P3 count towards it, and a parent already told of the
    old time must be told again (P2 opens anew)."""
    if not may_plan(actor, student):
        raise PermissionDenied(
            _("Only the scheduler, the director or the student's manager sets the first lesson.")
        )
    if student.manager_id is None:
        raise ValidationError(_("Assign a learning manager before setting the first lesson."))
    if calendar.require_aware(starts_at, "starts_at") <= timezone.now():
        raise ValidationError({"starts_at": _("The first lesson must be in the future.")})
    Student.objects.select_for_update().get(pk=student.pk)  # one first lesson, however many clicks
    lesson_values = {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "subject": subject,
        "hours": hours,
        "teacher": teacher,
        "classroom": classroom,
    }
    pre = PreClass.objects.filter(student=student).select_related("first_lesson").first()
    if pre is None:
        if student.lessons.filter(status__in=BOOKED, starts_at__lt=starts_at).exists():
            raise ValidationError({"starts_at": _("The student already has an earlier lesson booked.")})
        lesson = lesson_book(student=student, **lesson_values)
        pre = PreClass.objects.create(student=student, first_lesson=lesson)
        for rule in PRECLASS_RULES:
            deadline_open(rule=rule, subject=pre, owner=student.manager, event=starts_at, actor=actor)
        _record_preclass(pre, "preclass.first_lesson_set", actor, data={"at": starts_at.isoformat()})
        return pre
    lesson = pre.first_lesson
    if lesson.status != Lesson.Status.SCHEDULED or lesson.starts_at <= timezone.now():
        raise ValidationError(_("The first lesson has begun; it can no longer be moved here."))
    if lesson.starts_at == starts_at and lesson.ends_at == ends_at:
        lesson_book(student=student, lesson=lesson, **lesson_values)  # teacher, room or subject only
        return pre
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the first lesson moves.")})
    old = lesson.starts_at
    lesson_book(student=student, lesson=lesson, **lesson_values)
    for rule in PRECLASS_RULES:
        deadline_reschedule(rule=rule, subject=pre, event=starts_at, actor=actor, reason=reason)
    if pre.parent_told_at:
        PreClass.objects.filter(pk=pre.pk).update(parent_told_at=None, parent_channel="")
        told = Deadline.objects.filter(rule="P2", **_subject(pre)).order_by("-occurrence").first()
        deadline_open(
            rule="P2",
            subject=pre,
            owner=student.manager,
            event=starts_at,
            actor=actor,
            occurrence=told.occurrence + 1,
        )
    _record_preclass(
        pre,
        "preclass.first_lesson_moved",
        actor,
        reason=reason,
        data={"from": old.isoformat(), "at": starts_at.isoformat()},
    )
    pre.refresh_from_db()
    return pre


def _subject(pre: PreClass) -> dict:
    return {"subject_type": ContentType.objects.get_for_model(PreClass), "subject_id": pre.pk}


def _own_student(pre: PreClass, actor) -> None:
    if actor.pk != pre.student.manager_id:
        raise PermissionDenied(_("Only the student's learning manager records the pre-class work."))
    if pre.first_lesson.starts_at <= timezone.now():
        # The sweep closes the open P1–P3 as missed (sweep_lapsed): late for good.
        raise ValidationError(_("The first lesson has begun: this pre-class step was missed."))


@transaction.atomic
def preclass_talk(*, pre: PreClass, actor, notes: str, reports_held: bool) -> bool:
    """P1: the talk with consultant and teacher, holding both of the consultant's reports."""
    _own_student(pre, actor)
    if not reports_held:
        raise ValidationError(_("Hold the learning-situation analysis report and the tutoring draft first."))
    now = timezone.now()
    if not PreClass.objects.filter(pk=pre.pk, talk_at=None).update(talk_at=now, talk_notes=notes):
        return False
    _record_preclass(pre, "preclass.talk", actor, reason=notes)
    deadline_meet(rule="P1", subject=pre, actor=actor, at=now)
    return True


@transaction.atomic
def preclass_parent_told(*, pre: PreClass, actor, channel: str, told_at: datetime) -> bool:
    """P2: the parent was told the first lesson's time, place and subjects — how and when."""
    _own_student(pre, actor)
    if calendar.require_aware(told_at, "told_at") > timezone.now():
        raise ValidationError({"told_at": _("This cannot be in the future.")})
    if told_at < pre.created_at.replace(second=0, microsecond=0):  # the form gives minutes
        raise ValidationError({"told_at": _("The parent can only be told after the first lesson was set.")})
    changed = PreClass.objects.filter(pk=pre.pk, parent_told_at=None).update(
        parent_told_at=told_at, parent_channel=channel
    )
    if not changed:
        return False
    _record_preclass(pre, "preclass.parent_told", actor, data={"channel": channel})
    deadline_meet(rule="P2", subject=pre, actor=actor, at=told_at)
    return True


@transaction.atomic
def preclass_documents_ready(*, pre: PreClass, actor) -> bool:
    """P3: the course schedule and the tutoring draft are ready to give the parent."""
    _own_student(pre, actor)
    now = timezone.now()
    if not PreClass.objects.filter(pk=pre.pk, documents_ready_at=None).update(documents_ready_at=now):
        return False
    _record_preclass(pre, "preclass.documents_ready", actor)
    deadline_meet(rule="P3", subject=pre, actor=actor, at=now)
    return True


# P4: each learning manager's weekend timetable.


def coming_saturday(today: date) -> date:
    """The Saturday of the weekend ahead; on a weekend day, the next one (this one is under way)."""
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


@transaction.atomic
def weekend_timetables_open(*, today: date) -> int:
    """Opens P4 for every active learning manager for the coming weekend; safe to run again (beat runs
    it every morning). Returns how many managers have a timetable to confirm."""
    saturday = coming_saturday(today)
    weekend = datetime.combine(saturday, time(0, 0), tzinfo=calendar.local_zone())
    managers = User.objects.filter(role=Role.LEARNING_MANAGER, is_active=True, campus__isnull=False)
    for manager in managers.select_related("campus"):
        timetable, _created = WeekendTimetable.objects.get_or_create(manager=manager, saturday=saturday)
        deadline_open(rule="P4", subject=timetable, owner=manager, event=weekend)
    return managers.count()


@transaction.atomic
def weekend_timetable_confirm(*, timetable: WeekendTimetable, actor) -> bool:
    """P4 met: the manager has checked the weekend's students, slots and teachers."""
    if actor.pk != timetable.manager_id:
        raise PermissionDenied(_("Only the learning manager confirms their weekend timetable."))
    now = timezone.now()
    if not WeekendTimetable.objects.filter(pk=timetable.pk, confirmed_at=None).update(confirmed_at=now):
        return False
    timeline_add(
        subject=timetable,
        kind="weekend.confirmed",
        campus_id=actor.campus_id,
        actor=actor,
        data={"saturday": timetable.saturday.isoformat()},
    )
    deadline_meet(rule="P4", subject=timetable, actor=actor, at=now)
    return True
