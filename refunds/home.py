"""The refunds' queue on the homes of the approvers: each refund at the person's step (a director's:
of their campus), and for finance also the approved refunds to pay."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import home
from accounts.models import Role

from . import selectors
from .models import Refund


def items(user, now) -> tuple[list[home.Item], int]:
    waiting = selectors.queue(user)
    return [_item(refund) for refund in waiting[: home.QUEUE_LIMIT]], waiting.count()


def _item(refund: Refund) -> home.Item:
    to_pay = refund.status == Refund.Status.APPROVED
    return home.Item(
        label=_("Record the payment") if to_pay else _("Approve or reject the refund"),
        about=f"{refund.student.full_name} · {refund.campus.name}",
        url=refund.get_absolute_url(),
        note=_("%(amount)s yuan, submitted %(when)s")
        % {"amount": refund.amount, "when": timezone.localtime(refund.submitted_at).strftime("%Y-%m-%d")},
    )


QUEUE = home.Queue(
    "refunds",
    20,
    frozenset({Role.DIRECTOR, Role.FINANCE, Role.PRESIDENT}),
    gettext_lazy("Refunds waiting for you"),
    items,
    empty=gettext_lazy("No refund waits for you."),
    count=lambda user, now: selectors.queue(user),
)


def approval_notice_text(notice) -> tuple[str, str]:
    """The notice that a refund waits for the reader's decision, drawn from the notice's student and
    campus (loaded with it)."""
    values = {"student": notice.student.full_name, "campus": notice.campus.name}
    return (
        _("Waiting for your approval: the refund of %(student)s") % values,
        _("%(campus)s · the refund application of %(student)s waits for your decision.") % values,
    )


def approval_notice_url(notice) -> str:
    return reverse("refunds:detail", args=[notice.subject_id])
