"""Quick entry of follow-up records from the student page.

Each form posts with htmx: its errors come back in place (the section re-rendered); a saved record
reloads the page, so the deadlines and the timeline show it too. Without JavaScript the same views
answer with a page of their own.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from accounts import scope
from accounts.models import Role
from config import exports
from config.bounds import key_from
from deadlines.models import Deadline
from deadlines.selectors import RowLinks
from students.forms import RecordPeriodForm
from students.models import Document, Lesson
from students.selectors import record_start, students_for, with_hours
from students.services import can_edit_file
from timeline.exports import export_refused, export_response
from timeline.models import Access
from timeline.services import access_record

from . import callbacks, changes, concerns, exams, pauses, plans, renewal, scores, summaries
from .exports import exam_calendar_export, followup_list_export
from .forms import (
    CallbackForm,
    ConcernForm,
    ConcernHandleForm,
    DocumentGivenForm,
    ExamForm,
    ExamLearnedForm,
    FollowupListForm,
    GrowthForm,
    LessonTalkForm,
    NoScoreForm,
    PauseForm,
    ReasonForm,
    RenewalForm,
    ScoreForm,
    StageSummaryForm,
    StudentExamForm,
)
from .models import Concern, ExamSitting
from .sections import (
    CHART_SCORES,
    callback_section,
    concern_section,
    growth_section,
    renewal_section,
    score_section,
)
from .selectors import (
    EXAM_PAGE,
    RENEWAL_ROLES,
    callbacks_due,
    exam_calendar,
    exam_sittings,
    exams_for,
    exams_page,
    followup_counts,
    renewal_list,
    runs_out_on,
    score_chart,
    stage_facts,
)


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
    opens: str = ""  # the student page's ?open= that draws this form open, when not its anchor's

    @property
    def open_key(self) -> str:
        return self.opens or self.anchor.removeprefix("#")


ENTRIES = {
    "callback": Entry(
        CallbackForm,
        callbacks.callback_record,
        callback_section,
        "followups/_callbacks.html",
        "#callbacks",
        gettext_lazy("Callback recorded."),
    ),
    "score": Entry(
        ScoreForm,
        scores.score_record,
        score_section,
        "followups/_scores.html",
        "#scores",
        gettext_lazy("Score recorded."),
    ),
    "growth": Entry(
        GrowthForm,
        scores.growth_record_add,
        growth_section,
        "followups/_growth.html",
        "#growth",
        gettext_lazy("Growth record saved."),
    ),
    "concern": Entry(
        ConcernForm,
        concerns.concern_raise,
        concern_section,
        "followups/_concerns.html",
        "#concerns",
        gettext_lazy("Concern raised."),
        may=lambda user, student: user.role in concerns.CONCERN_RAISERS,
        opens="concern",  # "concerns" opens the handling of those raised
    ),
    "renewal": Entry(
        RenewalForm,
        renewal.renewal_record,
        renewal_section,
        "followups/_renewal.html",
        "#renewal",
        gettext_lazy("Renewal talk recorded."),
    ),
}


def _student(request, student_id: int):
    """A student the user may see, with the hours the sections show; else 404."""
    students = with_hours(students_for(request.user).select_related("campus", "manager"))
    return get_object_or_404(students, pk=student_id)


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


def _entry_open(request, student, template: str, context: dict, key: str):
    """The section with its entry form drawn open: asked for when the form is opened on the student
    page (which draws none of them), or followed as a link without JavaScript."""
    return _section(request, student, template, {**context, "open_entry": key})


@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request, student_id: int, kind: str):
    entry = ENTRIES[kind]
    student = _student(request, student_id)
    if not entry.may(request.user, student):
        raise PermissionDenied
    if request.method == "GET":
        context = entry.section(student, request.user)
        return _entry_open(request, student, entry.template, context, entry.open_key)
    form = entry.form(request.POST)
    if form.is_valid():
        try:
            entry.record(student=student, actor=request.user, **form.cleaned_data)
            return _saved(request, student, entry.anchor, entry.saved)
        except ValidationError as error:
            form.add_service_error(error)
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
            handled = concerns.concern_handle(concern=concern, actor=request.user, **form.cleaned_data)
            message = _("Concern handled.") if handled else _("This was already recorded.")
            return _saved(request, student, "#concerns", message)
        except ValidationError as error:
            form.add_service_error(error)
    context = concern_section(student, request.user, handle={concern.pk: form})
    return _section(request, student, "followups/_concerns.html", context)


@login_required
@require_POST
def absence_reason_new(request, student_id: int, lesson_id: int):
    student = get_object_or_404(students_for(request.user), pk=student_id)
    lesson = get_object_or_404(Lesson.objects.select_related("student"), pk=lesson_id, student=student)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _refusal(form, _("Say why the student missed the lesson.")))
        return redirect(f"{student.get_absolute_url()}#lessons")
    try:
        reason = form.cleaned_data["reason"]
        if not concerns.absence_reason_record(lesson=lesson, actor=request.user, reason=reason):
            messages.info(request, _("This was already recorded."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{student.get_absolute_url()}#lessons")


def _lesson(request, student, lesson_id: int) -> Lesson:
    return get_object_or_404(
        Lesson.objects.select_related("student__campus", "teacher"), pk=lesson_id, student=student
    )


def _done(request, student, anchor: str, changed: bool, message: str):
    """A one-button record: say whether it changed anything, and go back to the section."""
    if changed:
        messages.success(request, message)
    else:
        messages.info(request, _("This was already recorded."))
    return redirect(f"{student.get_absolute_url()}{anchor}")


@login_required
def lesson_talk_new(request, student_id: int, lesson_id: int):
    """L3: the talk with teacher, student and parent after a lesson, on a page of its own."""
    student = _student(request, student_id)
    lesson = _lesson(request, student, lesson_id)
    if not can_edit_file(request.user, student):
        raise PermissionDenied
    form = LessonTalkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recorded = callbacks.lesson_talk_record(lesson=lesson, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return _done(request, student, "#lessons", recorded, _("Post-lesson talk recorded."))
    context = {"student": student, "lesson": lesson, "form": form}
    return TemplateResponse(request, "followups/lesson_talk.html", context)


@login_required
@require_POST
def lesson_change_told(request, student_id: int, lesson_id: int):
    student = _student(request, student_id)
    lesson = _lesson(request, student, lesson_id)
    told = changes.lesson_change_told(lesson=lesson, actor=request.user)
    return _done(request, student, "#lessons", told, _("The family knows of the change."))


def _document(request, student, document_id: int) -> Document:
    return get_object_or_404(
        Document.objects.select_related("student__campus"), pk=document_id, student=student
    )


@login_required
@require_POST
def document_given(request, student_id: int, document_id: int):
    student = _student(request, student_id)
    document = _document(request, student, document_id)
    form = DocumentGivenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the day the parent got it."))
        return redirect(f"{student.get_absolute_url()}#documents")
    try:
        given = plans.document_given(document=document, actor=request.user, on=form.cleaned_data["on"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{student.get_absolute_url()}#documents")
    return _done(request, student, "#documents", given, _("Recorded: the parent has it."))


@login_required
@require_POST
def document_file(request, student_id: int, document_id: int):
    student = _student(request, student_id)
    document = _document(request, student, document_id)
    filed = plans.document_file(document=document, actor=request.user)
    return _done(request, student, "#documents", filed, _("Filed in the student's file."))


@login_required
@require_POST
def student_pause(request, student_id: int):
    student = _student(request, student_id)
    if not can_edit_file(request.user, student):  # refused before the form says what it misses
        raise PermissionDenied
    form = PauseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect(student)
    try:
        paused = pauses.student_pause(student=student, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(student)
    return _done(
        request, student, "", paused, _("Paused: the parent callbacks wait until the student returns.")
    )


@login_required
@require_POST
def student_resume(request, student_id: int):
    student = _student(request, student_id)
    form = ReasonForm(request.POST, required=False)
    if not form.is_valid():
        messages.error(request, _refusal(form, ""))
        return redirect(student)
    resumed = pauses.student_resume(student=student, actor=request.user, reason=form.cleaned_data["reason"])
    return _done(request, student, "", resumed, _("Welcome back: the parent callbacks start again."))


@login_required
def followup_list(request):
    """Follow-up at a glance: the callbacks and talks due this week (?due=week), or the renewal list
    with each student's hours left and the day they run out at the pace of the last four weeks."""
    user = request.user
    if user.role not in RENEWAL_ROLES:
        raise PermissionDenied
    now = timezone.now()
    today = timezone.localdate(now)
    managers = list(scope.people_for(user).filter(role=Role.LEARNING_MANAGER).order_by("full_name"))
    form = FollowupListForm(request.GET or None, managers=managers)
    chosen = form.chosen()
    due_week, manager_id, below_only = chosen["due_week"], chosen["manager_id"], chosen["below_only"]
    if due_week:
        rows = callbacks_due(user, now=now, manager_id=manager_id)
    else:
        rows = renewal_list(user, below_only=below_only, manager_id=manager_id, now=now)
    shows_managers = user.role != Role.LEARNING_MANAGER
    if exports.asked(request):
        if not form.errors:
            export = followup_list_export(
                rows, form, due_week=due_week, with_manager=shows_managers, now=now, today=today
            )
            return export_response(request, export)
        export_refused(request)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    links = RowLinks()  # each URL pattern reversed once for the page, not twice a row
    for row in page:
        if due_week:
            links.mark(row)  # act_url (Deadline.action_url) and student_url
        else:
            row.url = links.student(row.pk)
            row.runs_out_on = runs_out_on(row.hours_left, row.recent_hours, today)
            row.weekly_pace = row.recent_hours / 4
    query = request.GET.copy()
    query.pop("page", None)
    # The renewal list below the threshold of the whole scope is the figure of the card above it.
    below = page.paginator.count if not due_week and below_only and not manager_id else None
    context = {
        "page": page,
        "counts": followup_counts(user, now=now, below_threshold=below),
        "below_only": below_only,
        "due_week": due_week,
        "form": form,
        "managers": managers if shows_managers else [],
        "manager_id": manager_id,
        "query": query.urlencode(),
        "today": today,
        "soon": today + timedelta(days=14),
        "now": now,
    }
    return TemplateResponse(request, "followups/list.html", context)


