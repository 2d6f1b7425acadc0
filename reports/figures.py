"""Keeping the company's figures per campus and day (reports.models): each refresh counts the days
again from the records, in one statement per kind, and widens the kept span.

Why a refresh rather than counters kept by every service: a past day's figures change when a
deadline of that day is waived or escalated, a family answers about a renewal, a student moves
campus; counting the days again is right whatever changed. The hourly refresh covers the two months
the default reports compare; the nightly one two years, a year's period and the one before it
(periods.LONGEST each): config.settings.CELERY_BEAT_SCHEDULE.
"""

from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from deadlines.models import Deadline
from deadlines.selectors import COUNTED_ON_TIME
from students.models import Lesson

from .models import DeadlineDay, FigureSpan, LessonDay, RenewalDay
from .periods import Period
from .selectors import HOURS, MONEY, ROW, ZERO, answered_thresholds, state_q


def deadline_days(days: Period) -> QuerySet:
    """What DeadlineDay keeps, counted from the deadlines due in `days`: the on-time rate's counts
    (reports.selectors.punctuality) by day, campus and rule."""
    return (
        Deadline.objects.filter(due_at__gte=days.start, due_at__lt=days.end, status__in=COUNTED_ON_TIME)
        .annotate(day=TruncDate("due_at"))
        .values("day", "campus", "rule")
        .annotate(
            due=Count(ROW),
            on_time=Count(ROW, filter=state_q("on_time")),
            escalated=Count(ROW, filter=state_q("escalated")),
        )
        .order_by()
    )


def lesson_days(days: Period) -> QuerySet:
    """What LessonDay keeps: the class hours taught by day and the student's campus (as
    reports.selectors.report_lessons counts them)."""
    return (
        Lesson.objects.filter(starts_at__gte=days.start, starts_at__lt=days.end, status=Lesson.Status.DONE)
        .annotate(day=TruncDate("starts_at"))
        .values("day", campus=F("student__campus"))
        .annotate(hours=Coalesce(Sum("hours"), ZERO, output_field=HOURS), lessons=Count(ROW))
        .order_by()
    )


def renewal_days(days: Period) -> QuerySet:
    """What RenewalDay keeps: the students who reached the renewal threshold by day and campus, by
    their families' answer since (reports.selectors.answered_thresholds)."""
    opened = Deadline.objects.filter(opened_at__gte=days.start, opened_at__lt=days.end)
    return (
        answered_thresholds(opened)
        .annotate(day=TruncDate("opened_at"))
        .values("day", "campus", "answer", why=Coalesce("decline_reason", Value("")))
        .annotate(
            students=Count(ROW),
            hours=Coalesce(Sum("renewed_hours"), ZERO, output_field=HOURS),
            amount=Coalesce(Sum("renewed_amount"), ZERO, output_field=MONEY),
        )
        .order_by()
    )


# kind -> (the table, what it keeps counted from the records, its fields: "field" or "field=the
# counted value's name" where the records' model has a field of that name)
KINDS = {
    "deadlines": (DeadlineDay, deadline_days, ("day", "campus", "rule", "due", "on_time", "escalated")),
    "lessons": (LessonDay, lesson_days, ("day", "campus", "hours", "lessons")),
    "renewals": (
        RenewalDay,
        renewal_days,
        ("day", "campus", "answer", "reason=why", "students", "hours", "amount"),
    ),
}


def figures_refresh(*, days: int, today: date | None = None, now: datetime | None = None) -> dict[str, int]:
    """Counts again the figures of the `days` days before today (today's are not final: they are
    counted by the reports themselves) and returns how many rows each kind now keeps for them. Two
    refreshes at once wait for each other (the span's row is locked): each writes the days once."""
    today = today or timezone.localdate()
    days_counted = Period(today - timedelta(days=days), today - timedelta(days=1))
    return {kind: _refresh(kind, days_counted, now or timezone.now()) for kind in KINDS}


@transaction.atomic
def _refresh(kind: str, days: Period, now: datetime) -> int:
    model, counted, columns = KINDS[kind]
    # The migration makes each kind's span; made here too where a test's flush has emptied the table.
    FigureSpan.objects.bulk_create([FigureSpan(kind=kind)], ignore_conflicts=True)
    span = FigureSpan.objects.select_for_update().get(kind=kind)
    model.objects.filter(day__gte=days.first, day__lte=days.last).delete()
    sql, params = counted(days).query.sql_with_params()
    pairs = [column.partition("=")[::2] for column in columns]
    names = ", ".join(f'"{counted_as or name}"' for name, counted_as in pairs)
    stored = ", ".join(model._meta.get_field(name).column for name, _counted_as in pairs)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({stored}) SELECT {names} FROM ({sql}) counted", params
        )
        written = cursor.rowcount
    _widen(span, days)
    span.refreshed_at = now
    span.save()
    # Days outside the span (left when a refresh could not join the span kept so far) are not read.
    model.objects.exclude(day__gte=span.first, day__lte=span.last).delete()
    return written


def _widen(span: FigureSpan, days: Period) -> None:
    """The kept span with the days just counted: joined when they meet, else those days alone."""
    meets = (
        span.first is not None
        and days.first <= span.last + timedelta(days=1)
        and days.last >= span.first - timedelta(days=1)
    )
    if meets:
        span.first, span.last = min(span.first, days.first), max(span.last, days.last)
    else:
        span.first, span.last = days.first, days.last
