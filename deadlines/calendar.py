"""Chinese working days, right for every date.

Order of authority for one day: a campus's own entry, then a company-wide entry (both in the
`CalendarDay` table, entered by an administrator), then the official calendar of the
chinesecalendar package, then — for a year the package does not cover yet — weekends and the
fixed-date public holidays, marked provisional. Nothing here raises for a date of any year.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Campus

# Holiday names as the package spells them, shown in the user's language.
HOLIDAY_NAMES = {
    "New Year's Day": _("New Year's Day"),
    "Spring Festival": _("Spring Festival"),
    "Tomb-sweeping Day": _("Tomb-sweeping Day"),
    "Labour Day": _("Labour Day"),
    "Dragon Boat Festival": _("Dragon Boat Festival"),
    "National Day": _("National Day"),
    "Mid-autumn Festival": _("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": _("Victory Day"),
}
# The statutory holidays that fall on the same date every year (the lunar ones cannot be guessed).
FIXED_HOLIDAYS = {
    (1, 1): "New Year's Day",
    (5, 1): "Labour Day",
    (5, 2): "Labour Day",
    (10, 1): "National Day",
    (10, 2): "National Day",
    (10, 3): "National Day",
}
DEFAULT_OPENS_AT = time(9, 0)
DEFAULT_CLOSES_AT = time(18, 0)
# Loading overrides a window at a time keeps a long count to a query per window.
WINDOW = timedelta(days=64)


class Source:
    CAMPUS = "campus"
    COMPANY = "company"
    OFFICIAL = "official"
    PROVISIONAL = "provisional"


@dataclass(frozen=True)
class Day:
    date: date
    working: bool
    name: str
    source: str

    @property
    def provisional(self) -> bool:
        return self.source == Source.PROVISIONAL


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _campus_id(campus) -> int | None:
    return getattr(campus, "pk", campus)


def official_years() -> range:
    """The years the installed chinesecalendar package has official data for."""
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def _official_or_provisional(day: date) -> Day:
    if day.year in official_years():
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
        working = chinese_calendar.is_workday(day)
        return Day(day, working, str(HOLIDAY_NAMES.get(name, name or "")), Source.OFFICIAL)
    fixed = FIXED_HOLIDAYS.get((day.month, day.day))
    if fixed:
        return Day(day, False, str(HOLIDAY_NAMES[fixed]), Source.PROVISIONAL)
    return Day(day, day.weekday() < 5, "", Source.PROVISIONAL)


class Calendar:
    """The working days of one campus (or of the company when campus is None).

    Reads the override table one window at a time, so counting many days costs few queries.
    """

    def __init__(self, campus=None):
        self.campus_id = _campus_id(campus)
        self._overrides: dict[date, Day] = {}
        self._loaded: list[tuple[date, date]] = []

    def day(self, day: date) -> Day:
        _require_date(day, "day")
        if not any(lo <= day <= hi for lo, hi in self._loaded):
            self._load(day - WINDOW, day + WINDOW)
        return self._overrides.get(day) or _official_or_provisional(day)

    def _load(self, lo: date, hi: date) -> None:
        from .models import CalendarDay

        scope = Q(campus=None) if self.campus_id is None else Q(campus=None) | Q(campus_id=self.campus_id)
        rows = CalendarDay.objects.filter(scope, date__range=(lo, hi))
        # Company-wide rows first, so the campus's own row for the same date wins.
        for row in sorted(rows, key=lambda r: r.campus_id is not None):
            source = Source.COMPANY if row.campus_id is None else Source.CAMPUS
            self._overrides[row.date] = Day(row.date, row.is_working_day, row.name, source)
        self._loaded.append((lo, hi))

    @classmethod
    def many(cls, campuses, around: date) -> dict:
        """The calendars of these campuses (ids or rows), read in one query for the window around
        `around` (a day beyond it is read when asked for)."""
        from .models import CalendarDay

        calendars = {_campus_id(campus): cls(campus) for campus in campuses}
        lo, hi = around - WINDOW, around + WINDOW
        scope = Q(campus=None) | Q(campus__in=list(calendars))
        rows = CalendarDay.objects.filter(scope, date__range=(lo, hi))
        for row in sorted(rows, key=lambda r: r.campus_id is not None):  # a campus's own row wins
            if row.campus_id is None:
                source, targets = Source.COMPANY, calendars.values()
            else:
                source, targets = Source.CAMPUS, [calendars[row.campus_id]]
            for calendar in targets:
                calendar._overrides[row.date] = Day(row.date, row.is_working_day, row.name, source)
        for calendar in calendars.values():
            calendar._loaded.append((lo, hi))
        return calendars

    def is_working_day(self, day: date) -> bool:
        return self.day(day).working

    def add_working_days(self, start: date, n: int) -> date:
        _require_date(start, "start")
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a whole number of working days, at least 1 (got {n!r})")
        day = start
        while n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Working days d with a < d <= b; negative when b is before a."""
        _require_date(a, "a")
        _require_date(b, "b")
        if b < a:
            return -self.working_days_between(b, a)
        return sum(1 for i in range(1, (b - a).days + 1) if self.is_working_day(a + timedelta(days=i)))

    def next_working_day(self, day: date, *, include_today: bool) -> date:
        day = day if include_today else day + timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def previous_working_day(self, day: date) -> date:
        day -= timedelta(days=1)
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day


