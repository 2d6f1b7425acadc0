from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(name="accounts.sessions_clear")
def sessions_clear() -> int:
    """Daily housekeeping: deletes expired sign-in sessions; returns how many. Safe to run twice."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
