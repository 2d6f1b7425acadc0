import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.forms import BoundedForm, BoundedModelForm
from config.once import RequestKeyField

from .exams import split_grades
from .models import Callback, Concern, Exam, ExamScore, FamilyReason, GrowthRecord, LessonTalk, Renewal
from .pauses import return_refusal


class FollowupListForm(BoundedForm):
    """What the follow-up list shows: the renewal list (below the threshold, or every student
    followed: ?all=1) or the callbacks and talks due this week (?due=week); one learning manager's
    (?manager=, of `managers`: those of the reader's scope). A wrong value is said on the page and
    left out."""

    due = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Renewal list")), ("week", _("Callbacks and talks due this week"))],
    )
    manager = forms.TypedChoiceField(
        label=_("Learning manager"), required=False, coerce=int, empty_value=None
    )
    all = forms.ChoiceField(
        label=_("Students"),
        required=False,
        choices=[("", _("Below the threshold")), ("1", _("All students followed"))],
    )

    def __init__(self, data, *, managers):
        super().__init__(data)
        self.fields["manager"].choices = [("", _("All")), *((m.pk, m.display_name) for m in managers)]

    def chosen(self) -> dict:
        """The values that are right (the others left out): due_week, manager_id, below_only."""
        data = {}
        if self.is_bound:
            self.is_valid()  # the fields that are right stay in cleaned_data
            data = self.cleaned_data
        return {
            "due_week": data.get("due") == "week",
            "manager_id": data.get("manager"),
            "below_only": data.get("all") != "1",
        }


class CallbackForm(BoundedModelForm):
    request_key = RequestKeyField()

    class Meta:
        model = Callback
        fields = ["with_whom", "channel", "at", "summary", "concerns", "next_steps"]
        widgets = {
            "at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "concerns": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial",
            {"at": timezone.localtime().replace(second=0, microsecond=0), "request_key": uuid.uuid4()},
        )
        super().__init__(*args, **kwargs)


