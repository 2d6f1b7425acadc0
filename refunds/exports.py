"""The refund list as a workbook: its two lists as two sheets — what waits for the reader (for those the
page shows it to) and every refund they may see — with the columns of templates/refunds/list.html
(config/exports.py)."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from config import exports
from config.exports import Column, Export, Sheet

from .models import Refund
from .selectors import mark_sent_back

REFUND_COLUMNS = (
    Column(_("Student"), "student.full_name", width=16),
    Column(_("campus"), "campus.name", width=14),
    Column(_("amount to refund"), "amount", exports.MONEY),
    Column(_("submitted at"), "submitted_at", exports.DATE),
    Column(_("status"), "get_status_display", width=16),
)
QUEUE_COLUMNS = (*REFUND_COLUMNS, Column(_("Why it was sent back"), "sent_back_why", width=30))
LIST_COLUMNS = (*REFUND_COLUMNS, Column(_("waiting for"), "waiting_for", width=14))


def _sent_back(refund: Refund) -> None:
    mark_sent_back([refund])


def refund_list_export(queue: QuerySet[Refund] | None, refunds: QuerySet[Refund], form) -> Export:
    """The page's lists with its filter and scope, every row of each; `queue` None where the page
    shows no queue."""
    sheets = [Sheet(_("All refunds"), LIST_COLUMNS, refunds)]
    if queue is not None:
        sheets.insert(0, Sheet(_("Waiting for you"), QUEUE_COLUMNS, queue, each=_sent_back))
    return Export(_("Refunds"), exports.filters_shown(form), sheets)
