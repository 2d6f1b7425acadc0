from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .export_jobs import KEPT, export_jobs_clean
from .services import access_log_purge


@shared_task(name="timeline.access_log_purge")
def access_log_purge_task() -> int:
    """Daily: the access log keeps ACCESS_LOG_DAYS days. Safe to run twice."""
    return access_log_purge(older_than=timezone.now() - timedelta(days=settings.ACCESS_LOG_DAYS))


@shared_task(name="timeline.export_jobs_clean")
def export_jobs_clean_task() -> int:
    """Hourly: the exports and their files are kept a day. Safe to run twice."""
    return export_jobs_clean(older_than=timezone.now() - KEPT)
