"""Quick entry of follow-up records from the student page.

Each form posts with htmx: its errors come back in place (the section re-rendered); a saved record
reloads the page, so the deadlines and the timeline show it too. Without JavaScript the same views
answer with a page of their own.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from students.models import Lesson
from students.selectors import students_for
from students.services import can_edit_file

from . import services
from .forms import CallbackForm, ConcernForm, ConcernHandleForm, GrowthForm, ScoreForm
from .models import Concern
from .sections import callback_section, concern_section, growth_section, score_section


@dataclass(frozen=True)
class Entry:
    """One kind of quick entry: its form, the service that records it, and the section it lives in."""

    form: type
    record: Callable
    section: Callable
    template: str
    anchor: str
    saved: Promise
    may: Callable = can_edit_file


ENTRIES = {
    "callback": Entry(
        CallbackForm,
        services.callback_record,
        callback_section,
        "followups/_callbacks.html",
        "#callbacks",
        gettext_lazy("Callback recorded."),
    ),
    "score": Entry(
        ScoreForm,
        services.score_record,
        score_section,
        "followups/_scores.html",
        "#scores",
        gettext_lazy("Score recorded."),
    ),
    "growth": Entry(
        GrowthForm,
        services.growth_record_add,
        growth_section,
        "followups/_growth.html",
        "#growth",
        gettext_lazy("Growth record saved."),
    ),
    "concern": Entry(
        ConcernForm,
        services.concern_raise,
        concern_section,
        "followups/_concerns.html",
        "#concerns",
        gettext_lazy("Concern raised."),
        may=lambda user, student: user.role in services.CONCERN_RAISERS,
    ),
}


def _saved(request, student, anchor: str, message: str):
    """A follow-up record saved: say so on the student page, reloaded so every section shows it."""
    messages.success(request, message)
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect(f"{student.get_absolute_url()}{anchor}")


def _section(request, student, template: str, context: dict):
    """The section with the form's errors: in place for htmx, else as a page of its own."""
    context = {"student": student, "can_edit_file": can_edit_file(request.user, student), **context}
    if request.htmx:
        return TemplateResponse(request, template, context)
    return TemplateResponse(request, "followups/section_page.html", {**context, "section": template})


@login_required
@require_POST
def entry_new(request, student_id: int, kind: str):
    entry = ENTRIES[kind]
    student = get_object_or_404(students_for(request.user), pk=student_id)
    if not entry.may(request.user, student):
        raise PermissionDenied
    form = entry.form(request.POST)
    if form.is_valid():
        try:
            entry.record(student=student, actor=request.user, **form.cleaned_data)
            return _saved(request, student, entry.anchor, entry.saved)
        except ValidationError as error:
            form.add_error(None, error)
    return _section(request, student, entry.template, entry.section(student, request.user, form))


@login_required
@require_POST
def concern_handle(request, student_id: int, concern_id: int):
    student = get_object_or_404(students_for(request.user), pk=student_id)
    concern = get_object_or_404(Concern.objects.select_related("student"), pk=concern_id, student=student)
    if not can_edit_file(request.user, student):
        raise PermissionDenied
    form = ConcernHandleForm(request.POST, instance=concern)
    if form.is_valid():
        try:
            handled = services.concern_handle(concern=concern, actor=request.user, **form.cleaned_data)
            message = _("Concern handled.") if handled else _("This was already recorded.")
            return _saved(request, student, "#concerns", message)
        except ValidationError as error:
            form.add_error(None, error)
    context = concern_section(student, request.user, handle={concern.pk: form})
    return _section(request, student, "followups/_concerns.html", context)


@login_required
@require_POST
def absence_reason_new(request, student_id: int, lesson_id: int):
    student = get_object_or_404(students_for(request.user), pk=student_id)
    lesson = get_object_or_404(Lesson.objects.select_related("student"), pk=lesson_id, student=student)
    try:
        reason = request.POST.get("reason", "")
        if not services.absence_reason_record(lesson=lesson, actor=request.user, reason=reason):
            messages.info(request, _("This was already recorded."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{student.get_absolute_url()}#lessons")
