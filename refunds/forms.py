import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from config.drafts import DraftUploadsMixin
from config.forms import BoundedForm
from config.once import RequestKeyField
from config.uploads import SCANS, MultipleFileField, check_upload
from students.forms import NOT_YOUR_CAMPUS
from students.services import DOCUMENT_MAX_BYTES

from .models import Payment, RefundVersion
from .services import application_errors, difference_unexplained, refund_figures, refund_list

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The files an amendment brings: a few invoices or receipts, within one request's size.
ATTACHMENTS_MAX = 10
SCAN_REFUSED = _("Upload a PDF or an image of the signed application.")


def checked_scan(upload, refused_message=SCAN_REFUSED):
    """A scan (PDF or image) of at most 20 MB, checked by its content; None stays None."""
    if upload is None:
        return None
    if upload.size > DOCUMENT_MAX_BYTES:
        raise forms.ValidationError(_("The file is larger than 20 MB."))
    check_upload(upload, allowed=SCANS, refused_message=refused_message)
    return upload


class RefundFilterForm(BoundedForm):
    """The refund list's filter: one campus of a company-wide reader's scope (finance, the president);
    anyone else naming a campus is told so and sees their own scope."""

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

    def campus_id(self) -> int | None:
        return self.cleaned_data.get("campus") if self.is_bound and self.is_valid() else None


class RefundListForm(BoundedForm):
    """The refund list's own part, as the application and an amendment give it (services.refund_list).
    Built with the refund list's `figures`, it checks the list as the service will: every problem at
    once, with the form's own."""

    deductions = forms.DecimalField(label=_("Deductions"), max_digits=11, decimal_places=2, min_value=0)
    deduction_reason = forms.CharField(label=_("Reason for the deductions"), required=False, max_length=500)
    amount = forms.DecimalField(
        label=_("Amount to refund"),
        max_digits=11,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty to refund the computed amount."),
    )
    amount_reason = forms.CharField(
        label=_("Why the amount differs from the computed one"), required=False, max_length=500
    )

    def __init__(self, *args, figures: dict | None = None, **kwargs):
        self.figures = figures
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        try:
            self.check_list(data)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(name, message)
        return data

    def check_list(self, data: dict) -> None:
        """The service's ValidationError for the list's problems and the form's other ones (those of
        service_errors), all at once; the list is checked once its deductions are a number."""
        errors = self.service_errors(data)
        if self.figures is not None and "deductions" in data:
            parts = [data.get(name) for name in RefundVersion.LIST_FIELDS]
            refund_list(self.figures, *parts, errors=errors)
        elif errors:
            raise ValidationError(errors)

    def service_errors(self, data: dict) -> dict:
        """The problems the service finds beside the list's, by field."""
        return {}


class RefundForm(DraftUploadsMixin, RefundListForm):
    """The parent's written application with the refund list: built with the list's `figures`
    (refund_preview) and the `uploader`, it says every problem at once and keeps the scan."""

    field_order = ["request_key", "applicant", "applied_on", "reason", "scan", *RefundVersion.LIST_FIELDS]
    request_key = RequestKeyField()
    applicant = forms.CharField(label=_("Applicant (parent)"), max_length=60)
    applied_on = forms.DateField(label=_("Date of the written application"), widget=DATE)
    reason = forms.CharField(label=_("Reason given by the parent"), widget=forms.Textarea(attrs={"rows": 2}))
    scan = forms.FileField(label=_("Scan of the written application"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"request_key": uuid.uuid4(), "deductions": 0})
        super().__init__(*args, **kwargs)

    def clean_scan(self):
        return checked_scan(self.cleaned_data["scan"])

    def service_errors(self, data: dict) -> dict:
        return application_errors(data.get("applied_on"))


class RefundActionForm(DraftUploadsMixin, BoundedForm):
    """A form of an action on one refund (refunds.views.ACTIONS): it knows the refund it acts on, and
    keeps its files across a re-render (built with the `uploader`)."""

    def __init__(self, *args, refund=None, **kwargs):
        self.refund = refund
        super().__init__(*args, **kwargs)


class DecisionForm(RefundActionForm):
    step = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Approve")), ("no", _("Reject: back a step"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ResubmitForm(RefundActionForm, RefundListForm):
    """A returned refund's list amended and sent again (refund_resubmit keeps it as a new version)."""

    comment = forms.CharField(
        label=_("What was changed or explained"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    attachments = MultipleFileField(
        label=_("Attachments (invoices, receipts)"),
        required=False,
        max_files=ATTACHMENTS_MAX,
        max_bytes=DOCUMENT_MAX_BYTES,
        allowed=SCANS,
        refused_message=_("Attach PDFs or images of the invoices and receipts."),
        help_text=_("PDFs or images: at most 10 files, 20 MB together. They are kept with this version."),
    )

    def __init__(self, *args, refund=None, **kwargs):
        """The amended list checked as refund_resubmit will, against the refund's figures."""
        if refund is not None:  # the list as it was sent back, to amend
            initial = {name: getattr(refund, name) for name in RefundVersion.LIST_FIELDS}
            if not refund.amount_reason:  # the computed amount: computed again from the amended deductions
                initial["amount"] = None
            kwargs.setdefault("initial", initial)
            kwargs["figures"] = refund_figures(refund.student)  # as refund_resubmit computes them
        super().__init__(*args, refund=refund, **kwargs)


class PaymentForm(RefundActionForm):
    """What finance paid back, how and to whom (refund_paid checks it against the refund)."""

    amount = forms.DecimalField(label=_("Amount paid back"), max_digits=11, decimal_places=2, min_value=0)
    difference_reason = forms.CharField(
        label=_("Why it differs from the approved amount"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    method = forms.ChoiceField(label=_("Method"), choices=Payment.Method.choices)
    voucher = forms.CharField(label=_("Voucher number"), max_length=40)
    payee_name = forms.CharField(label=_("Payee"), max_length=60)
    payee_bank = forms.CharField(label=_("Payee's bank"), max_length=60, required=False)
    payee_account = forms.CharField(
        label=_("Payee's account"),
        max_length=40,
        required=False,
        help_text=_("The bank card number, or the WeChat or Alipay account."),
    )
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    receipt = forms.FileField(
        label=_("Receipt scan"),
        required=False,
        help_text=_("Optional: the bank's or the payment app's receipt, as a PDF or an image."),
    )

    def clean_receipt(self):
        return checked_scan(
            self.cleaned_data.get("receipt"), _("Upload a PDF or an image of the payment's receipt.")
        )

    def clean(self):
        data = super().clean()
        amount = data.get("amount")
        if self.refund is not None and amount is not None:  # refund_paid checks it again
            if amount > self.refund.amount_paid:
                self.add_error("amount", _("More than the family paid cannot be paid back."))
            elif amount != self.refund.amount and not data.get("difference_reason", "").strip():
                self.add_error("difference_reason", difference_unexplained(self.refund.amount))
        method = data.get("method")
        if method == Payment.Method.BANK:
            for name in ("payee_bank", "payee_account"):
                if not data.get(name):
                    self.add_error(name, _("A bank transfer needs the payee's bank and account."))
        elif method in (Payment.Method.WECHAT, Payment.Method.ALIPAY) and not data.get("payee_account"):
            self.add_error("payee_account", _("Give the account the money was sent to."))
        return data
