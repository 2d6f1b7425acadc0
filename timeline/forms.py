from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import BoundedForm

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")


class AccessLogFilterForm(BoundedForm):
    student = forms.CharField(
        label=_("Student"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    person = forms.ModelChoiceField(
        label=_("By whom"),
        queryset=None,
        required=False,
        empty_label=_("Everyone"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("To"), required=False, widget=DATE)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people

    def filters(self) -> dict:
        """The valid filters (an invalid form filters nothing and shows its messages)."""
        if not (self.is_bound and self.is_valid()):
            return {}
        data = self.cleaned_data
        person = data.get("person")
        return {
            "student": data.get("student", ""),
            "person_id": person.pk if person else None,
            "since": data.get("since"),
            "until": data.get("until"),
        }
