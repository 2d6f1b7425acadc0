from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import BoundedForm
from config.once import RequestKeyField
from students.forms import NOT_YOUR_CAMPUS

from .models import Case
from .reasons import grouped_choices

TEXT = forms.Textarea(attrs={"rows": 3})


def text(label, required=True):
    return forms.CharField(label=label, widget=TEXT, required=required)


class BoardForm(BoundedForm):
    """What the retention board shows: the open cases (all stages, or one: ?stage=) or the closed ones
    (?closed=1); and, for a company-wide reader, one campus of their scope (anyone else naming a
    campus is told so, and sees their own scope). A wrong value is said on the page and left out."""

    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[("", ""), *((value, label) for value, label in Case.Stage.choices if value != "closed")],
    )
    closed = forms.ChoiceField(
        label=_("Cases"), required=False, choices=[("", _("Open cases")), ("1", _("Closed cases"))]
    )
    campus = forms.TypedChoiceField(
        label=_("Campus"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": NOT_YOUR_CAMPUS},
    )

    def __init__(self, data, *, campuses=None):
        """`campuses`: those a company-wide reader may choose; None for anyone else."""
        super().__init__(data)
        self.offers_campus = campuses is not None
        self.fields["campus"].choices = [("", _("Any campus")), *((c.pk, c.name) for c in campuses or [])]

    def chosen(self) -> dict:
        """The values that are right (those that are not are left out): closed, stage, campus_id."""
        data = {}
        if self.is_bound:
            self.is_valid()  # the fields that are right stay in cleaned_data
            data = self.cleaned_data
        closed = data.get("closed") == "1"
        return {
            "closed": closed,
            "stage": "" if closed else data.get("stage", ""),
            "campus_id": data.get("campus"),
        }


class CaseForm(BoundedForm):
    request_key = RequestKeyField(required=False)
    description = text(_("What was noticed"))
    source = forms.ChoiceField(label=_("Source"), choices=Case.Source.choices, required=False)


class ReasonsMixin(BoundedForm):
    reasons = forms.MultipleChoiceField(
        label=_("Reasons (PROCESS.md's list)"), choices=grouped_choices, widget=forms.CheckboxSelectMultiple
    )
    reason_note = text(_("Reasons in words"), required=False)


class PrepareForm(BoundedForm):
    facts = text(_("Facts from the teacher and the consultant"))
    talking_points = text(_("Prepared talking points"))


class CommentForm(BoundedForm):
    comment = text(_("Your comment on the prepared talk"))


class StabiliseForm(ReasonsMixin):
    parent_talk = text(_("The talk with the parent and its result"))
    field_order = ["parent_talk", "reasons", "reason_note"]


class EscalateForm(BoundedForm):
    parent_talk = text(_("The talk with the parent"), required=False)
    conflict_points = text(_("The points of conflict"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Case.Kind.choices)


class RescueForm(BoundedForm):
    rescue_actions = text(_("Who took part and what each did"))
    director_invited = forms.BooleanField(
        label=_("The campus director is invited (a hard case)"), required=False
    )


class RetainedForm(ReasonsMixin):
    pass


class FailedForm(ReasonsMixin):
    lost_order_report = text(_("Lost-order report (失单报告)"))
    rescue_report = text(_("Rescue report (挽单报告)"))
    field_order = ["lost_order_report", "rescue_report", "reasons", "reason_note"]


class ReportForm(BoundedForm):
    department_feedback = text(_("Feedback to the learning-management and consulting departments"))
    memo = text(_("Written memo to the campus director"))


class DirectorForm(BoundedForm):
    director_rescue = text(_("Your rescue and its result"))
    retained = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("yes", _("The student stays")), ("no", _("The student leaves"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class AnalysisForm(BoundedForm):
    lessons = text(_("Lessons learned"))
    accountable = forms.CharField(label=_("Accountable person(s)"), max_length=200)
    coaching = text(_("Coaching and assessment"))
    superiors_memo = text(_("Written memo to the superiors"))


class InstructionForm(BoundedForm):
    instruction = text(_("Your instruction"))


class ExecutionForm(BoundedForm):
    execution = text(_("How the instruction was carried out"))


PERIOD_DATE = forms.DateInput(
    attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
)


class PeriodForm(BoundedForm):
    since = forms.DateField(label=_("From"), widget=PERIOD_DATE)
    until = forms.DateField(label=_("To"), widget=PERIOD_DATE)

    @staticmethod
    def default(today) -> dict:
        """The last three calendar months, this one included."""
        month = today.month - 2
        year = today.year + (month - 1) // 12
        return {"since": today.replace(year=year, month=(month - 1) % 12 + 1, day=1), "until": today}

    def period(self, today):
        """The chosen period, or the default one when the form is empty or wrong."""
        if self.is_bound and self.is_valid() and self.cleaned_data["since"] <= self.cleaned_data["until"]:
            return self.cleaned_data["since"], self.cleaned_data["until"]
        if self.is_bound and self.is_valid():
            self.add_error("until", _("The end comes after the start."))
        default = self.default(today)
        return default["since"], default["until"]
