from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.scope import campuses_for
from config import exports
from config.money import rmb_capitals
from retention.selectors import cases_for
from timeline.exports import export_refused, export_response
from timeline.models import Access
from timeline.services import access_record

from . import services
from .exports import refund_list_export
from .forms import DecisionForm, PaymentForm, RefundFilterForm, RefundForm, ResubmitForm
from .models import Payment, RefundAttachment
from .selectors import (
    amended,
    last_rejection,
    mark_sent_back,
    queue,
    refund_rows,
    refund_story,
    refund_versions,
    refunds_for,
)

VIEWERS = (Role.SUPERVISOR, Role.DIRECTOR, Role.FINANCE, Role.PRESIDENT)


def _refund(request, pk: int):
    refunds = refunds_for(request.user).select_related("student", "campus", "case", "submitted_by")
    return get_object_or_404(refunds, pk=pk)


# The refund list shows this many refunds a page, in each of its two lists.
PAGE = 50


def _query_without(request, name: str) -> str:
    """The page's query string without one list's page number (the other list keeps its page)."""
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


# Those who approve or pay: the page shows them what waits for them first.
QUEUE_READERS = (Role.DIRECTOR, Role.FINANCE, Role.PRESIDENT)


@login_required
def refund_list(request):
    """What waits for the user (the longest waiting first), then every refund they may see (the
    newest first): each list a page of PAGE with its count, ?queue_page= and ?page= their pages;
    ?campus= one campus's, for a company-wide reader. ?format=xlsx: both lists, every row, as a
    workbook."""
    user = request.user
    if user.role not in VIEWERS:
        raise PermissionDenied
    campuses = campuses_for(user) if user.is_company_wide else None
    form = RefundFilterForm(request.GET or None, campuses=campuses)
    campus_id = form.campus_id()
    waiting, refunds = queue(user, campus_id=campus_id), refund_rows(user, campus_id=campus_id)
    if exports.asked(request):
        if not form.errors:
            export = refund_list_export(waiting if user.role in QUEUE_READERS else None, refunds, form)
            return export_response(request, export, campus_id=campus_id)
        export_refused(request)
    waiting = Paginator(waiting, PAGE).get_page(request.GET.get("queue_page"))
    mark_sent_back(waiting)
    context = {
        "form": form,
        "queue": waiting,
        "shows_queue": user.role in QUEUE_READERS,
        "refunds": Paginator(refunds, PAGE).get_page(request.GET.get("page")),
        "queue_query": _query_without(request, "queue_page"),
        "refunds_query": _query_without(request, "page"),
    }
    return TemplateResponse(request, "refunds/list.html", context)


