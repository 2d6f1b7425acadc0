from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="handover.weekend_timetables_open")
def weekend_timetables_open() -> int:
    """Every morning: each learning manager's P4 for the coming weekend (opening it again changes nothing)."""
    return services.weekend_timetables_open(today=timezone.localdate())
