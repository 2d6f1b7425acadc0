"""E5: the refund application, its approval chain and the payment. Every step is a compare-and-set on
the refund's status and step, so two approvers at once, or a double click, approve once."""

import uuid
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from deadlines.models import Kind
from deadlines.services import deadline_stop, notices_about
from followups.pauses import ENDED_STOPS, stop_student_clocks
from retention.models import Case
from retention.services import is_supervisor
from students.models import Lesson, Student
from timeline.services import timeline_add

from .models import Approval, ApprovalStep, Payment, Refund, RefundAttachment, RefundVersion

DEFAULT_CHAIN = [Role.DIRECTOR, Role.FINANCE, Role.PRESIDENT]
CENT = Decimal("0.01")


class StepMoved(ValidationError):
    def __init__(self):
        super().__init__(_("This refund has already moved on; the page shows where it is now."))


def refund_figures(student: Student) -> dict:
    """The refund list's figures from the student's contracts and the lessons taught."""
    contracts = student.contracts.aggregate(hours=Sum("hours"), paid=Sum("amount"))
    used = student.lessons.filter(status=Lesson.Status.DONE).aggregate(hours=Sum("hours"))["hours"]
    bought, paid = contracts["hours"] or Decimal("0"), contracts["paid"] or Decimal("0")
    unit_price = (paid / bought).quantize(CENT, ROUND_HALF_UP) if bought else Decimal("0")
    used = min(used or Decimal("0"), bought)
    return {"hours_bought": bought, "hours_used": used, "unit_price": unit_price, "amount_paid": paid}


def computed_amount(figures: dict, deductions: Decimal) -> Decimal:
    left = figures["hours_bought"] - figures["hours_used"]
    amount = (left * figures["unit_price"] - deductions).quantize(CENT, ROUND_HALF_UP)
    return min(max(amount, Decimal("0")), figures["amount_paid"])


def refund_preview(student: Student) -> dict:
    """The refund list before any deduction, as the application form shows it."""
    figures = refund_figures(student)
    return {
        **figures,
        "hours_left": figures["hours_bought"] - figures["hours_used"],
        "amount": computed_amount(figures, Decimal("0")),
    }


def current_chain() -> list[str]:
    return list(ApprovalStep.objects.values_list("role", flat=True)) or [str(r) for r in DEFAULT_CHAIN]


def may_submit(user, case: Case) -> bool:
    """The manager's supervisor; the campus director only for a team without one (the director's
    own approval step then needs another director or a changed chain)."""
    team = case.manager.team
    if user.role == Role.SUPERVISOR:
        return is_supervisor(user, case)
    return is_supervisor(user, case) and (team is None or team.supervisor_id is None)


@transaction.atomic
def refund_submit(
    *,
    case: Case,
    actor,
    request_key: uuid.UUID,
    applicant: str,
    applied_on,
    reason: str,
    scan,
    deductions: Decimal = Decimal("0"),
    deduction_reason: str = "",
    amount: Decimal | None = None,
    amount_reason: str = "",
) -> tuple[Refund, bool]:
    """The supervisor files the parent's written application with the refund list; it goes to the
    first approver. A lost case has one refund. Returns (refund, created)."""
    if not may_submit(actor, case):
        raise PermissionDenied(_("Only the manager's supervisor or the campus director submits a refund."))
    if case.outcome != Case.Outcome.LOST:
        raise ValidationError(
            _("A refund follows a lost case: the rescue and the director's rescue come first.")
        )
    Case.objects.select_for_update().get(pk=case.pk)  # one refund per case, however many clicks
    existing = Refund.objects.filter(case=case).first()
    if existing is not None:
        return existing, False
    figures = locked_figures(case.student)
    errors = application_errors(applied_on)
    listed = refund_list(figures, deductions, deduction_reason, amount, amount_reason, errors=errors)
    chain = current_chain()
    refund = Refund.objects.create(
        case=case,
        student=case.student,
        campus_id=case.campus_id,
        applicant=applicant.strip(),
        applied_on=applied_on,
        reason=reason.strip(),
        scan=scan,
        **listed,
        chain=chain,
        waiting_role=chain[0],
        submitted_by=actor,
        request_key=request_key,
        **figures,
    )
    _record(
        refund,
        actor,
        "refund.submitted",
        to_state=Refund.Status.APPROVING,
        reason=refund.reason,
        data={"amount": str(refund.amount)},
    )
    _version(refund, actor, "")
    _tell_approvers(refund)
    # The family asks for its money back: no renewal talk is due meanwhile (followups.renewal holds).
    stop_student_clocks(case.student, ("R1",), actor, _("Refund applied for."))
    return refund, True


