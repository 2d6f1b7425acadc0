from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Kind

# The kinds of record, other than deadlines, that notices are about: label -> (text, url) of a notice,
# registered by the app that owns the record (refunds: a refund waiting for its approver).
_SUBJECTS: dict[str, tuple[Callable, Callable]] = {}


def describe(label: str, *, text: Callable, url: Callable) -> None:
    """Notices about records of `label` ("app.model") read `text(notice)` -> (headline, body) and
    lead to `url(notice)`; both are given the notice with its student and campus loaded."""
    _SUBJECTS[label] = (text, url)


def _subject(notification) -> tuple[Callable, Callable]:
    kind = ContentType.objects.get_for_id(notification.subject_type_id)  # cached: no query
    return _SUBJECTS[f"{kind.app_label}.{kind.model}"]


def notification_text(notification) -> tuple[str, str]:
    """(headline, body) of a notice, in the active language, drawn from its deadline or its record."""
    if not notification.deadline_id:
        text, _url = _subject(notification)
        return text(notification)
    deadline = notification.deadline
    who = deadline.student.full_name if deadline.student_id else deadline.owner.display_name
    due = date_format(timezone.localtime(deadline.due_at), "Y-m-d H:i")
    values = {"rule": deadline.rule, "title": deadline.title, "who": who, "due": due}
    headline = {
        Kind.OPENED: _("New: %(rule)s %(title)s · %(who)s"),
        Kind.REMINDER: _("Due soon: %(rule)s %(title)s · %(who)s"),
        Kind.OVERDUE: _("Overdue: %(rule)s %(title)s · %(who)s"),
        Kind.ESCALATED_SUPERVISOR: _("Escalated to you: %(rule)s %(title)s · %(who)s"),
        Kind.ESCALATED_DIRECTOR: _("Escalated to you: %(rule)s %(title)s · %(who)s"),
    }[notification.kind] % values
    body = _("%(rule)s %(title)s for %(who)s was due %(due)s.") % values
    if notification.kind in (Kind.OPENED, Kind.REMINDER):
        body = _("%(rule)s %(title)s for %(who)s is due %(due)s.") % values
    return headline, body


def notification_url(notification) -> str:
    """Where the reader acts on the notice (a path of the site)."""
    if not notification.deadline_id:
        _text, url = _subject(notification)
        return url(notification)
    return notification.deadline.action_url or "/"
