import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

APPROVER_ROLES = [(r.value, r.label) for r in (Role.DIRECTOR, Role.FINANCE, Role.PRESIDENT)]


class ApprovalStep(models.Model):
    """One step of the company's refund approval chain, in order (by default: campus director, finance
    review, president). A refund keeps the chain it was submitted with."""

    position = models.PositiveSmallIntegerField(_("position"), unique=True)
    role = models.CharField(_("role"), max_length=20, choices=APPROVER_ROLES)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["position"]

    def __str__(self):
        return f"{self.position}. {self.get_role_display()}"


class Refund(models.Model):
    """E5: the parent's written application, the refund list, and its way through the approvals."""

    class Status(models.TextChoices):
        APPROVING = "approving", _("Being approved")
        RETURNED = "returned", _("Returned to the applicant")
        APPROVED = "approved", _("Approved: to be paid")
        PAID = "paid", _("Paid")

    case = models.OneToOneField(
        "retention.Case", on_delete=models.PROTECT, related_name="refund", verbose_name=_("retention case")
    )
    student = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, related_name="refunds", verbose_name=_("student")
    )
    campus = models.ForeignKey(
        "accounts.Campus", on_delete=models.PROTECT, related_name="+", verbose_name=_("campus")
    )
    # The parent's written application.
    applicant = models.CharField(_("applicant (parent)"), max_length=60)
    applied_on = models.DateField(_("application date"))
    reason = models.TextField(_("reason given by the parent"))
    scan = models.FileField(_("scan of the written application"), upload_to="refunds/%Y/%m/")
    # The refund list (退费清单): computed from the contracts and lessons when submitted.
    hours_bought = models.DecimalField(_("hours bought"), max_digits=7, decimal_places=1)
    hours_used = models.DecimalField(_("hours used"), max_digits=7, decimal_places=1)
    unit_price = models.DecimalField(_("price per hour"), max_digits=9, decimal_places=2)
    amount_paid = models.DecimalField(_("amount paid"), max_digits=11, decimal_places=2)
    deductions = models.DecimalField(
        _("deductions"), max_digits=11, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    deduction_reason = models.TextField(_("reason for the deductions"), blank=True)
    amount = models.DecimalField(_("amount to refund"), max_digits=11, decimal_places=2)
    amount_reason = models.TextField(_("reason the amount differs from the computed one"), blank=True)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPROVING)
    chain = models.JSONField(_("approval chain"), default=list)
    step = models.PositiveSmallIntegerField(_("current step"), default=0)
    # chain[step] while being approved, kept in a column so each approver's queue is one indexed query.
    waiting_role = models.CharField(_("waiting for"), max_length=20, choices=APPROVER_ROLES, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    request_key = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0, amount__lte=F("amount_paid")),
                name="refund_amount_within_paid",
                violation_error_message=_("The refund cannot be negative or more than was paid."),
            ),
            models.CheckConstraint(condition=Q(deductions__gte=0), name="refund_deductions_not_negative"),
        ]
        indexes = [
            # Each approver's queue (refunds.selectors.queue): the refunds at a role's step, by campus.
            models.Index(fields=["waiting_role", "campus"], name="refund_waiting"),
            # The refund list (refunds.selectors.refund_rows): a page of every refund, newest first.
            models.Index(fields=["-submitted_at", "-id"], name="refund_submitted"),
            # The same list of one campus (refund_rows(campus_id=…): the campus filter of finance and
            # the president).
            models.Index(fields=["campus", "-submitted_at", "-id"], name="refund_campus_submitted"),
        ]

    def __str__(self):
        return f"{self.student} · {self.amount}"

    def get_absolute_url(self):
        return reverse("refunds:detail", args=[self.pk])

    @property
    def hours_left(self):
        return self.hours_bought - self.hours_used

    @property
    def waiting_for(self) -> str:
        """Whom the refund waits for, as the lists say it: the approver of its step, finance to pay it,
        the applicant to submit it again; nobody once it is paid."""
        if self.status == self.Status.APPROVING:
            return self.get_waiting_role_display()
        if self.status == self.Status.APPROVED:
            return Role.FINANCE.label
        if self.status == self.Status.RETURNED:
            return str(_("the applicant"))
        return ""

    def steps(self) -> list[tuple[str, str]]:
        """The chain for the page: each approver's role label and "waiting", "approved" or ""."""
        labels = dict(APPROVER_ROLES)
        done = len(self.chain) if self.status in (self.Status.APPROVED, self.Status.PAID) else self.step
        waiting = self.step if self.status == self.Status.APPROVING else -1
        return [
            (labels.get(role, role), "waiting" if i == waiting else "approved" if i < done else "")
            for i, role in enumerate(self.chain)
        ]


