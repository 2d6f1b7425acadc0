"""A list's workbook longer than a request may build (config.exports.ROW_CEILING), built by the worker.

The list's view, asked ?format=xlsx, finds its export over the ceiling (config.exports.rows_over)
and timeline.exports answers a progress page instead of the file: `export_job_start` queues a job
of the user and the page's address — the same address asked again while its job is queued or
running finds that job (a unique constraint, not a look-up alone). The worker (`export_job_run`)
claims the job, then asks the same view for the same address as the same user, marked (the request
attribute MARKER): the view chooses its rows as it always does — its scope, its filters — and its
export_response, finding the marker, writes every row to the job's file in the default storage,
`exports/<user id>/<random>.xlsx`, telling the job its progress every CHUNK rows. So there is no
second way of choosing what a list exports.

Each step is a compare-and-set on the status: a task delivered twice finds its job no longer queued
and does nothing. A job silent for STALE_AFTER (its worker died, or none took it) is failed when its
page or its address is next asked. Its user downloads the file (timeline.exports.export_job_view,
each download an entry of the access log); `export_jobs_clean` (beat, hourly) deletes the jobs and
their files after KEPT.
"""

import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from celery import current_app
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config import exports

from .models import ExportJob

logger = logging.getLogger(__name__)
Status = ExportJob.Status
ACTIVE = (Status.QUEUED, Status.RUNNING)
# The request attribute that tells export_response it answers the worker: the job it writes.
MARKER = "export_job"
# The worker's task (config.export_worker), named: this layer does not import the project's.
BUILD_TASK = "timeline.export_build"
FOLDER = "exports"
KEPT = timedelta(days=1)
# A worker tells its progress every CHUNK rows (a second or two): silent this long, it is gone.
STALE_AFTER = timedelta(minutes=10)


def _failed() -> str:
    return _("The export failed: try again.")


class Stopped(Exception):
    """The job was given up on (failed as stale, or cleaned) while its worker was writing."""


class Written(HttpResponse):
    """What the view answers the worker: the workbook is in the job's file."""

    def __init__(self, rows: int):
        super().__init__(status=204)
        self.rows = rows


def export_job_start(*, user, address: str, export: exports.Export, campus_id, language: str, expected: int):
    """The job building this export of `address` for `user`: the one queued or running, or a new one
    handed to the worker once committed."""
    _expire(ExportJob.objects.filter(user=user, address=address))
    job = _active(user, address)
    if job is not None:
        return job
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(
                user=user,
                address=address,
                title=str(export.title)[:200],
                detail=export.detail()[:200],
                campus_id=campus_id,
                language=language,
                rows_expected=expected,
            )
    except IntegrityError:  # a parallel request (a double click) queued it first
        return _active(user, address) or ExportJob.objects.filter(user=user, address=address).latest("pk")
    transaction.on_commit(lambda: _dispatch(job.pk))
    return job


def _active(user, address: str) -> ExportJob | None:
    return ExportJob.objects.filter(user=user, address=address, status__in=ACTIVE).first()


def _dispatch(job_id: int) -> None:
    """Hands the job to a worker; if the broker does not answer, the job says so rather than wait."""
    try:
        current_app.tasks[BUILD_TASK].delay(job_id)
    except Exception:
        logger.exception("export %s could not be queued", job_id)
        _fail(job_id, was=Status.QUEUED)


def _fail(job_id: int, *, was: str) -> bool:
    changes = {"status": Status.FAILED, "error": _failed(), "finished_at": timezone.now()}
    return bool(ExportJob.objects.filter(pk=job_id, status=was).update(**changes))


def _expire(jobs) -> int:
    """Fails the jobs among `jobs` whose worker has been silent for STALE_AFTER."""
    cutoff = timezone.now() - STALE_AFTER
    stale = jobs.filter(status__in=ACTIVE, touched_at__lt=cutoff)
    changed = stale.update(status=Status.FAILED, error=_failed(), finished_at=timezone.now())
    if changed:
        logger.warning("%s export(s) gave up after %s without progress", changed, STALE_AFTER)
    return changed