def _refusal(form, missing: str) -> str:
    """A one-field form refused: `missing` when the field was left empty, else what the form says."""
    if form.has_error("reason", "required"):
        return missing
    return " ".join(message for errors in form.errors.values() for message in errors)


@login_required
def exam_list(request):
    """The campus's exam calendar: each exam with the students it concerns and their L5; the form
    that enters one (the director, supervisors and learning managers of the campus)."""
    if not exams.may_enter_exams(request.user):
        raise PermissionDenied
    form = ExamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            exam, created = exams.exam_add(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Exam entered.") if created else _("This was already recorded."))
            return redirect("followups:exams")
        except ValidationError as error:
            form.add_service_error(error)
    exam_id = key_from(request.GET.get("exam", ""))
    if exports.asked(request):  # the calendar's students, or one exam's (?exam=), every one
        calendar = exams_for(request.user)
        if exam_id is not None:
            calendar = calendar.filter(pk=get_object_or_404(calendar, pk=exam_id).pk)
        return export_response(request, exam_calendar_export(exam_calendar(request.user, calendar)))
    if exam_id is not None:  # one exam: all its students, a page at a time
        exam = get_object_or_404(exams_for(request.user).select_related("student"), pk=exam_id)
        sittings = exam_sittings(request.user, [exam.pk])
        page = Paginator(sittings, EXAM_PAGE).get_page(request.GET.get("page"))
        rows = exams_page(request.user, [exam], sittings=list(page), count=page.paginator.count)
        context = {"form": form, "page": page, "rows": rows, "one_exam": exam}
        return TemplateResponse(request, "followups/exams.html", context)
    page = Paginator(exams_for(request.user).select_related("student"), 20).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "rows": exams_page(request.user, list(page))}
    return TemplateResponse(request, "followups/exams.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def exam_for_student(request, student_id: int):
    """An exam just for this student (their school and grade): opens their L5 alone."""
    student = _student(request, student_id)
    if not can_edit_file(request.user, student):
        raise PermissionDenied
    if request.method == "GET":
        context = score_section(student, request.user)
        return _entry_open(request, student, "followups/_scores.html", context, "exams")
    form = StudentExamForm(request.POST)
    if form.is_valid():
        try:
            exams.exam_add(actor=request.user, student=student, **form.cleaned_data)
            return _saved(request, student, "#scores", _("Exam entered."))
        except ValidationError as error:
            form.add_service_error(error)
    context = score_section(student, request.user, exam_form=form)
    return _section(request, student, "followups/_scores.html", context)


@login_required
@require_POST
def exam_no_score(request, sitting_id: int):
    """No score for this student and exam: the manager closes their L5 with the reason."""
    sitting = get_object_or_404(
        ExamSitting.objects.select_related("student", "exam"),
        pk=sitting_id,
        student__in=students_for(request.user),
    )
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _refusal(form, _("Say why there is no score for this exam.")))
        return redirect("followups:exams")
    try:
        closed = exams.exam_no_score(sitting=sitting, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Recorded: no score.") if closed else _("This was already recorded."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("followups:exams")


def _sitting(request, student_id: int, sitting_id: int):
    """A student the user may see and one of their exam sittings (else 404); only those who keep the
    student's file act on it."""
    student = _student(request, student_id)
    sitting = get_object_or_404(
        ExamSitting.objects.select_related("exam", "student__campus"), pk=sitting_id, student=student
    )
    if not can_edit_file(request.user, student):
        raise PermissionDenied
    return student, sitting


def _to_scores(request, student):
    return HttpResponseClientRefresh() if request.htmx else redirect(f"{student.get_absolute_url()}#scores")


def _sitting_done(request, student, changed: bool, message: str):
    """A sitting's form recorded: say whether it changed anything, on the reloaded student page."""
    if not changed:
        messages.info(request, _("This was already recorded."))
        return _to_scores(request, student)
    return _saved(request, student, "#scores", message)


def _sitting_refused(request, student, error: ValidationError):
    """A refusal about the sitting itself (its clock closed meanwhile): the reloaded page says so, as
    the sitting's forms are no longer shown."""
    messages.error(request, " ".join(error.messages))
    return _to_scores(request, student)


@login_required
@require_POST
def exam_learned_later(request, student_id: int, sitting_id: int):
    """The family learned the results after the exam: L5 counts a week from that day."""
    student, sitting = _sitting(request, student_id, sitting_id)
    form = ExamLearnedForm(request.POST, sitting_id=sitting.pk)
    if form.is_valid():
        try:
            changed = exams.exam_learned_later(
                sitting=sitting, actor=request.user, learned_on=form.cleaned_data["learned_on"]
            )
            message = _("The score is now due a week after the day the family learned the results.")
            return _sitting_done(request, student, changed, message)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _sitting_refused(request, student, error)
            form.add_service_error(error)
    context = score_section(student, request.user, sitting_forms={sitting.pk: {"learned": form}})
    return _section(request, student, "followups/_scores.html", context)


@login_required
@require_POST
def student_exam_no_score(request, student_id: int, sitting_id: int):
    """No score for this student and exam, from the student's page: L5 closes with the reason."""
    student, sitting = _sitting(request, student_id, sitting_id)
    form = NoScoreForm(request.POST, sitting_id=sitting.pk)
    if form.is_valid():
        try:
            reason = form.cleaned_data["reason"]
            closed = exams.exam_no_score(sitting=sitting, actor=request.user, reason=reason)
            return _sitting_done(request, student, closed, _("Recorded: no score."))
        except ValidationError as error:
            form.add_service_error(error)
    context = score_section(student, request.user, sitting_forms={sitting.pk: {"no_score": form}})
    return _section(request, student, "followups/_scores.html", context)


def _stage(request, student_id: int):
    """A student whose stage summary the user writes (their manager and those above, as for every
    document given to the parent); another's student is a 404, a teacher is refused."""
    student = _student(request, student_id)
    if not can_edit_file(request.user, student):
        raise PermissionDenied
    return student


def _stage_period(request, student) -> tuple[RecordPeriodForm, object]:
    """The period the draft is assembled from (?from=&to=): by default the stage so far, from the
    first lesson (where L2 counts from) until today; the L2 clock with it."""
    clock = Deadline.objects.filter(rule="L2", student=student).order_by("-pk").first()
    if clock is not None:
        start = timezone.localtime(clock.opened_at).date()
    else:
        start = record_start(list(student.contracts.all()), student)
    form = RecordPeriodForm(request.GET, default=(start, max(start, timezone.localdate())))
    return form, clock


def _stage_page(request, student, form=None):
    """The draft page: the period it is assembled from, the L2 clock, and the form — with the
    assembled text, or as sent back with its errors."""
    period_form, clock = _stage_period(request, student)
    first, last = period_form.period()
    if form is None:
        draft = summaries.stage_summary_draft(stage_facts(student, first, last), student)
        form = StageSummaryForm(initial={"since": first, "until": last, **draft})
    context = {
        "student": student,
        "form": form,
        "period_form": period_form,
        "first": first,
        "last": last,
        "clock": clock,
    }
    return TemplateResponse(request, "followups/stage_summary.html", context)


@login_required
def stage_summary(request, student_id: int):
    """阶段性总结 (L2): a draft assembled from the records of the first weeks, which the manager edits,
    prints (stage_summary_print, in a tab of its own) and files; filing it meets L2."""
    student = _stage(request, student_id)
    if request.method != "POST":
        return _stage_page(request, student)
    form = StageSummaryForm(request.POST)
    if form.is_valid():
        try:
            _document, filed = summaries.stage_summary_file(
                student=student, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return _done(request, student, "#documents", filed, _("Stage summary filed."))
    return _stage_page(request, student, form)


@login_required
@require_POST
def stage_summary_print(request, student_id: int):
    """The stage summary as edited, on A4 for the parent, with the score chart of its period. Nothing is
    filed; the access log records the print."""
    student = _stage(request, student_id)
    form = StageSummaryForm(request.POST, filing=False)
    if not form.is_valid():
        return _stage_page(request, student, form)
    first, last = form.cleaned_data["since"], form.cleaned_data["until"]
    scores = list(student.scores.filter(exam_date__gte=first, exam_date__lte=last)[:CHART_SCORES])
    access_record(actor=request.user, action=Access.Action.PRINT, student=student, detail=_("Stage summary"))
    data = form.cleaned_data
    texts = [(name, title, data[name].strip()) for name, title in summaries.part_titles().items()]
    context = {
        "student": student,
        "first": first,
        "last": last,
        "parts": [(name, title, text) for name, title, text in texts if text],
        "score_chart": score_chart(scores) if scores else "",
        "today": timezone.localdate(),
    }
    return TemplateResponse(request, "followups/stage_summary_print.html", context)
