"""An export answered and written to the access log: one entry per workbook, naming the page and its
filters, on the campus of the export's scope (config.exports builds the workbook); and the access
log's own export."""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from config.exports import DATETIME, FORMAT, Column, Export, Sheet, filters_shown, xlsx_file

from .models import Access
from .selectors import ACTOR_MATCHES
from .services import access_record


def export_response(request, export: Export, *, campus_id: int | None = None) -> FileResponse:
    """The workbook of a page, its access recorded. `campus_id`: the campus the reader chose, if any;
    else the reader's own (none for a company-wide reader: the entry is the company's)."""
    at = timezone.now()
    response = xlsx_file(export, at=at)  # built first: a failed export is not logged as one
    access_record(
        actor=request.user,
        action=Access.Action.EXPORT,
        campus_id=campus_id or request.user.campus_id,
        detail=export.detail(),
    )
    return response


def export_refused(request) -> None:
    """The page is shown instead of its workbook: its filters hold a mistake, which it says. Its own
    links (the pages, the export's) are built without ?format=xlsx from here on."""
    messages.error(request, _("Correct the filters to export this list."))
    query = request.GET.copy()
    query.pop(FORMAT, None)
    query._mutable = False
    request.GET = query


def _student(entry: Access):
    return entry.student.full_name if entry.student else None


ACCESS_COLUMNS = (
    Column(_lazy("When"), "at", DATETIME),
    Column(_lazy("Who"), "actor.display_name", width=14),
    Column(_lazy("What"), "get_action_display", width=18),
    Column(_lazy("Student"), _student, width=16),
    Column(_lazy("Which"), "detail", width=40),
)


def access_log_export(entries: QuerySet[Access], form, *, too_many: bool = False) -> Export:
    """The access log of the page (timeline.selectors.access_log, its filters and scope), every entry;
    the page's note when its "by whom" named more people than it searches."""
    title = _lazy("Access log")
    note = ""
    if too_many:
        note = _(
            "More than %(n)s people match these letters: only the entries of the first %(n)s by name "
            "are listed. Type more of the name."
        ) % {"n": ACTOR_MATCHES}
    return Export(title, filters_shown(form), [Sheet(title, ACCESS_COLUMNS, entries, note=note)])
