"""The period a report counts over, and the one before it that its figures are compared with.

Days are the campuses' calendar days (Beijing time): a period runs from 00:00 of its first day to
00:00 after its last. The previous period has the same length and ends the day before: the same
number of calendar months when the period is whole months (last month: the month before it; a
quarter: the quarter before), else the same number of days (a week: the week before); a period still
under way is compared with as much of the one before as it has run.
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# A report covers at most this many days: its weekly trend stays a table of some fifty rows.
LONGEST = 366


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # included

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=timezone.get_current_timezone())

    @property
    def end(self) -> datetime:
        """00:00 after the last day: the period is [start, end)."""
        return datetime.combine(
            self.last + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
        )

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def months(self) -> int | None:
        """How many whole calendar months the period is, or None when it is not whole months."""
        if self.first.day != 1 or self.last.day != monthrange(self.last.year, self.last.month)[1]:
            return None
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    def previous(self) -> "Period":
        """The period before, of the same length; for a period still under way (this month on its
        second day), its part as far as this one has gone: the first two days of last month, not all
        of it, so that a figure is not compared with a whole period while it is still counting."""
        whole = self._previous_whole()
        today = timezone.localdate()
        if self.first <= today < self.last:
            return Period(whole.first, min(whole.first + (today - self.first), whole.last))
        return whole

    def _previous_whole(self) -> "Period":
        months = self.months()
        last = self.first - timedelta(days=1)
        if months is None:
            return Period(last - timedelta(days=self.days - 1), last)
        return Period(_months_before(self.first, months), last)

    def query(self) -> dict[str, str]:
        """The period as a page's address names it (?from=&to=)."""
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def _months_before(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def this_week(today: date) -> Period:
    monday = today - timedelta(days=today.weekday())
    return Period(monday, monday + timedelta(days=6))


def this_month(today: date) -> Period:
    return Period(today.replace(day=1), today.replace(day=monthrange(today.year, today.month)[1]))


def last_month(today: date) -> Period:
    return this_month(today.replace(day=1) - timedelta(days=1))


def this_quarter(today: date) -> Period:
    first_month = (today.month - 1) // 3 * 3 + 1
    last_month_of_quarter = first_month + 2
    return Period(
        date(today.year, first_month, 1),
        date(today.year, last_month_of_quarter, monthrange(today.year, last_month_of_quarter)[1]),
    )


@dataclass(frozen=True)
class Preset:
    key: str
    label: Promise
    of: object  # today -> Period


PRESETS = {
    preset.key: preset
    for preset in (
        Preset("this_week", _("This week"), this_week),
        Preset("this_month", _("This month"), this_month),
        Preset("last_month", _("Last month"), last_month),
        Preset("this_quarter", _("This quarter"), this_quarter),
    )
}
DEFAULT_PRESET = "this_month"
