"""The student list as a workbook: the columns of templates/students/list.html, every row of the list
with the page's filters (config/exports.py)."""

from django.utils.translation import gettext_lazy as _

from config import exports
from config.exports import Column, Export, Sheet

from .models import Student
from .selectors import Caseload, status_shown


def _manager(student: Student) -> str:
    return student.manager.display_name if student.manager else _("not assigned")


def _hours_left(student: Student):
    """As the list shows them: none left once refunded or all used."""
    if student.status in (Student.Status.REFUNDED, Student.Status.ENDED):
        return 0
    return student.hours_left


STUDENT_COLUMNS = (
    Column(_("Student"), "full_name", width=16),
    Column(_("Status"), "get_status_display"),
    Column(_("Grade"), "grade"),
    Column(_("Learning manager"), _manager, width=14),
    Column(_("Hours left"), _hours_left, exports.HOURS),
    Column(_("Next lesson"), "next_lesson_at", exports.DATETIME),
    Column(_("Open deadlines"), "open_deadlines", exports.WHOLE),
    Column(_("Overdue"), "late_deadlines", exports.WHOLE),
)


def student_list_export(students: Caseload, form) -> Export:
    """The list of `students` (students.selectors.caseload, with the page's filters) as the page
    shows it: its statuses as shown (ended once the hours are gone)."""
    title = _("Students")
    sheet = Sheet(title, STUDENT_COLUMNS, students.in_order(), each=status_shown)
    return Export(title, exports.filters_shown(form), [sheet])