class RefundVersion(models.Model):
    """One version of a refund's list as it was submitted: the first submission, then each amendment
    sent again after a rejection. The approvers see what changed since the version they sent back."""

    refund = models.ForeignKey(
        Refund, on_delete=models.CASCADE, related_name="versions", verbose_name=_("refund")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    # The figures the list was computed from: a contract corrected while the refund was returned to
    # its applicant changes them in the next version.
    hours_bought = models.DecimalField(_("hours bought"), max_digits=7, decimal_places=1)
    hours_used = models.DecimalField(_("hours used"), max_digits=7, decimal_places=1)
    unit_price = models.DecimalField(_("price per hour"), max_digits=9, decimal_places=2)
    amount_paid = models.DecimalField(_("amount paid"), max_digits=11, decimal_places=2)
    deductions = models.DecimalField(_("deductions"), max_digits=11, decimal_places=2)
    deduction_reason = models.TextField(_("reason for the deductions"), blank=True)
    amount = models.DecimalField(_("amount to refund"), max_digits=11, decimal_places=2)
    amount_reason = models.TextField(_("reason the amount differs from the computed one"), blank=True)
    comment = models.TextField(_("what was changed or explained"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    # The refund list's figures, computed from the contracts and lessons (refunds.services.refund_figures).
    FIGURES = ("hours_bought", "hours_used", "unit_price", "amount_paid")
    # The parts of the list its applicant writes, in the order shown.
    LIST_FIELDS = ("deductions", "deduction_reason", "amount", "amount_reason")
    # What a version keeps (and the page compares).
    KEPT = (*FIGURES, *LIST_FIELDS)

    class Meta:
        verbose_name = _("refund list version")
        verbose_name_plural = _("refund list versions")
        ordering = ["refund", "number"]
        constraints = [models.UniqueConstraint(fields=["refund", "number"], name="refund_version_once")]

    def __str__(self):
        return f"{self.refund} · v{self.number}"


class RefundAttachment(models.Model):
    """A file sent with one version of the refund's list: an invoice or a receipt behind a deduction
    or an amount. Served only to those who may open the refund (refunds.views.refund_attachment)."""

    version = models.ForeignKey(
        RefundVersion, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("version")
    )
    file = models.FileField(_("file"), upload_to="refunds/%Y/%m/", max_length=255)
    name = models.CharField(_("name"), max_length=150)  # as uploaded (config.forms bounds it)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("refund attachment")
        verbose_name_plural = _("refund attachments")
        ordering = ["version", "pk"]

    def __str__(self):
        return self.name


class Approval(models.Model):
    """One approver's decision on one step; a rejection sends the refund back a step."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    refund = models.ForeignKey(
        Refund, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("refund")
    )
    step = models.PositiveSmallIntegerField(_("step"))
    role = models.CharField(_("role"), max_length=20, choices=APPROVER_ROLES)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.refund} · {self.get_decision_display()}"


class Payment(models.Model):
    """The money going back to the family, as finance paid it: E5's last step."""

    class Method(models.TextChoices):
        BANK = "bank", _("Bank transfer")
        WECHAT = "wechat", _("WeChat Pay")
        ALIPAY = "alipay", _("Alipay")
        CASH = "cash", _("Cash")

    refund = models.OneToOneField(
        Refund, on_delete=models.PROTECT, related_name="payment", verbose_name=_("refund")
    )
    amount = models.DecimalField(
        _("amount paid back"), max_digits=11, decimal_places=2, validators=[MinValueValidator(0)]
    )
    difference_reason = models.TextField(_("why it differs from the approved amount"), blank=True)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    voucher = models.CharField(_("voucher number"), max_length=40)
    payee_name = models.CharField(_("payee"), max_length=60)
    payee_bank = models.CharField(_("payee's bank"), max_length=60, blank=True)
    payee_account = models.CharField(_("payee's account"), max_length=40, blank=True)
    paid_on = models.DateField(_("paid on"))
    # Optional: finance's scan of the bank's or the payment app's receipt ("" when none was given).
    receipt = models.FileField(_("receipt scan"), upload_to="refunds/%Y/%m/", max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative")]

    def __str__(self):
        return f"{self.refund} · {self.get_method_display()} {self.voucher}"

    @property
    def receipt_name(self) -> str:
        """The receipt scan's file name, without its folder ("" when none was given)."""
        return PurePosixPath(self.receipt.name).name if self.receipt else ""

    def account_for(self, user) -> str:
        """The payee's account in full for finance and the campus director (who pay and answer for
        it), its last four characters only for anyone else."""
        if user.role in ACCOUNT_READERS or len(self.payee_account) <= 4:
            return self.payee_account
        return "•••• " + self.payee_account[-4:]


# Who reads a payee's account in full (Payment.account_for).
ACCOUNT_READERS = (Role.FINANCE, Role.DIRECTOR)
