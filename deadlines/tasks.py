"""Thin entry points for Celery; each is safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="deadlines.sweep")
def sweep_deadlines() -> str:
    return str(services.sweep())


@shared_task(name="deadlines.deliver")
def deliver_notifications() -> tuple[int, int]:
    return services.deliver_pending()