def application_errors(applied_on) -> dict:
    """The written application's own problems, by field (refund_submit and its form say them with the
    list's)."""
    if applied_on is not None and applied_on > timezone.localdate():
        return {"applied_on": _("The application cannot be dated in the future.")}
    return {}


def locked_figures(student: Student) -> dict:
    """refund_figures with the student's row locked as a contract's correction locks it
    (students.services.contract_correct): the figures cannot change under the submission."""
    Student.objects.select_for_update(no_key=True).get(pk=student.pk)
    return refund_figures(student)


def refund_list(
    figures: dict, deductions, deduction_reason, amount, amount_reason, *, errors: dict | None = None
) -> dict:
    """The refund list's own part (deductions, the amount and their reasons) checked against its
    figures: the amount computed unless another is given with its reason. Every problem at once (with
    `errors` already found), as a ValidationError."""
    errors = dict(errors or {})
    deductions = Decimal("0") if deductions is None else deductions
    deduction_reason, amount_reason = (deduction_reason or "").strip(), (amount_reason or "").strip()
    if deductions < 0:
        errors["deductions"] = _("Deductions cannot be negative.")
    elif deductions and not deduction_reason:
        errors["deduction_reason"] = _("Say what the deductions are for.")
    computed = computed_amount(figures, max(deductions, Decimal("0")))
    amount = computed if amount is None else amount
    if amount < 0 or amount > figures["amount_paid"]:
        errors["amount"] = _("The refund cannot be negative or more than was paid.")
    elif amount != computed and not amount_reason:
        errors["amount_reason"] = _("Say why the amount differs from the computed %(amount)s.") % {
            "amount": computed
        }
    if errors:
        raise ValidationError(errors)
    return {
        "deductions": deductions,
        "deduction_reason": deduction_reason,
        "amount": amount,
        "amount_reason": amount_reason,
    }


def _version(refund: Refund, actor, comment: str) -> RefundVersion:
    """The refund's list as submitted now, kept as its next version."""
    number = refund.versions.count() + 1
    values = {name: getattr(refund, name) for name in RefundVersion.KEPT}
    return RefundVersion.objects.create(refund=refund, number=number, comment=comment, by=actor, **values)


class DecidedBefore(ValidationError):
    def __init__(self):
        super().__init__(
            _(
                "You have decided another step of this refund: each step needs another person. "
                "Another approver of this role decides this one."
            ),
            code="decided_before",
        )


def decided_another_step(user, refund: Refund) -> bool:
    """Whether the user approved or rejected another step of this refund (in any round): one person
    never decides two steps of one refund, even where the chain repeats a role."""
    return refund.approvals.filter(by=user).exclude(step=refund.step).exists()


def may_decide(user, refund: Refund) -> bool:
    """The approver of the refund's current step: of its role, of its campus for a director, never
    the one who submitted it, and never one who decided another step of it."""
    if refund.status != Refund.Status.APPROVING or user.role != refund.waiting_role:
        return False
    if user.pk == refund.submitted_by_id:
        return False
    if user.role == Role.DIRECTOR and user.campus_id != refund.campus_id:
        return False
    return not decided_another_step(user, refund)


