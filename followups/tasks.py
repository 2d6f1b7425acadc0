from celery import shared_task
from django.utils import timezone

from . import renewal, scores


@shared_task(name="followups.growth_records_open")
def growth_records_open() -> int:
    """Every morning: this month's L6 for each active student (opening it again changes nothing)."""
    return scores.growth_records_open(today=timezone.localdate())


@shared_task(name="followups.renewals_open")
def renewals_open() -> int:
    """Every morning: R1 for students below their campus's renewal threshold (once per contract)."""
    return renewal.renewals_open()
