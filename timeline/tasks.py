from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .services import access_log_purge


@shared_task(name="timeline.access_log_purge")
def access_log_purge_task() -> int:
    """Daily: the access log keeps ACCESS_LOG_DAYS days. Safe to run twice."""
    return access_log_purge(older_than=timezone.now() - timedelta(days=settings.ACCESS_LOG_DAYS))