@login_required
def refund_new(request, case_id: int):
    case = get_object_or_404(cases_for(request.user).select_related("student", "manager__team"), pk=case_id)
    if not services.may_submit(request.user, case):
        raise PermissionDenied
    if hasattr(case, "refund"):
        return redirect(case.refund)
    figures = services.refund_preview(case.student)
    form = RefundForm(request.POST or None, request.FILES or None, figures=figures, uploader=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            refund, _created = services.refund_submit(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Refund application submitted to the first approver."))
            return redirect(refund)
    context = {"case": case, "form": form, "figures": figures}
    return TemplateResponse(request, "refunds/new.html", context)


@login_required
def refund_detail(request, pk: int, forms: dict | None = None):
    refund = _refund(request, pk)
    user, forms, payment = request.user, forms or {}, _payment(refund)
    versions = refund_versions(refund)
    context = {
        "refund": refund,
        "approvals": list(refund.approvals.select_related("by")),
        "timeline": refund_story(refund, user),
        "decision_form": forms.get("decide") or DecisionForm(initial={"step": refund.step})
        if services.may_decide(user, refund)
        else None,
        "decided_before": refund.status == refund.Status.APPROVING
        and user.role == refund.waiting_role
        and services.decided_another_step(user, refund),
        "resubmit_form": forms.get("resubmit") or ResubmitForm(refund=refund)
        if refund.status == refund.Status.RETURNED and services.may_submit(user, refund.case)
        else None,
        "paid_form": forms.get("paid") or PaymentForm(initial=_payment_initial(refund))
        if refund.status == refund.Status.APPROVED and user.role == Role.FINANCE
        else None,
        "payment": payment,
        "payee_account": payment.account_for(user) if payment else "",
        # Sent back: by whom and why, above everything (the applicant or the step it returned to acts on it).
        "rejection": last_rejection(refund),
        "amended": amended(refund, versions),
        "versions": versions,
    }
    return TemplateResponse(request, "refunds/detail.html", context)


def _payment_initial(refund) -> dict:
    """The payment form as finance usually fills it: the approved amount, to the applicant, today."""
    return {"amount": refund.amount, "payee_name": refund.applicant, "paid_on": timezone.localdate()}


def _payment(refund):
    """The refund's payment, or None before it is paid."""
    try:
        return refund.payment
    except Payment.DoesNotExist:
        return None


ACTIONS = {
    "decide": (DecisionForm, services.refund_decide),
    "resubmit": (ResubmitForm, services.refund_resubmit),
    "paid": (PaymentForm, services.refund_paid),
}


@login_required
@require_POST
def refund_act(request, pk: int, action: str):
    refund = _refund(request, pk)
    if action not in ACTIONS:
        raise PermissionDenied
    form_class, do = ACTIONS[action]
    form = form_class(request.POST, request.FILES, refund=refund, uploader=request.user)
    if form.is_valid():
        try:
            do(refund=refund, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            if isinstance(error, services.StepMoved | services.DecidedBefore):
                messages.error(request, error.messages[0])
                return redirect(refund)
            form.add_service_error(error)
        else:
            messages.success(request, _("Saved."))
            return redirect(refund)
    return refund_detail(request, pk, forms={action: form})


@login_required
def refund_scan(request, pk: int):
    """The parent's signed application: private, served only to those who may see the refund."""
    refund = _refund(request, pk)
    access_record(actor=request.user, action=Access.Action.SCAN, student=refund.student, detail=str(refund))
    return _file(refund.scan)


@login_required
def refund_attachment(request, pk: int, attachment_id: int):
    """A file sent with a version of the list: served, as the scan is, to those who may see the refund."""
    refund = _refund(request, pk)
    attachment = get_object_or_404(RefundAttachment, pk=attachment_id, version__refund=refund)
    access_record(
        actor=request.user, action=Access.Action.DOCUMENT, student=refund.student, detail=attachment.name
    )
    return _file(attachment.file, attachment.name)


@login_required
def refund_receipt(request, pk: int):
    """The payment's receipt scan, to those who may see the refund; 404 when none was given."""
    refund = _refund(request, pk)
    payment = _payment(refund)
    if payment is None or not payment.receipt:
        raise Http404
    access_record(
        actor=request.user, action=Access.Action.DOCUMENT, student=refund.student, detail=str(payment)
    )
    return _file(payment.receipt)


def _file(stored, name: str = ""):
    """A stored file as the answer, under its own name (or `name`); 404 when it is missing."""
    try:
        return FileResponse(stored.open("rb"), filename=name or Path(stored.name).name)
    except FileNotFoundError:
        raise Http404 from None


@login_required
def refund_print(request, pk: int):
    """退费清单 on A4, with the approvals so far."""
    refund = _refund(request, pk)
    access_record(actor=request.user, action=Access.Action.PRINT, student=refund.student, detail=str(refund))
    payment = _payment(refund)
    context = {
        "refund": refund,
        # The contracts the figures come from (refund_figures: every contract of the student).
        "contracts": list(refund.student.contracts.order_by("signed_at", "pk")),
        "amount_capitals": rmb_capitals(refund.amount),
        "approvals": list(refund.approvals.select_related("by")),
        "signers": [label for label, _state in refund.steps()],
        "payment": payment,
        "payee_account": payment.account_for(request.user) if payment else "",
        "today": timezone.localdate(),
    }
    return TemplateResponse(request, "refunds/print.html", context)