@transaction.atomic
def refund_decide(*, refund: Refund, actor, step: int, approve: bool, comment: str = "") -> None:
    """Approve (on to the next step; the last one approves the refund) or reject (back a step; from
    the first step back to the applicant). `step` is the step the approver was shown."""
    if refund.status != Refund.Status.APPROVING or refund.step != step or not 0 <= step < len(refund.chain):
        raise StepMoved
    if actor.role == refund.waiting_role and decided_another_step(actor, refund):
        raise DecidedBefore
    if not may_decide(actor, refund):
        raise PermissionDenied(_("This step is not yours to approve."))
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("Say why you reject it.")})
    last = step + 1 == len(refund.chain)
    if approve:
        changes = (
            {"status": Refund.Status.APPROVED, "waiting_role": ""}
            if last
            else {"step": step + 1, "waiting_role": refund.chain[step + 1]}
        )
    elif step == 0:
        changes = {"status": Refund.Status.RETURNED, "waiting_role": ""}
    else:
        changes = {"step": step - 1, "waiting_role": refund.chain[step - 1]}
    moved = Refund.objects.filter(pk=refund.pk, status=Refund.Status.APPROVING, step=step).update(**changes)
    if not moved:
        raise StepMoved
    old = refund.status
    for name, value in changes.items():
        setattr(refund, name, value)
    decision = Approval.Decision.APPROVED if approve else Approval.Decision.REJECTED
    Approval.objects.create(
        refund=refund, step=step, role=actor.role, decision=decision, comment=comment, by=actor
    )
    _record(
        refund,
        actor,
        f"refund.{decision}",
        from_state=old,
        to_state=refund.status,
        reason=comment,
        data={"step": step + 1, "role": actor.role},
    )
    if approve and last:
        _student_refunded(refund, actor)
    if refund.status == Refund.Status.APPROVING:
        _tell_approvers(refund)


def _student_refunded(refund: Refund, actor) -> None:
    """The final approval: the student is refunded and the contract ends."""
    student = refund.student
    old = Student.objects.filter(pk=student.pk).values_list("status", flat=True).get()
    Student.objects.filter(pk=student.pk).update(status=Student.Status.REFUNDED)
    stop_student_clocks(student, (*ENDED_STOPS, "R1"), actor, _("Refunded."))
    _lessons_to_come_cancelled(student, actor)
    timeline_add(
        subject=student,
        kind="student.refunded",
        campus_id=student.campus_id,
        actor=actor,
        from_state=old,
        to_state=Student.Status.REFUNDED,
    )


def _lessons_to_come_cancelled(student: Student, actor) -> None:
    """A refunded student is no longer taught: their booked lessons are cancelled, and the tasks
    about those lessons (L10) stop."""
    upcoming = list(student.lessons.filter(status=Lesson.Status.SCHEDULED, starts_at__gt=timezone.now()))
    if not upcoming:
        return
    student.lessons.filter(pk__in=[lesson.pk for lesson in upcoming]).update(status=Lesson.Status.CANCELLED)
    for lesson in upcoming:
        deadline_stop(rule="L10", subject=lesson, actor=actor, reason=_("Refunded."))
    timeline_add(
        subject=student,
        kind="lessons.cancelled",
        campus_id=student.campus_id,
        actor=actor,
        reason=_("Refunded."),
        data={"count": len(upcoming)},
    )


@transaction.atomic
def refund_resubmit(
    *,
    refund: Refund,
    actor,
    comment: str,
    deductions=None,
    deduction_reason=None,
    amount=None,
    amount_reason=None,
    attachments=(),
) -> None:
    """A returned refund goes back to the first approver, with what was changed or explained: its list
    amended (the deductions, the amount and their reasons; each left out keeps its value) and kept as
    a new version, with the files sent with it (invoices, receipts: the form checked them). Its
    figures are computed again: a contract corrected while the refund was returned
    (students.services.contract_correct) moves them."""
    if not may_submit(actor, refund.case):
        raise PermissionDenied(_("Only the manager's supervisor or the campus director submits a refund."))
    comment = (comment or "").strip()
    errors = {} if comment else {"comment": _("Say what was changed or explained.")}
    figures = locked_figures(refund.student)
    listed = refund_list(
        figures,
        refund.deductions if deductions is None else deductions,
        refund.deduction_reason if deduction_reason is None else deduction_reason,
        amount,
        refund.amount_reason if amount_reason is None else amount_reason,
        errors=errors,
    )
    # The one who submits again answers for it: they may not approve it themselves.
    changes = {
        "status": Refund.Status.APPROVING,
        "step": 0,
        "waiting_role": refund.chain[0],
        "submitted_by": actor,
        **figures,
        **listed,
    }
    if not Refund.objects.filter(pk=refund.pk, status=Refund.Status.RETURNED).update(**changes):
        raise StepMoved
    for name, value in changes.items():
        setattr(refund, name, value)
    attached = _attached(_version(refund, actor, comment), attachments, actor)
    data = {"amount": str(refund.amount)}
    if attached:
        data["attachments"] = [attachment.name for attachment in attached]
    _record(
        refund,
        actor,
        "refund.resubmitted",
        from_state=Refund.Status.RETURNED,
        to_state=Refund.Status.APPROVING,
        reason=comment,
        data=data,
    )
    _tell_approvers(refund)