def export_job_expire(job: ExportJob) -> ExportJob:
    """The job as its page shows it: failed if its worker has been silent too long."""
    if job.running and _expire(ExportJob.objects.filter(pk=job.pk)):
        job.refresh_from_db()
    return job


def export_job_run(*, job_id: int, ask: Callable[[ExportJob], HttpResponse]) -> ExportJob | None:
    """The worker's step: a queued job is claimed and built by `ask`, which asks the page's own view
    (config.export_worker: the project's layer, which reaches every app's views); any other job is
    left alone (a task delivered twice). None if the job is gone (cleaned)."""
    job = _claim(job_id)
    if job is None:
        return ExportJob.objects.filter(pk=job_id).first()
    try:
        answer = ask(job)
    except Stopped:
        logger.warning("export %s was given up on while being built", job.pk)
        default_storage.delete(job.file.name)
        return ExportJob.objects.filter(pk=job_id).first()
    except Exception:
        logger.exception("export %s failed", job.pk)
        answer = None
    if not isinstance(answer, Written):
        if answer is not None:
            logger.warning("export %s: its page answered %s, not the workbook", job.pk, answer.status_code)
        with translation.override(job.language):
            _fail(job.pk, was=Status.RUNNING)
        default_storage.delete(job.file.name)
    elif not _finish(job, answer.rows):
        default_storage.delete(job.file.name)  # given up on meanwhile: the page says to try again
    return ExportJob.objects.filter(pk=job_id).first()


def _claim(job_id: int) -> ExportJob | None:
    """The job, now running with the name of its file, if it was queued."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id, status=Status.QUEUED).first()
        if job is None:
            return None
        job.status, job.touched_at = Status.RUNNING, timezone.now()
        # Named before it is written, so the clean finds the file of a worker that died writing it.
        job.file.name = f"{FOLDER}/{job.user_id}/{secrets.token_hex(16)}.xlsx"
        job.save(update_fields=["status", "touched_at", "file"])
    return job


def _finish(job: ExportJob, rows: int) -> bool:
    changes = {
        "status": Status.DONE,
        "rows_written": rows,
        "finished_at": timezone.now(),
        "file": job.file.name,
    }
    return bool(ExportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(**changes))


def export_job_write(job: ExportJob, export: exports.Export) -> Written:
    """The export written to the job's file, every row up to what a sheet of Excel holds (the view's
    export_response, asked by the worker)."""
    ExportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
        rows_expected=exports.rows_counted(export), touched_at=timezone.now()
    )
    progress = partial(_progress, job.pk)
    file, rows = exports.spooled_workbook(
        export, at=timezone.now(), ceiling=exports.BUILT_CEILING, progress=progress
    )
    with file:
        job.file.name = default_storage.save(job.file.name, File(file))  # its name, unless taken
    return Written(rows)


def _progress(job_id: int, rows: int) -> None:
    """CHUNK more rows written, in its own short transaction so that the job's page sees it."""
    with transaction.atomic():
        if not ExportJob.objects.filter(pk=job_id, status=Status.RUNNING).update(
            rows_written=rows, touched_at=timezone.now()
        ):
            raise Stopped


def export_jobs_clean(*, older_than: datetime, batch: int = 500) -> int:
    """Deletes the jobs created before `older_than` and their files; returns how many jobs. Safe to
    run twice at once: a file already deleted is no error, a job deleted twice is deleted once."""
    deleted = 0
    while True:
        jobs = list(ExportJob.objects.filter(created_at__lt=older_than).order_by("created_at")[:batch])
        if not jobs:
            return deleted
        for job in jobs:
            if job.file.name:
                default_storage.delete(job.file.name)
        deleted += ExportJob.objects.filter(pk__in=[job.pk for job in jobs]).delete()[0]
