"""Thin entry points for Celery; each is safe to run twice."""

from celery import shared_task

from .figures import figures_refresh


@shared_task(name="reports.figures_refresh")
def report_figures_refresh(days: int) -> dict[str, int]:
    return figures_refresh(days=days)
