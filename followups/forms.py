import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.forms import BoundedForm, BoundedModelForm
from config.once import RequestKeyField

from .exams import split_grades
from .models import Callback, Concern, Exam, ExamScore, GrowthRecord, LessonTalk, Renewal


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
    """The manager's record of a renewal talk: a renewal itself comes with the consultant's contract."""

    request_key = RequestKeyField()

    class Meta:
        model = Renewal
        fields = ["outcome", "loss_reason", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"request_key": uuid.uuid4(), "outcome": Renewal.Outcome.UNDECIDED})
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [
            (value, label) for value, label in Renewal.Outcome.choices if value != Renewal.Outcome.RENEWED
        ]
        self.fields["loss_reason"].help_text = _("When the family declines: why the student is lost.")


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
