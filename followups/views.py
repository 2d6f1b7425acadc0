from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from students.models import Lesson
from students.selectors import students_for
from students.services import can_edit_file

from .forms import CallbackForm, ConcernForm, ConcernHandleForm, GrowthForm, ScoreForm
from .models import Concern
from .selectors import CHART_HEIGHT, CHART_WIDTH, score_trends
from .services import (
    CONCERN_RAISERS,
    absence_reason_record,
    callback_record,
    concern_handle,
    concern_raise,
    growth_record_add,
    score_record,
)


def _saved(request, student, anchor: str, message: str):
    """A follow-up record saved: say so on the student page, reloaded so every section shows it."""
    messages.success(request, message)
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect(f"{student.get_absolute_url()}{anchor}")


@login_required
@require_POST
def callback_new(request, student_id: int):
    """Quick entry of a callback from the student page: errors come back in place (htmx); once saved,
    the page reloads, so its deadlines show the callback too."""
    student = get_object_or_404(students_for(request.user), pk=student_id)
    if not can_edit_file(request.user, student):
        raise PermissionDenied
    form = CallbackForm(request.POST)
    if form.is_valid():
        try:
            callback_record(student=student, actor=request.user, **form.cleaned_data)
            return _saved(request, student, "#callbacks", _("Callback recorded."))
        except ValidationError as error:
            form.add_error(None, error)
    context = {
        "student": student,
        "callbacks": list(student.callbacks.select_related("created_by")[:20]),
        "callback_form": form,
        "can_edit_file": True,
    }
    template = "followups/_callbacks.html" if request.htmx else "followups/callback_page.html"
    return TemplateResponse(request, template, context, status=200)


@login_required
@require_POST
def score_new(request, student_id: int):
    """Quick entry of an exam score from the student page; htmx swaps the score section in place."""
    student = get_object_or_404(students_for(request.user), pk=student_id)
    if not can_edit_file(request.user, student):
        raise PermissionDenied
    form = ScoreForm(request.POST)
    if form.is_valid():
        try:
            score_record(student=student, actor=request.user, **form.cleaned_data)
            return _saved(request, student, "#scores", _("Score recorded."))
        except ValidationError as error:
            form.add_error(None, error)
    context = {**score_section(student, form=form), "student": student, "can_edit_file": True}
    template = "followups/_scores.html" if request.htmx else "followups/score_page.html"
    return TemplateResponse(request, template, context)


def score_section(student, *, form=None) -> dict:
    return {
        "scores": list(student.scores.all()[:30]),
        "trends": score_trends(student),
        "score_form": form or ScoreForm(),
        "chart": {"width": CHART_WIDTH, "height": CHART_HEIGHT},
    }


@login_required
@require_POST
def absence_reason_new(request, student_id: int, lesson_id: int):
    student = get_object_or_404(students_for(request.user), pk=student_id)
    lesson = get_object_or_404(Lesson.objects.select_related("student"), pk=lesson_id, student=student)
    try:
        if not absence_reason_record(
            lesson=lesson, actor=request.user, reason=request.POST.get("reason", "")
        ):
            messages.info(request, _("This was already recorded."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{student.get_absolute_url()}#lessons")


@login_required
@require_POST
def growth_new(request, student_id: int):
    """Quick entry of a growth record; errors come back in place, a saved record reloads the page."""
    student = get_object_or_404(students_for(request.user), pk=student_id)
    if not can_edit_file(request.user, student):
        raise PermissionDenied
    form = GrowthForm(request.POST)
    if form.is_valid():
        try:
            growth_record_add(student=student, actor=request.user, **form.cleaned_data)
            return _saved(request, student, "#growth", _("Growth record saved."))
        except ValidationError as error:
            form.add_error(None, error)
    context = {
        "student": student,
        "growth_records": list(student.growth_records.select_related("created_by")[:12]),
        "growth_form": form,
        "can_edit_file": True,
    }
    template = "followups/_growth.html" if request.htmx else "followups/growth_page.html"
    return TemplateResponse(request, template, context)


def concern_section(student, user, **forms) -> dict:
    handle = forms.get("handle", {})
    concerns = student.concerns.select_related("raised_by", "handled_by")[:20]
    return {
        "concern_rows": [
            (c, None if c.handled_at else handle.get(c.pk) or ConcernHandleForm()) for c in concerns
        ],
        "concern_form": forms.get("raise") or ConcernForm(),
        "can_raise": user.role in CONCERN_RAISERS,
        "can_edit_file": can_edit_file(user, student),
    }


def _concern_response(request, student, **forms):
    context = {"student": student, **concern_section(student, request.user, **forms)}
    template = "followups/_concerns.html" if request.htmx else "followups/concern_page.html"
    return TemplateResponse(request, template, context)


@login_required
@require_POST
def concern_new(request, student_id: int):
    student = get_object_or_404(students_for(request.user), pk=student_id)
    if request.user.role not in CONCERN_RAISERS:
        raise PermissionDenied
    form = ConcernForm(request.POST)
    if form.is_valid():
        try:
            concern_raise(student=student, actor=request.user, **form.cleaned_data)
            return _saved(request, student, "#concerns", _("Concern raised."))
        except ValidationError as error:
            form.add_error(None, error)
    return _concern_response(request, student, **{"raise": form})


@login_required
@require_POST
def concern_handle_view(request, student_id: int, concern_id: int):
    student = get_object_or_404(students_for(request.user), pk=student_id)
    concern = get_object_or_404(Concern.objects.select_related("student"), pk=concern_id, student=student)
    if not can_edit_file(request.user, student):
        raise PermissionDenied
    form = ConcernHandleForm(request.POST, instance=concern)
    if form.is_valid():
        try:
            handled = concern_handle(concern=concern, actor=request.user, **form.cleaned_data)
            message = _("Concern handled.") if handled else _("This was already recorded.")
            return _saved(request, student, "#concerns", message)
        except ValidationError as error:
            form.add_error(None, error)
    return _concern_response(request, student, handle={concern.pk: form})
