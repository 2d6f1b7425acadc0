"""What each follow-up section of the student page shows; the student page and the quick-entry views
share these, so a section re-rendered with a form's errors looks as it does on the page."""

from django.db.models import Q

from students.selectors import day_range, first_rows
from students.services import can_edit_file

from .concerns import CONCERN_RAISERS
from .forms import (
    CallbackForm,
    ConcernForm,
    ConcernHandleForm,
    ExamLearnedForm,
    GrowthForm,
    NoScoreForm,
    RenewalForm,
    ScoreForm,
    StudentExamForm,
)
from .models import Exam
from .pauses import pause_shown
from .plans import PARENT_DOCUMENTS, TEACHER_PAPERS
from .selectors import score_chart, sittings_open


def callback_section(student, user, form=None) -> dict:
    callbacks = list(student.callbacks.select_related("created_by")[:20])
    return {
        "callbacks": callbacks,
        "callback_form": form or CallbackForm(),
        "watch_items": watch_items(student, since=callbacks[0].at if callbacks else None),
    }


def watch_items(student, since=None) -> list:
    """Concerns to bring up in the next callback (L7): those not handled yet, and those raised since
    the last callback."""
    open_or_new = Q(handled_at=None) | Q(raised_at__gt=since) if since else Q()
    return list(student.concerns.filter(open_or_new).order_by("-raised_at")[:5])


# The chart draws the latest scores (of every subject); the table below it lists the latest 30.
CHART_SCORES = 60


def score_section(student, user, form=None, exam_form=None, sitting_forms: dict | None = None) -> dict:
    """`sitting_forms`: a sitting's form refused, {sitting id: {"learned" or "no_score": form}}."""
    form = form or ScoreForm()
    # The score of an exam of the calendar is chosen among the exams this student sat, latest first.
    form.fields["exam"].queryset = Exam.objects.filter(sittings__student=student).order_by("-date", "-pk")
    sitting_forms = sitting_forms or {}
    # The exams whose score is still to enter: the day the family learned the results, or no score.
    open_sittings = [
        (
            sitting,
            clock,
            sitting_forms.get(sitting.pk, {}).get("learned") or ExamLearnedForm(sitting_id=sitting.pk),
            sitting_forms.get(sitting.pk, {}).get("no_score") or NoScoreForm(sitting_id=sitting.pk),
        )
        for sitting, clock in sittings_open(student)
    ]
    scores = list(student.scores.all()[:CHART_SCORES])  # newest first
    return {
        "open_sittings": open_sittings,
        "scores": scores[:30],
        "score_chart": score_chart(scores) if scores else "",
        "score_form": form,
        "exam_form": exam_form or StudentExamForm(),
    }


def growth_section(student, user, form=None) -> dict:
    return {
        "growth_records": list(student.growth_records.select_related("created_by")[:12]),
        "growth_form": form or GrowthForm(),
    }


def concern_section(student, user, form=None, handle: dict | None = None) -> dict:
    handle = handle or {}
    concerns = student.concerns.select_related("raised_by", "handled_by")[:20]
    return {
        "concern_rows": [
            (c, None if c.handled_at else handle.get(c.pk) or ConcernHandleForm()) for c in concerns
        ],
        "concern_form": form or ConcernForm(),
        "can_raise": user.role in CONCERN_RAISERS,
        "can_edit_file": can_edit_file(user, student),
    }


def renewal_section(student, user, form=None) -> dict:
    """The renewal talks; `student` carries hours_left (students.selectors.with_hours)."""
    return {
        "renewals": list(student.renewals.select_related("recorded_by", "contract")[:10]),
        "renewal_form": form or RenewalForm(),
        "renewal_threshold": student.campus.renewal_threshold,
        "can_edit_file": can_edit_file(user, student),
    }


def followup_sections(student, user) -> dict:
    """Everything the follow-up sections of the student page show."""
    return {
        **callback_section(student, user),
        **score_section(student, user),
        **growth_section(student, user),
        **concern_section(student, user),
        **renewal_section(student, user),
    }


def student_page(student, user) -> dict:
    """The follow-up part of the student page (registered in students.sections): its sections, and
    the kinds of documents made for the parent and filed from teachers (the documents list marks them)."""
    return {
        **followup_sections(student, user),
        "pause": pause_shown(student),  # the header's "paused · why · back on"
        "parent_documents": PARENT_DOCUMENTS,
        "teacher_papers": TEACHER_PAPERS,
    }


def record_part(student, user, first, last) -> dict:
    """The follow-up parts of the student's printed record of the days from `first` to `last`
    (registered in students.sections): scores with their chart, callbacks, growth records, concerns
    with what was done, oldest first, each at most RECORD_ROWS with the count of the rest. Four
    queries."""
    start, end = day_range(first, last)
    scores, more_scores = first_rows(
        student.scores.filter(exam_date__gte=first, exam_date__lte=last).order_by("exam_date", "pk")
    )
    callbacks, more_callbacks = first_rows(
        student.callbacks.filter(at__gte=start, at__lt=end).select_related("created_by").order_by("at", "pk")
    )
    growth, more_growth = first_rows(
        student.growth_records.filter(month__gte=first.replace(day=1), month__lte=last)
        .select_related("created_by")
        .order_by("month", "pk")
    )
    concerns, more_concerns = first_rows(
        student.concerns.filter(raised_at__gte=start, raised_at__lt=end)
        .select_related("raised_by", "handled_by")
        .order_by("raised_at", "pk")
    )
    return {
        "record_scores": scores,
        "record_scores_more": more_scores,
        "record_score_chart": score_chart(scores) if scores else "",
        "record_callbacks": callbacks,
        "record_callbacks_more": more_callbacks,
        "record_growth": growth,
        "record_growth_more": more_growth,
        "record_concerns": concerns,
        "record_concerns_more": more_concerns,
    }