def approvers(refund: Refund) -> list:
    """Who may decide the refund's current step: active people of its role (a director: of its campus)
    who may decide it (may_decide)."""
    people = User.objects.filter(role=refund.waiting_role, is_active=True).select_related("campus")
    if refund.waiting_role == Role.DIRECTOR:
        people = people.filter(campus_id=refund.campus_id)
    return [person for person in people if may_decide(person, refund)]


def _tell_approvers(refund: Refund) -> None:
    """The refund's next approvers are told it waits for them, once each time it reaches a step (the
    round: how many decisions were made before, so a step reached again is told again)."""
    notices_about(
        record=refund,
        kind=Kind.APPROVAL,
        recipients=approvers(refund),
        round=refund.approvals.count(),
        student_id=refund.student_id,
        campus=refund.campus,
    )


def _attached(version: RefundVersion, uploads, actor) -> list[RefundAttachment]:
    """The files sent with a version of the list, kept with it under the names they were sent with."""
    return [
        RefundAttachment.objects.create(
            version=version, file=upload, name=Path(upload.name).name[:150], uploaded_by=actor
        )
        for upload in uploads
    ]


def difference_unexplained(approved) -> str:
    """The message of a payment that differs from the approved amount without a reason."""
    return _("The amount differs from the approved %(amount)s: say why (a bank fee, a rounding, …).") % {
        "amount": approved
    }


@transaction.atomic
def refund_paid(
    *,
    refund: Refund,
    actor,
    paid_on,
    amount,
    method,
    voucher,
    payee_name,
    payee_bank="",
    payee_account="",
    difference_reason="",
    receipt=None,
) -> Payment:
    """Finance records the money going back to the family: how much (the approved amount, or another
    with its reason), how, the voucher, to whom, the day, and the receipt's scan when there is one."""
    if actor.role != Role.FINANCE:
        raise PermissionDenied(_("Only finance records the payment."))
    errors = {}
    if paid_on > timezone.localdate() or paid_on < refund.applied_on:
        errors["paid_on"] = _("The payment date is between the application and today.")
    if amount > refund.amount_paid:
        errors["amount"] = _("More than the family paid cannot be paid back.")
    elif amount != refund.amount and not difference_reason.strip():
        errors["difference_reason"] = difference_unexplained(refund.amount)
    if errors:
        raise ValidationError(errors)
    if not Refund.objects.filter(pk=refund.pk, status=Refund.Status.APPROVED).update(
        status=Refund.Status.PAID, paid_on=paid_on
    ):
        raise StepMoved
    refund.status, refund.paid_on = Refund.Status.PAID, paid_on
    payment = Payment.objects.create(
        refund=refund,
        amount=amount,
        difference_reason=difference_reason.strip(),
        method=method,
        voucher=voucher,
        payee_name=payee_name,
        payee_bank=payee_bank,
        payee_account=payee_account,
        paid_on=paid_on,
        receipt=receipt or "",
        recorded_by=actor,
    )
    data = {"on": paid_on.isoformat(), "amount": str(amount), "method": method, "voucher": voucher}
    if receipt:
        data["receipt"] = payment.receipt_name
    _record(
        refund,
        actor,
        "refund.paid",
        from_state=Refund.Status.APPROVED,
        to_state=Refund.Status.PAID,
        reason=payment.difference_reason,
        data=data,
    )
    return payment


def _record(refund: Refund, actor, kind: str, **values) -> None:
    timeline_add(
        subject=refund,
        kind=kind,
        campus_id=refund.campus_id,
        actor=actor,
        student_id=refund.student_id,
        **values,
    )
