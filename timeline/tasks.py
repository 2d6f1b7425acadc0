from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .export_jobs import KEPT, export_job_run, export_jobs_clean
from .services import access_log_purge


@shared_task(name="timeline.access_log_purge")
def access_log_purge_task() -> int:
    """Daily: the access log keeps ACCESS_LOG_DAYS days. Safe to run twice."""
    return access_log_purge(older_than=timezone.now() - timedelta(days=settings.ACCESS_LOG_DAYS))


@shared_task(name="timeline.export_build")
def export_build_task(job_id: int) -> str | None:
    """A list's workbook too long for its request. Safe to run twice: a job not queued is left alone."""
    job = export_job_run(job_id=job_id)
    return job.status if job else None


@shared_task(name="timeline.export_jobs_clean")
def export_jobs_clean_task() -> int:
    """Hourly: the exports and their files are kept a day. Safe to run twice."""
    return export_jobs_clean(older_than=timezone.now() - KEPT)
