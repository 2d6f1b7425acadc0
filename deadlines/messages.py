from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Kind


def notification_text(notification) -> tuple[str, str]:
    """(headline, body) of a notice, in the active language, drawn from its deadline."""
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
