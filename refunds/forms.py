import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import BoundedForm
from config.once import RequestKeyField
from config.uploads import SCANS, check_upload
from students.services import DOCUMENT_MAX_BYTES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RefundForm(BoundedForm):
    request_key = RequestKeyField()
    applicant = forms.CharField(label=_("Applicant (parent)"), max_length=60)
    applied_on = forms.DateField(label=_("Date of the written application"), widget=DATE)
    reason = forms.CharField(label=_("Reason given by the parent"), widget=forms.Textarea(attrs={"rows": 2}))
    scan = forms.FileField(label=_("Scan of the written application"))
    deductions = forms.DecimalField(label=_("Deductions"), max_digits=11, decimal_places=2, initial=0)
    deduction_reason = forms.CharField(label=_("Reason for the deductions"), required=False)
    amount = forms.DecimalField(
        label=_("Amount to refund"),
        max_digits=11,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty to refund the computed amount."),
    )
    amount_reason = forms.CharField(label=_("Why the amount differs from the computed one"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"request_key": uuid.uuid4(), "deductions": 0})
        super().__init__(*args, **kwargs)

    def clean_scan(self):
        upload = self.cleaned_data["scan"]
        if upload.size > DOCUMENT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        check_upload(
            upload, allowed=SCANS, refused_message=_("Upload a PDF or an image of the signed application.")
        )
        return upload


class DecisionForm(BoundedForm):
    step = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Approve")), ("no", _("Reject: back a step"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ResubmitForm(BoundedForm):
    comment = forms.CharField(
        label=_("What was changed or explained"), widget=forms.Textarea(attrs={"rows": 2})
    )


class PaidForm(BoundedForm):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
