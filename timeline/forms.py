from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import BoundedForm

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")
# A `?person=<id>` of nobody in the reader's scope (another campus's, a former colleague's, a typo).
OUT_OF_SCOPE = _("This person is not among the people whose access you may read.")


class AccessLogFilterForm(BoundedForm):
    student = forms.CharField(
        label=_("Student"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    # Who looked: a part of their name or username (the administrator's company has thousands of
    # people, too many for a select).
    who = forms.CharField(
        label=_("By whom"),
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": _("Name or username")}
        ),
    )
    # One person exactly, by id (links such as `?person=<id>` keep working): checked against the
    # people in the reader's scope, kept as a hidden field, never listed.
    person = forms.ModelChoiceField(
        label=_("By whom"),
        queryset=None,
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": OUT_OF_SCOPE},
    )
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("To"), required=False, widget=DATE)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people

    def chosen_person(self):
        """The one person the log is filtered by (`?person=<id>`), or None."""
        if not (self.is_bound and self.is_valid()):
            return None
        return self.cleaned_data.get("person")

    def filters(self) -> dict:
        """The valid filters (an invalid form filters nothing and shows its messages)."""
        if not (self.is_bound and self.is_valid()):
            return {}
        data = self.cleaned_data
        return {
            "student": data.get("student", ""),
            "person_id": data["person"].pk if data.get("person") else None,
            "who": data.get("who", "").strip(),
            "since": data.get("since"),
            "until": data.get("until"),
        }