def _require_date(value, name: str) -> None:
    # A datetime is a date too; taking it silently would drop its time and zone.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")


def require_aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (got the naive {value.isoformat()})")
    return value


def opening_hours(campus=None) -> tuple[time, time]:
    """The campus's (or, without one, the company's default) opening and closing time."""
    if campus is None:
        return DEFAULT_OPENS_AT, DEFAULT_CLOSES_AT
    if isinstance(campus, int):
        campus = Campus.objects.only("opens_at", "closes_at").get(pk=campus)
    return campus.opens_at, campus.closes_at


# The public functions other apps call.


def day_info(day: date, campus=None) -> Day:
    return Calendar(campus).day(day)


def is_working_day(day: date, campus=None) -> bool:
    return Calendar(campus).is_working_day(day)


def add_working_days(start: date, n: int, campus=None) -> date:
    """The n-th working day strictly after `start` (n >= 1)."""
    return Calendar(campus).add_working_days(start, n)


def working_days_between(a: date, b: date, campus=None) -> int:
    """Working days after `a` up to and including `b`: add_working_days(a, n) == b gives n."""
    return Calendar(campus).working_days_between(a, b)


def end_of_working_day(day: date, campus=None) -> datetime:
    """The campus's closing time on `day`, in local time: the due time of "before leaving work"."""
    _require_date(day, "day")
    return datetime.combine(day, opening_hours(campus)[1], tzinfo=local_zone())


def is_open(at: datetime, campus=None) -> bool:
    """Whether the campus is at work at `at`: a working day, between opening and closing."""
    local = require_aware(at, "at").astimezone(local_zone())
    opens, closes = opening_hours(campus)
    return is_working_day(local.date(), campus) and opens <= local.time() < closes


def next_opening(at: datetime, campus=None) -> datetime:
    """`at` itself when the campus is at work, else the next time it opens."""
    return _next_opening(at, Calendar(campus), *opening_hours(campus))


def next_openings(at: datetime, campuses) -> dict[int, datetime]:
    """next_opening(at, campus) of each of these campuses (rows), their calendars read in one query."""
    campuses = list(campuses)
    calendars = Calendar.many(campuses, require_aware(at, "at").astimezone(local_zone()).date())
    return {c.pk: _next_opening(at, calendars[c.pk], *opening_hours(c)) for c in campuses}


def _next_opening(at: datetime, calendar: Calendar, opens: time, closes: time) -> datetime:
    local = require_aware(at, "at").astimezone(local_zone())
    if calendar.is_working_day(local.date()):
        if local.time() < opens:
            return datetime.combine(local.date(), opens, tzinfo=local_zone())
        if local.time() < closes:
            return local
    day = calendar.next_working_day(local.date(), include_today=False)
    return datetime.combine(day, opens, tzinfo=local_zone())


# An official year has some 28 days off beyond weekends; fewer entries than this are a company
# outing or two, not the State Council's schedule.
OFFICIAL_SCHEDULE_MIN_DAYS_OFF = 10


def year_has_official_schedule(year: int) -> bool:
    """The package covers the year, or an administrator entered its company-wide days off."""
    from .models import CalendarDay

    if year in official_years():
        return True
    entered = CalendarDay.objects.filter(campus=None, date__year=year, is_working_day=False).count()
    return entered >= OFFICIAL_SCHEDULE_MIN_DAYS_OFF


def missing_schedule_year(today: date) -> int | None:
    """From 1 November: next year, if nobody has entered its official schedule yet."""
    if (today.month, today.day) < (11, 1):
        return None
    year = today.year + 1
    return None if year_has_official_schedule(year) else year
