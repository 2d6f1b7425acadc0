import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Callback, Concern, ExamScore, GrowthRecord, LessonTalk, Renewal


class CallbackForm(forms.ModelForm):
    request_key = forms.UUIDField(widget=forms.HiddenInput)

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


class ScoreForm(forms.ModelForm):
    request_key = forms.UUIDField(widget=forms.HiddenInput)

    class Meta:
        model = ExamScore
        fields = [
            "kind",
            "subject",
            "score",
            "full_marks",
            "class_rank",
            "exam_date",
            "learned_on",
            "analysis",
        ]
        widgets = {
            "exam_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "learned_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "analysis": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"request_key": uuid.uuid4(), "full_marks": 100})
        super().__init__(*args, **kwargs)


class GrowthForm(forms.ModelForm):
    request_key = forms.UUIDField(widget=forms.HiddenInput)

    class Meta:
        model = GrowthRecord
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"request_key": uuid.uuid4()})
        super().__init__(*args, **kwargs)


class ConcernForm(forms.ModelForm):
    request_key = forms.UUIDField(widget=forms.HiddenInput)

    class Meta:
        model = Concern
        fields = ["kind", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"request_key": uuid.uuid4()})
        super().__init__(*args, **kwargs)


class ConcernHandleForm(forms.ModelForm):
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


class RenewalForm(forms.ModelForm):
    """The manager's record of a renewal talk: a renewal itself comes with the consultant's contract."""

    request_key = forms.UUIDField(widget=forms.HiddenInput)

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


class LessonTalkForm(forms.ModelForm):
    class Meta:
        model = LessonTalk
        fields = ["teacher_notes", "student_notes", "parent_notes"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("teacher_notes", "student_notes", "parent_notes")
        }


class DocumentGivenForm(forms.Form):
    on = forms.DateField(
        label=_("given to the parent on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500)
