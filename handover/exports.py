"""The handover list as a workbook: the columns of templates/handover/list.html, its progress badges
one column a step (H1, H3, H4, H5: late, done or still open) (config/exports.py)."""

from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from config.exports import Column, Export, Sheet

from .models import Handover


def _step(late: str, done: str):
    """A step as its badge says it: late (its clock ran over, done by now or not), done, or open."""

    def state(handover: Handover):
        if getattr(handover, late):
            return _("late")
        return _("done") if getattr(handover, done) else None

    return state


def _signed(handover: Handover):
    return _("signed off") if handover.signed_off else _("signing")


HANDOVER_COLUMNS = (
    Column(_("Student"), "student.full_name", width=16),
    Column(_("contract number"), "contract.number", width=16),
    Column(_("Learning manager"), "manager.display_name", width=14),
    Column(_("consultant"), "consultant.display_name", width=14),
    Column(format_lazy("H1 {}", _("File received")), _step("h1_late", "received_at")),
    Column(format_lazy("H3 {}", _("Intro call")), _step("h3_late", "intro_call_at")),
    Column(format_lazy("H4 {}", _("Talk with the consultant")), _step("h4_late", "consultant_talk_at")),
    Column(format_lazy("H5 {}", _("Paper file")), _step("h5_late", "paper_checked_at")),
    Column(_("Progress"), _signed),
)


def handover_list_export(handovers: QuerySet[Handover]) -> Export:
    """Every handover of handover.selectors.handover_list (the reader's scope), in its order."""
    title = _("Handover")
    return Export(title, [], [Sheet(title, HANDOVER_COLUMNS, handovers)])