class ScoreForm(BoundedModelForm):
    request_key = RequestKeyField()
    # An exam of the calendar this student sat (score_section narrows the choices to theirs; the
    # service refuses any other): its kind and date come with it.
    exam = forms.ModelChoiceField(
        label=_("exam of the calendar"),
        queryset=Exam.objects.all(),
        required=False,
        help_text=_("Its kind and date are taken from the calendar."),
    )

    class Meta:
        model = ExamScore
        fields = [
            "exam",
            "kind",
            "subject",
            "score",
            "full_marks",
            "class_rank",
            "exam_date",
            "learned_on",
            "analysis",
        ]
        error_messages = {
            name: {"min_value": _("The score must be between 0 and the full marks.")}
            for name in ("score", "full_marks")
        }
        widgets = {
            "exam_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "learned_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "analysis": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"request_key": uuid.uuid4(), "full_marks": 100})
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = self.fields["exam_date"].required = False

    def clean(self):
        data = super().clean()
        if not data.get("exam"):
            for name in ("kind", "exam_date"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Choose the exam from the calendar, or give its kind and date."))
        return data


class ExamForm(BoundedForm):
    """An exam of the campus's calendar: a school's grades, one or several."""

    request_key = RequestKeyField()
    kind = forms.ChoiceField(label=_("exam"), choices=Exam.Kind.choices)
    date = forms.DateField(
        label=_("exam date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    school = forms.CharField(label=_("school"), max_length=100)
    grades = forms.CharField(
        label=_("grades"), max_length=100, help_text=_("One or several, separated by commas: 初二、初三.")
    )

    def clean_grades(self):
        grades = split_grades(self.cleaned_data["grades"])
        if not grades:
            raise forms.ValidationError(_("Name at least one grade."))
        return grades


class StudentExamForm(BoundedForm):
    """An exam just for one student (their school and grade), from the student's page."""

    request_key = RequestKeyField()
    kind = forms.ChoiceField(label=_("exam"), choices=Exam.Kind.choices)
    date = forms.DateField(
        label=_("exam date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class SittingForm(BoundedForm):
    """A form of one exam sitting on the student's page: its fields' ids carry the sitting, as the
    page shows one form of each kind per open exam."""

    def __init__(self, *args, sitting_id: int | None = None, **kwargs):
        if sitting_id is not None:
            kwargs.setdefault("auto_id", f"id_sitting{sitting_id}_%s")
        super().__init__(*args, **kwargs)


class ExamLearnedForm(SittingForm):
    """The family learned the results later than the exam: L5 counts a week from that day."""

    learned_on = forms.DateField(
        label=_("the family learned it on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class NoScoreForm(SittingForm):
    """No score for this student and exam: the reason closes L5."""

    reason = forms.CharField(
        label=_("reason"),
        max_length=500,
        error_messages={"required": _("Say why there is no score for this exam.")},
        widget=forms.TextInput(attrs={"placeholder": _("No score: why?")}),
    )


class GrowthForm(BoundedModelForm):
    request_key = RequestKeyField()

    class Meta:
        model = GrowthRecord
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"request_key": uuid.uuid4()})
        super().__init__(*args, **kwargs)


class ConcernForm(BoundedModelForm):
    request_key = RequestKeyField()

    class Meta:
        model = Concern
        fields = ["kind", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"request_key": uuid.uuid4()})
        super().__init__(*args, **kwargs)


class ConcernHandleForm(BoundedModelForm):
    class Meta:
        model = Concern
        fields = ["analysis", "parent_advice", "student_talk"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2}) for name in ("analysis", "parent_advice", "student_talk")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True


class RenewalForm(BoundedModelForm):
    """The manager's record of a renewal talk: a renewal itself comes with the consultant's contract.
    No answer is chosen beforehand: a preset one gets saved by whoever does not look. The family's
    reason is checked by the service (renewal._family_reason), which says which field is missing."""

    request_key = RequestKeyField()

    class Meta:
        model = Renewal
        fields = ["outcome", "family_reason", "family_reason_note", "note"]
        widgets = {
            "outcome": forms.RadioSelect,
            "family_reason": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {"outcome": {"required": _("Choose what the family answered.")}}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"request_key": uuid.uuid4()})
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [
            (value, label) for value, label in Renewal.Outcome.choices if value != Renewal.Outcome.RENEWED
        ]
        reason = self.fields["family_reason"]
        reason.choices = FamilyReason.choices  # radios: no empty choice to tick
        reason.help_text = _("When the family declines: the family's main reason.")
        self.fields["family_reason_note"].help_text = _("When the reason is other: in a few words.")


class PauseForm(BoundedForm):
    """A pause: why, and the day the family expects the student back (pauses.return_refusal)."""

    reason = forms.CharField(
        label=_("reason"),
        max_length=500,
        error_messages={"required": _("Say why the student pauses.")},
    )
    expected_return_on = forms.DateField(
        label=_("expected back on"),
        error_messages={"required": _("Enter the day the student is expected back.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_expected_return_on(self):
        day = self.cleaned_data["expected_return_on"]
        if refusal := return_refusal(day, timezone.localdate()):
            raise forms.ValidationError(refusal)
        return day


class LessonTalkForm(BoundedModelForm):
    class Meta:
        model = LessonTalk
        fields = ["teacher_notes", "student_notes", "parent_notes"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("teacher_notes", "student_notes", "parent_notes")
        }


class DocumentGivenForm(BoundedForm):
    on = forms.DateField(
        label=_("given to the parent on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ReasonForm(BoundedForm):
    reason = forms.CharField(label=_("reason"), max_length=500)

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required


def _summary_part(label, *, rows: int) -> forms.CharField:
    """A part of the stage summary: a text the manager may also leave empty."""
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}))


class StageSummaryForm(BoundedForm):
    """The stage summary (L2) the manager edits from the assembled draft: each part a text, the period
    it covers, and — to file it — the day the parent got it. Built with `filing=False` for the
    printed sheet, which needs no day."""

    request_key = RequestKeyField()
    since = forms.DateField(widget=forms.HiddenInput)
    until = forms.DateField(widget=forms.HiddenInput)
    attendance = _summary_part(_("Attendance"), rows=4)
    scores = _summary_part(_("Scores and their trend"), rows=4)
    callbacks = _summary_part(_("Callbacks"), rows=5)
    concerns = _summary_part(_("Concerns and what was done"), rows=4)
    next_steps = _summary_part(_("Next steps"), rows=3)
    given_to_parent_on = forms.DateField(
        label=_("given to the parent on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    TEXTS = ("attendance", "scores", "callbacks", "concerns", "next_steps")

    def __init__(self, *args, filing: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not filing:
            del self.fields["given_to_parent_on"]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error(None, _("The end comes after the start."))
        if not self.errors and not any((data.get(name) or "").strip() for name in self.TEXTS):
            self.add_error(None, _("Write the summary first."))
        return data
