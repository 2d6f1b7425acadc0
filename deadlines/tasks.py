"""Thin entry points for Celery; each is safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="deadlines.sweep")
def sweep_deadlines() -> str:
    result = services.sweep()
    if result.notified:
        deliver_notifications.delay()  # what is deliverable now goes out at once, not at the next tick
    return str(result)


@shared_task(name="deadlines.deliver")
def deliver_notifications() -> tuple[int, int]:
    return services.deliver_pending()
