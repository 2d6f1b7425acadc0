from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Student


class StudentFileForm(forms.ModelForm):
    class Meta:
        model = Student
        fields = Student.FILE_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in Student.FILE_FIELDS}


class CaseloadFilterForm(forms.Form):
    """The caseload list's search box and filters; bad values are dropped, never an error page."""

    q = forms.CharField(label=_("Name or phone"), required=False, max_length=60)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Student.Status.choices]
    )
    manager = forms.TypedChoiceField(
        label=_("Learning manager"), required=False, coerce=int, empty_value=None
    )
    hours_below = forms.DecimalField(
        label=_("Hours left below"), required=False, min_value=0, max_digits=6, decimal_places=1
    )

    def __init__(self, data, *, managers):
        super().__init__(data)
        self.fields["manager"].choices = [("", _("Any learning manager"))] + [
            (m.pk, m.display_name) for m in managers
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "query": data["q"].strip(),
            "status": data["status"],
            "manager_id": data["manager"],
            "hours_left_below": data["hours_below"],
        }
