"""The morning digest: at their campus's opening on a working day, each person is told once what
today holds for them — their late deadlines, those due today and what waits for them (the queues of
their home: refunds to approve, students to assign, escalations) — through the channels they chose
for it, instead of a burst of single notices. Someone with nothing to do gets no message.

The beat runs digests_make every few minutes; a person's digest is made once per day (a unique
(recipient, day) row), whichever run, retried or parallel, gets there first.
"""

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import home
from accounts.models import Campus, Role, User

from . import calendar, preferences, selectors
from .home import DEADLINE_OWNERS
from .models import Delivery, Digest, Topic

# A section of the message lists this many items; the rest are counted.
ITEMS_SHOWN = 5


def digests_make(*, now: datetime | None = None) -> int:
    """Makes today's digest of everyone whose campus is at work now and who has none yet; returns
    how many were made. Outside working hours, on a day off, nobody's."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    made = 0
    for person in _people_at_work_without_digest(now, day).iterator(chunk_size=200):
        made += digest_make(person, day=day, now=now) is not None
    return made


def _people_at_work_without_digest(now: datetime, day: date):
    campuses = list(Campus.objects.filter(is_active=True))
    at_work = [pk for pk, opening in calendar.next_openings(now, campuses).items() if opening == now]
    where = Q(campus_id__in=at_work)
    if calendar.is_open(now):  # the company-wide roles keep the company's hours
        where |= Q(campus=None)
    told = Digest.objects.filter(recipient=OuterRef("pk"), day=day)
    people = User.objects.filter(where, is_active=True).exclude(role=Role.ADMIN).exclude(Exists(told))
    return people.select_related("campus").order_by("pk")


def digest_make(person: User, *, day: date, now: datetime) -> Digest | None:
    """The person's digest of `day` and its deliveries, or None if it was made already."""
    with transaction.atomic():
        digest, created = Digest.objects.get_or_create(
            recipient=person, day=day, defaults={"created_at": now}
        )
        if not created:
            return None
        with translation.override(settings.LANGUAGE_CODE):
            _fill(digest, person, now)
        digest.save()
        if not digest.is_empty:
            Delivery.objects.bulk_create(
                Delivery(digest=digest, channel=channel, next_attempt_at=now)
                for channel in preferences.channels_for(person, Topic.DIGEST)
            )
    return digest


def _fill(digest: Digest, person: User, now: datetime) -> None:
    """The counts, the title and the lines of the person's day, from the same selectors as their home."""
    sections = []
    if person.role in DEADLINE_OWNERS:
        buckets = {bucket.key: bucket for bucket in selectors.my_day(person, now=now)}
        for key, attribute in (("overdue", "overdue"), ("today", "due_today")):
            bucket = buckets[key]
            setattr(digest, attribute, bucket.total)
            rows = [(row, group.label) for group in bucket.groups for row in group.rows][:ITEMS_SHOWN]
            lines = [_deadline_line(row, about) for row, about in rows]
            if bucket.total > len(rows):
                lines.append(_("… and %(count)d more") % {"count": bucket.total - len(rows)})
            sections.append((bucket.title, bucket.total, lines))
    queues = [shown for shown in home.queues_for(person, now=now) if shown.total and shown.queue.waiting]
    digest.waiting = sum(shown.total for shown in queues)
    lines = [
        _("· %(queue)s: %(count)d") % {"queue": shown.queue.title, "count": shown.total} for shown in queues
    ]
    sections.append((_("Waiting for you"), digest.waiting, lines))
    digest.title = _("Today: %(overdue)d overdue, %(today)d due today, %(waiting)d waiting for you") % {
        "overdue": digest.overdue,
        "today": digest.due_today,
        "waiting": digest.waiting,
    }
    digest.body = "\n".join(
        "\n".join([_("%(title)s (%(count)d)") % {"title": title, "count": total}, *lines])
        for title, total, lines in sections
        if total
    )


def _deadline_line(deadline, about: str) -> str:
    due = date_format(timezone.localtime(deadline.due_at), "m-d H:i")
    return f"· {deadline.rule} {deadline.title} · {about} · {due}"
