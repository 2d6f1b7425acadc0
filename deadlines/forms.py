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
