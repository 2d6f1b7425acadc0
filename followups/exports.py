"""The follow-up lists as workbooks: the callbacks and talks due this week, and the renewal list, with
the columns of templates/followups/list.html — the learning manager's column for those the page shows
it to —, and the students of the exam calendar (config/exports.py)."""

from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from config import exports
from config.exports import Column, Export, Sheet
from deadlines.models import Status
from students.models import Student

from .models import Renewal
from .selectors import runs_out_on

OUTCOMES = {
    Renewal.Outcome.RENEWED: _("Renewed"),
    Renewal.Outcome.DECLINED: _("Declined"),
}


def callback_columns(*, now: datetime, with_manager: bool) -> tuple[Column, ...]:
    manager = (Column(_("Learning manager"), "owner.display_name", width=14),) if with_manager else ()
    return (
        Column(_("Student"), "student.full_name", width=16),
        *manager,
        Column(_("Rule"), "rule"),
        Column(_("What is due"), "title", width=30),
        Column(_("When"), "due_at", exports.DATETIME),
        Column(_("Overdue"), lambda deadline: deadline.due_at <= now),
    )


def _hours_left(student: Student):
    return 0 if student.status == Student.Status.ENDED else student.hours_left


def _last_answer(student: Student):
    if not student.last_outcome:
        return _("not asked yet")
    return OUTCOMES.get(student.last_outcome, _("Not decided yet"))


def renewal_columns(*, today: date, with_manager: bool) -> tuple[Column, ...]:
    manager = (Column(_("Learning manager"), "manager.display_name", width=14),) if with_manager else ()
    return (
        Column(_("Student"), "full_name", width=16),
        Column(_("Status"), "get_status_display"),
        *manager,
        Column(_("Hours left"), _hours_left, exports.HOURS),
        Column(_("Hours a week"), lambda student: student.recent_hours / 4, exports.HOURS),
        Column(_("Runs out"), lambda s: runs_out_on(s.hours_left, s.recent_hours, today), exports.DATE),
        Column(_("Renewal task"), "renewal_due_at", exports.DATETIME),
        Column(_("Last talk"), "last_talk_at", exports.DATE),
        Column(_("Answer"), _last_answer),
        Column(_("Note"), "last_note", width=30),
    )


def followup_list_export(rows, form, *, due_week: bool, with_manager: bool, now: datetime, today: date):
    """The list of the page (followups.selectors.callbacks_due or renewal_list, with its filters),
    every row."""
    if due_week:
        title = _("Callbacks and talks due this week")
        columns = callback_columns(now=now, with_manager=with_manager)
    else:
        title = _("Renewal list")
        columns = renewal_columns(today=today, with_manager=with_manager)
    return Export(title, exports.filters_shown(form, skip=("due",)), [Sheet(title, columns, rows)])


def _clock_status(sitting):
    return Status(sitting.clock_status).label if sitting.clock_status else None


EXAM_COLUMNS = (
    Column(_("exam date"), "exam.date", exports.DATE),
    Column(_("exam"), "exam.get_kind_display"),
    Column(_("school"), "exam.school", width=20),
    Column(_("grades"), lambda sitting: "、".join(sitting.exam.grades)),
    Column(_("Student"), "student.full_name", width=16),
    Column(_("Learning manager"), lambda s: s.student.manager.display_name if s.student.manager else None),
    Column(_("Score task"), _clock_status, width=14),
    Column(_("due"), "clock_due_at", exports.DATETIME),
)


def exam_calendar_export(sittings) -> Export:
    """The students of the exam calendar (followups.selectors.exam_calendar: the page's exams, or its
    one exam), each with their score task (L5)."""
    title = _("Exam calendar")
    return Export(title, [], [Sheet(title, EXAM_COLUMNS, sittings)])
