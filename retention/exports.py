"""The retention board as a workbook: the open cases (every stage, or the stage chosen) or the closed
ones, with the columns of templates/retention/list.html (config/exports.py)."""

from django.db.models import Case as Choose
from django.db.models import IntegerField, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from config import exports
from config.exports import Column, Export, Sheet

from .models import Case
from .selectors import board_in_full
from .steps import next_step

STAGE_ORDER = Choose(
    *(When(stage=stage, then=Value(n)) for n, stage in enumerate(Case.Stage.values)),
    output_field=IntegerField(),
)


def _step(case: Case) -> None:
    case.step = next_step(case)


def _manager(case: Case) -> str:
    return case.manager.display_name


def _next_step(case: Case):
    return case.step.label if case.step else None


def _escalated(case: Case):
    return _("Escalated") if case.clock_status == "escalated" else None


CLOSED_COLUMNS = (
    Column(_("Student"), "student.full_name", width=16),
    Column(_("Learning manager"), _manager, width=14),
    Column(_("Raised"), "raised_at", exports.DATE),
    Column(_("Outcome"), "get_outcome_display"),
    Column(_("Closed"), "closed_at", exports.DATE),
)
OPEN_COLUMNS = (
    Column(_("Student"), "student.full_name", width=16),
    Column(_("Kind"), "get_kind_display"),
    Column(_("Learning manager"), _manager, width=14),
    Column(_("Raised"), "raised_at", exports.DATE),
    Column(_("Next step"), _next_step, width=36),
    Column(_("Rule"), "clock_rule"),
    Column(_("due"), "clock_due_at", exports.DATETIME),
    Column(_("Escalated"), _escalated),
)
# The board shows every stage's cases, each with what was noticed.
BOARD_COLUMNS = (
    Column(_("Stage"), "get_stage_display", width=14),
    *OPEN_COLUMNS[:4],
    Column(_("What was noticed"), "description", width=40),
    *OPEN_COLUMNS[4:],
)


def case_list_export(cases: QuerySet[Case], form, *, closed: bool, stage: str) -> Export:
    """The cases of retention.selectors.board (the page's choice and scope), every one: the closed
    cases, one stage's, or the board's, stage by stage as its columns."""
    if closed:
        title, columns = _("Closed cases"), CLOSED_COLUMNS
    elif stage:
        title, columns = Case.Stage(stage).label, OPEN_COLUMNS
    else:
        title, columns = _("Open cases"), BOARD_COLUMNS
        cases = cases.order_by(STAGE_ORDER, *cases.query.order_by)
    heading = f"{_('Retention')} · {title}"
    sheet = Sheet(title, columns, board_in_full(cases), each=_step)
    return Export(heading, exports.filters_shown(form, skip=("stage", "closed")), [sheet])
