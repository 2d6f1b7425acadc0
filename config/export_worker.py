"""The worker's side of an export too long for its request (timeline.export_jobs): the page's own view,
asked for the job's address by the job's user. In the project's layer, as the URL resolver is: it
reaches every app's views, which the timeline below them may not import."""

from importlib import import_module

from celery import shared_task
from django.conf import settings
from django.contrib.messages.storage import default_storage as message_storage
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve
from django.utils import translation
from django_htmx.middleware import HtmxDetails

from timeline.export_jobs import BUILD_TASK, MARKER, export_job_run
from timeline.models import ExportJob


def ask_view(job: ExportJob) -> HttpResponse:
    """The page's own view, asked for the job's address by the job's user, marked for the worker."""
    if not job.user.is_active:
        raise PermissionError(f"user {job.user_id} is no longer active")
    request = RequestFactory().get(job.address)
    request.user = job.user
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()  # never saved
    request._messages = message_storage(request)  # a refusal's message goes nowhere
    request.htmx = HtmxDetails(request)
    request.LANGUAGE_CODE = job.language
    setattr(request, MARKER, job)
    match = resolve(request.path_info)
    with translation.override(job.language):
        return match.func(request, *match.args, **match.kwargs)


@shared_task(name=BUILD_TASK)
def export_build_task(job_id: int) -> str | None:
    """A list's workbook too long for its request. Safe to run twice: a job not queued is left alone."""
    job = export_job_run(job_id=job_id, ask=ask_view)
    return job.status if job else None
