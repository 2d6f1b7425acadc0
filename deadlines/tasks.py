"""Thin entry points for Celery; each is safe to run twice."""

from celery import shared_task

from . import digest, services


@shared_task(name="deadlines.sweep")
def sweep_deadlines() -> str:
    result = services.sweep()
    if result.notified:
        deliver_notifications.delay()  # what is deliverable now goes out at once, not at the next tick
    return str(result)


@shared_task(name="deadlines.deliver")
def deliver_notifications() -> tuple[int, int]:
    return services.deliver_pending()


@shared_task(name="deadlines.digests")
def make_digests() -> int:
    made = digest.digests_make()
    if made:
        deliver_notifications.delay()  # the morning's messages go out now, not at the next tick
    return made
