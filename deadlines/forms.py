from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import BoundedForm


class WaiveForm(BoundedForm):
    reason = forms.CharField(
        label=_("Why is this deadline waived?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why this deadline is waived.")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why this deadline is waived."))
        return reason


class DeadlineListForm(BoundedForm):
    """The filters of a deadline list: whose (the user's own unless they may see another's) and which
    bucket of My day; bad values are dropped, never an error page."""

    owner = forms.ModelChoiceField(label=_("Whose deadlines"), queryset=None, required=False)
    bucket = forms.ChoiceField(label=_("Which deadlines"), required=False)

    def __init__(self, data, *, owners, buckets):
        super().__init__(data)
        self.fields["owner"].queryset = owners
        self.fields["bucket"].choices = [("", _("All open deadlines")), *buckets.items()]
