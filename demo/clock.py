"""The demo's clock: each story is told step by step at the moment its step happened.

A story is a generator that yields the local time of its next step and, when resumed, does that step
through the services, the clock stopped at that moment (time-machine), so every record and every
timeline event carries its real time and every deadline is opened by the step that opens it in real
life. The scene runs the steps of all stories in the order of their times, with the deadline sweep
run before each step as beat would have run it, and stops at the present: a step whose time has not
come yet has not happened (its clock is still running).
"""

import heapq
import itertools
from collections.abc import Generator, Iterator
from datetime import date, datetime, time, timedelta

import time_machine
from django.db.models import Q
from django.utils import timezone

from deadlines import calendar
from deadlines.models import LATE, Deadline, Status
from deadlines.services import sweep

Story = Generator[datetime, None, None]

# The hours campuses teach: weekday evenings and weekend days (start times; lessons last two hours).
WEEKDAY_LESSONS = (time(18, 0),)
WEEKEND_LESSONS = (time(9, 0), time(13, 30), time(16, 0))
LESSON = timedelta(hours=2)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local time on `day` (Asia/Shanghai, the zone of the working-day calendar)."""
    return datetime.combine(day, time(hour, minute), tzinfo=calendar.local_zone())


def teaching_times(day: date) -> tuple[time, ...]:
    """When lessons start on `day`."""
    return WEEKEND_LESSONS if day.weekday() >= 5 else WEEKDAY_LESSONS


_calendars: dict[int | None, calendar.Calendar] = {}


def _calendar(campus=None) -> calendar.Calendar:
    """One calendar per campus for the whole seed: it reads the override table once a window."""
    campus_id = getattr(campus, "pk", campus)
    if campus_id not in _calendars:
        _calendars[campus_id] = calendar.Calendar(campus_id)
    return _calendars[campus_id]


def working_day(day: date, campus=None, *, back: bool = False) -> date:
    """`day` if it is a working day, else the next (or, with `back`, the previous) one."""
    cal = _calendar(campus)
    if cal.is_working_day(day):
        return day
    return cal.previous_working_day(day) if back else cal.next_working_day(day, include_today=False)


def next_working_day(day: date, campus=None) -> date:
    return _calendar(campus).next_working_day(day, include_today=False)


class Scene:
    """Runs stories in the order of their steps, up to `now`."""

    def __init__(self, *, now: datetime):
        self.now = now
        self.today = timezone.localdate(now)
        self._queue: list[tuple[datetime, int, Iterator]] = []
        self._order = itertools.count()
        self._clock: datetime | None = None
        self._swept: datetime | None = None
        self.steps = 0
        _calendars.clear()  # an administrator may have entered days since the last seed

    @property
    def clock(self) -> datetime:
        """The moment of the step being told."""
        return self._clock or self.now

    def spawn(self, story: Story, when: datetime | None = None) -> None:
        """Starts a story; its first step runs at `when` (by default the moment being told)."""
        self._push(when or self.clock, story)

    def _push(self, when: datetime, story: Iterator) -> None:
        if when > self.now:
            story.close()  # its next step lies in the future: it has not happened yet
            return
        heapq.heappush(self._queue, (when, next(self._order), story))

    def run(self) -> None:
        while self._queue:
            when, _order, story = heapq.heappop(self._queue)
            self._clock = when
            with time_machine.travel(when, tick=False):
                self._sweep(when)
                try:
                    then = next(story)
                except StopIteration:
                    continue
                finally:
                    self.steps += 1
            if then < when:
                raise ValueError(f"a story went back in time, from {when} to {then}")
            self._push(then, story)
        self._clock = None
        with time_machine.travel(self.now, tick=False):
            self._sweep(self.now)

    def _sweep(self, when: datetime) -> None:
        """Beat's sweep, as it runs every minute: deadlines fall overdue, reminders and escalations go
        out when they would have. Skipped (one query) when it would find nothing to do."""
        if self._swept is not None and when - self._swept < timedelta(minutes=1):
            return
        self._swept = when
        due = Deadline.objects.filter(
            Q(status=Status.OPEN, due_at__lte=when)
            | Q(status=Status.OPEN, reminded_at=None, remind_at__lte=when, due_at__gt=when)
            | Q(status__in=LATE, escalate_at__lte=when)
        )
        if due.exists():
            sweep(now=when)
