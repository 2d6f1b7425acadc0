from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.forms import BoundedForm
from students.forms import LessonForm
from students.models import Student

from .models import PreClass
from .services import paper_item_names

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class StepForm(BoundedForm):
    """A form of one handover step; every step's form is built with the handover it belongs to."""

    def __init__(self, *args, handover, **kwargs):
        super().__init__(*args, **kwargs)
        self.handover = handover


class ReceiveForm(StepForm):
    """H1 with the H2 review: the manager confirms having checked each part of the file."""

    student_data = forms.BooleanField(label=_("Student data checked"), required=False)
    contract = forms.BooleanField(label=_("Signed contract checked"), required=False)
    consultation_report = forms.BooleanField(label=_("Consultation report read"), required=False)

    def clean(self):
        data = super().clean()
        if not all(data.get(name) for name in ("student_data", "contract", "consultation_report")):
            raise forms.ValidationError(_("Check all three parts of the file before confirming (H2)."))
        return data


class IntroCallForm(StepForm):
    """H3: the intro call; what the parent says of the child goes into the personal file."""

    notes = forms.CharField(label=_("How the call went"), widget=forms.Textarea(attrs={"rows": 3}))
    personality = forms.CharField(
        label=Student._meta.get_field("personality").verbose_name,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    hobbies = forms.CharField(
        label=Student._meta.get_field("hobbies").verbose_name,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    study_habits = forms.CharField(
        label=Student._meta.get_field("study_habits").verbose_name,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def file_changes(self) -> dict:
        """What the parent said of the child, for the personal file (empty answers change nothing)."""
        return {
            name: self.cleaned_data[name]
            for name in ("personality", "hobbies", "study_habits")
            if self.cleaned_data[name]
        }


class ConsultantTalkForm(StepForm):
    """H4: the talk with the consultant."""

    notes = forms.CharField(
        label=_("What the consultant told about the student"), widget=forms.Textarea(attrs={"rows": 3})
    )
    paper_handover_at = forms.DateTimeField(label=_("Paper-file handover at"), widget=DATETIME)
    lesson_arrangement = forms.CharField(
        label=_("Lesson arrangement"), widget=forms.Textarea(attrs={"rows": 2})
    )


class PaperCheckForm(StepForm):
    """H5: one line per item the campus's paper file must hold."""

    def __init__(self, *args, handover, **kwargs):
        super().__init__(*args, handover=handover, **kwargs)
        self.names = paper_item_names(handover.campus_id)
        for index, name in enumerate(self.names):
            self.fields[f"present_{index}"] = forms.BooleanField(label=name, required=False)
            self.fields[f"promised_{index}"] = forms.DateField(
                label=_("If missing, the consultant brings it by"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )

    def rows(self):
        return [(self[f"present_{i}"], self[f"promised_{i}"]) for i in range(len(self.names))]

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for index in range(len(self.names)):
            promised = data.get(f"promised_{index}")
            if not data.get(f"present_{index}") and (promised is None or promised < today):
                self.add_error(f"promised_{index}", _("Agree a date from today on with the consultant."))
        return data

    def items(self):
        data = self.cleaned_data
        return [
            (name, bool(data[f"present_{i}"]), None if data[f"present_{i}"] else data[f"promised_{i}"])
            for i, name in enumerate(self.names)
        ]


class FirstLessonForm(LessonForm):
    """The first lesson: one lesson, and why it moves when it does."""

    reason = forms.CharField(label=_("Why it moves (when changing the time)"), max_length=200, required=False)
    short_notice = forms.BooleanField(
        label=_("I know the parent cannot be told 24 hours before (P2 will be late)"), required=False
    )

    def __init__(self, *args, student, **kwargs):
        super().__init__(*args, student=student, **kwargs)
        del self.fields["weeks"]
        del self.fields["request_key"]  # one first lesson per student: setting it again moves it
        self.student = student

    def clean(self):
        data = super().clean()
        starts_at = data.get("starts_at")
        now = timezone.now()  # a time in the past is the service's to refuse
        if starts_at and now < starts_at < now + timedelta(hours=24) and not data.get("short_notice"):
            current = PreClass.objects.filter(student=self.student).values_list(
                "first_lesson__starts_at", flat=True
            )
            if starts_at not in current:  # a new time, not the teacher or room of the same lesson
                self.add_error(
                    "short_notice",
                    _(
                        "The first lesson is less than 24 hours away: the parent cannot be told "
                        "24 hours before it (P2). Tick the box to confirm."
                    ),
                )
        return data


class TalkForm(BoundedForm):
    notes = forms.CharField(
        label=_("What you learned from consultant and teacher"), widget=forms.Textarea(attrs={"rows": 3})
    )
    reports_held = forms.BooleanField(
        label=_("I hold the learning-situation analysis report and the tutoring draft"), required=False
    )


class ParentToldForm(BoundedForm):
    channel = forms.ChoiceField(label=_("How"), choices=PreClass.Channel.choices)
    told_at = forms.DateTimeField(label=_("When"), widget=DATETIME)
