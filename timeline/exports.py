"""An export answered and written to the access log: one entry per workbook, naming the page and its
filters, on the campus of the export's scope (config.exports builds the workbook); an export longer
than a request builds answered by its job's progress page, built by the worker and logged when
downloaded (timeline.export_jobs); and the access log's own export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from config.exports import (
    CONTENT_TYPE,
    DATETIME,
    FORMAT,
    Column,
    Export,
    Sheet,
    filters_shown,
    rows_over,
    xlsx_file,
)

from . import export_jobs
from .models import Access, ExportJob
from .selectors import ACTOR_MATCHES
from .services import access_record

JOB_TEMPLATE = "timeline/export_job.html"


def export_response(request, export: Export, *, campus_id: int | None = None) -> HttpResponse:
    """The workbook of a page, its access recorded. `campus_id`: the campus the reader chose, if any;
    else the reader's own (none for a company-wide reader: the entry is the company's). Longer than
    a request builds: the page of its job, built by the worker; asked by the worker: written there."""
    job = getattr(request, export_jobs.MARKER, None)
    if job is not None:
        return export_jobs.export_job_write(job, export)
    campus_id = campus_id or request.user.campus_id
    expected = rows_over(export)
    if expected is not None:
        job = export_jobs.export_job_start(
            user=request.user,
            address=request.get_full_path_info(),
            export=export,
            campus_id=campus_id,
            language=translation.get_language() or "",
            expected=expected,
        )
        return _job_page(request, job)
    at = timezone.now()
    response = xlsx_file(export, at=at)  # built first: a failed export is not logged as one
    access_record(
        actor=request.user, action=Access.Action.EXPORT, campus_id=campus_id, detail=export.detail()
    )
    return response


def _job_page(request, job: ExportJob) -> TemplateResponse:
    """The job's progress, polled by htmx for its fragment while it runs."""
    path, _mark, query = job.address.partition("?")
    page = QueryDict(query, mutable=True)
    page.pop(FORMAT, None)
    context = {"job": job, "page_address": f"{path}?{page.urlencode()}" if page else path}
    template = f"{JOB_TEMPLATE}#progress" if request.htmx else JOB_TEMPLATE
    return TemplateResponse(request, template, context)


@login_required
@require_GET
def export_job_view(request, pk: int):
    """The export's address: its progress while it is built (and for htmx), its file once ready —
    to its own user only, anyone else 404 — each download an entry of the access log."""
    job = export_jobs.export_job_expire(get_object_or_404(ExportJob, pk=pk, user=request.user))
    if job.status != ExportJob.Status.DONE or request.htmx:
        return _job_page(request, job)
    try:
        file = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    access_record(actor=request.user, action=Access.Action.EXPORT, campus_id=job.campus_id, detail=job.detail)
    name = Export(job.title).filename(job.finished_at or job.created_at)
    return FileResponse(file, as_attachment=True, filename=name, content_type=CONTENT_TYPE)


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
