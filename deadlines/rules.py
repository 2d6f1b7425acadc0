"""Every time rule of PROCESS.md that has a clock, declared once.

A rule says how its due time follows from when the clock starts (`start`) and, for rules that
count towards something (the first lesson, the next lesson), from that event (`event`); who owns
it; how long before the due time the owner is reminded; and how long after it the owner's
supervisor, then the campus director, are told.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

from . import calendar


class DueRule:
    """How a due time is computed. `needs_event` rules count towards an event, not from the start;
    `moves_with_event` rules are due again when their event moves (deadline_reschedule)."""

    needs_event = False
    moves_with_event = False

    def due_at(self, *, start: datetime, event: datetime | None, campus=None) -> datetime:
        raise NotImplementedError


@dataclass(frozen=True)
class Hours(DueRule):
    """N hours after the start ("within 24 hours")."""

    n: int

    def due_at(self, *, start, event, campus=None):
        return start + timedelta(hours=self.n)


@dataclass(frozen=True)
class CalendarDays(DueRule):
    """N calendar days after the start's day, at the campus's closing time on the last day ("1 day",
    "3 weeks"): a rule counted in days from a day ends when the campus closes, not at midnight."""

    n: int

    def due_at(self, *, start, event, campus=None):
        local = start.astimezone(calendar.local_zone())
        return calendar.end_of_working_day(local.date() + timedelta(days=self.n), campus)


@dataclass(frozen=True)
class WorkingDays(DueRule):
    """The end of the N-th working day after the start ("within 2 working days").

    N = 0 is "before leaving work": the end of the start's day, or of the next working day when
    the clock starts on a day off or after closing time.
    """

    n: int

    def due_at(self, *, start, event, campus=None):
        cal = calendar.Calendar(campus)
        local = start.astimezone(calendar.local_zone())
        if self.n:
            day = cal.add_working_days(local.date(), self.n)
        else:
            day = cal.next_working_day(local.date(), include_today=True)
            if start >= calendar.end_of_working_day(day, campus):
                day = cal.next_working_day(day, include_today=False)
        return calendar.end_of_working_day(day, campus)


@dataclass(frozen=True)
class HoursBefore(DueRule):
    """N hours before the event ("at least 24 hours before the first lesson")."""

    n: int
    needs_event = moves_with_event = True

    def due_at(self, *, start, event, campus=None):
        return event - timedelta(hours=self.n)


@dataclass(frozen=True)
class AtEvent(DueRule):
    """By the event itself ("at the first lesson", "before the next lesson")."""

    needs_event = moves_with_event = True

    def due_at(self, *, start, event, campus=None):
        return event


@dataclass(frozen=True)
class CalendarDaysOrEvent(DueRule):
    """N calendar days after the start, or by the event if it comes first (F3: the 4th week or the
    20th lesson, whichever is first). Without an event, N days."""

    n: int
    moves_with_event = True

    def due_at(self, *, start, event, campus=None):
        days = CalendarDays(self.n).due_at(start=start, event=None, campus=campus)
        return min(days, event) if event is not None else days


@dataclass(frozen=True)
class CalendarDaysFromLater(DueRule):
    """N calendar days after the start, or after the event when it comes later (L5: a week after the
    exam, or after the day the family learned the results, recorded later: deadline_reschedule)."""

    n: int
    moves_with_event = True

    def due_at(self, *, start, event, campus=None):
        later = max(start, event) if event is not None else start
        return CalendarDays(self.n).due_at(start=later, event=None, campus=campus)


@dataclass(frozen=True)
class LastWorkingDayOfMonth(DueRule):
    """Before leaving work on the last working day of the start's month ("at least one a month")."""

    def due_at(self, *, start, event, campus=None):
        local = start.astimezone(calendar.local_zone()).date()
        next_month = (local.replace(day=28) + timedelta(days=4)).replace(day=1)
        day = calendar.Calendar(campus).previous_working_day(next_month)
        return calendar.end_of_working_day(day, campus)


@dataclass(frozen=True)
class EndOfWorkingDayBefore(DueRule):
    """Before leaving work on the last working day before the event's day."""

    needs_event = moves_with_event = True

    def due_at(self, *, start, event, campus=None):
        local = event.astimezone(calendar.local_zone())
        day = calendar.Calendar(campus).previous_working_day(local.date())
        return calendar.end_of_working_day(day, campus)


@dataclass(frozen=True)
class Recurring(DueRule):
    """Again and again: `every` after the last time; `then` instead once `after` has passed since
    the event that anchors the series (L4: weekly for two months after the first lesson, then
    every two weeks). Meeting one occurrence opens the next from the moment it was met.
    """

    every: timedelta
    then: timedelta | None = None
    after: timedelta | None = None

    def due_at(self, *, start, event, campus=None):
        later = self.then is not None and event is not None and start >= event + self.after
        return start + (self.then if later else self.every)


@dataclass(frozen=True)
class Rule:
    id: str
    title: Promise
    due: DueRule
    owner: Role
    remind_before: timedelta | None
    escalate_after: timedelta
    # The page where the work is done, for rules not about one student (else the student's page).
    url_name: str = ""
    # The page of the deadline's subject where the work is done (a retention case), by the subject's id.
    subject_url_name: str = ""
    # Why the clock closes as missed once its event has begun with the work not done (P1–P3);
    # empty for rules whose work can still be done late.
    lapses_at_event: Promise | str = ""

    @property
    def entry(self) -> str:
        """The section of the student's page where the work is done; linked to, its form opens."""
        return ENTRIES.get(self.id, "")

    @property
    def recurring(self) -> bool:
        return isinstance(self.due, Recurring)

    def due_at(self, *, start: datetime, event: datetime | None = None, campus=None) -> datetime:
        calendar.require_aware(start, "start")
        if event is not None:
            calendar.require_aware(event, "event")
        elif self.due.needs_event:
            raise ValueError(f"rule {self.id} counts towards an event: pass event=")
        return self.due.due_at(start=start, event=event, campus=campus)

    def remind_at(self, due_at: datetime, opened_at: datetime) -> datetime | None:
        """When to send "due soon"; none when the clock is already shorter than the lead."""
        if self.remind_before is None or due_at - self.remind_before <= opened_at:
            return None
        return due_at - self.remind_before


class UnknownRule(LookupError):
    pass


H, D = timedelta(hours=1), timedelta(days=1)
LM, SUP, DIR = Role.LEARNING_MANAGER, Role.SUPERVISOR, Role.DIRECTOR
FIRST_LESSON_BEGUN = _("The first lesson has begun.")

# Where each follow-up rule is done on the student's page (Rule.entry).
ENTRIES = {
    "F1": "callbacks",
    "L4": "callbacks",
    "L3": "lessons",
    "L9": "lessons",
    "L10": "lessons",
    "L1": "documents",
    "F2": "documents",
    "F3": "documents",
    "L2": "documents",
    "F4": "documents",
    "L5": "scores",
    "L6": "growth",
    "L7": "concerns",
    "R1": "renewal",
}

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in [
        Rule(
            "H1",
            _("Receive the new student's file"),
            WorkingDays(2),
            LM,
            4 * H,
            D,
            subject_url_name="handover:detail",
        ),
        Rule(
            "H3",
            _("First call to the parent"),
            CalendarDays(1),
            LM,
            4 * H,
            D,
            subject_url_name="handover:detail",
        ),
        Rule(
            "H4",
            _("Talk with the consultant about the student"),
            Hours(24),
            LM,
            4 * H,
            D,
            subject_url_name="handover:detail",
        ),
        # H5's subject is the missing paper item: its page is its handover's.
        Rule(
            "H5",
            _("Collect the missing paper-file items"),
            AtEvent(),
            LM,
            D,
            D,
            subject_url_name="handover:item",
        ),
        Rule(
            "P1",
            _("Talk with consultant and teacher before the first lesson"),
            AtEvent(),
            LM,
            4 * H,
            4 * H,
            subject_url_name="handover:preclass_work",
            lapses_at_event=FIRST_LESSON_BEGUN,
        ),
        Rule(
            "P2",
            _("Tell the parent the first lesson's time, place and subjects"),
            HoursBefore(24),
            LM,
            4 * H,
            4 * H,
            subject_url_name="handover:preclass_work",
            lapses_at_event=FIRST_LESSON_BEGUN,
        ),
        Rule(
            "P3",
            _("Prepare the course schedule and tutoring draft for the parent"),
            EndOfWorkingDayBefore(),
            LM,
            4 * H,
            4 * H,
            subject_url_name="handover:preclass_work",
            lapses_at_event=FIRST_LESSON_BEGUN,
        ),
        Rule("P4", _("Weekend timetable"), EndOfWorkingDayBefore(), LM, 4 * H, 12 * H, "handover:weekend"),
        Rule("F1", _("Start the management file; first-lesson callback"), WorkingDays(0), LM, 2 * H, D),
        Rule("F2", _("Learning-management plan"), CalendarDays(21), LM, 3 * D, 2 * D),
        Rule("F3", _("Personalized tutoring plan for the parent"), CalendarDaysOrEvent(28), LM, 3 * D, 2 * D),
        Rule("F4", _("File the teaching plan and lesson records"), WorkingDays(0), LM, 2 * H, D),
        Rule("L1", _("Give the parent the course schedule and tutoring draft"), WorkingDays(0), LM, 2 * H, D),
        Rule("L2", _("Stage summary to the parent"), CalendarDays(28), LM, 3 * D, 2 * D),
        Rule("L3", _("Talk with teacher, student and parent after the lesson"), WorkingDays(1), LM, 4 * H, D),
        Rule(
            "L4", _("Callback to the parent"), Recurring(every=7 * D, then=14 * D, after=61 * D), LM, D, 2 * D
        ),
        # L5 starts at the exam of the campus's calendar (followups.exams.exam_add), 00:00 of its day.
        Rule("L5", _("Enter the exam score with an analysis"), CalendarDaysFromLater(7), LM, D, 2 * D),
        Rule("L6", _("Monthly growth record"), LastWorkingDayOfMonth(), LM, 3 * D, 3 * D),
        Rule("L7", _("Follow up a concern before the next lesson ends"), AtEvent(), LM, 4 * H, D),
        Rule(
            "L8",
            _("Bring an unstable situation to the team"),
            WorkingDays(1),
            LM,
            4 * H,
            4 * H,
            subject_url_name="retention:detail",
        ),
        Rule("L9", _("Find the real reason for an absence"), WorkingDays(1), LM, 4 * H, D),
        Rule("L10", _("Tell parent and student about a change"), AtEvent(), LM, 4 * H, 4 * H),
        Rule("R1", _("Ask the family about renewal"), WorkingDays(5), LM, D, 2 * D),
        Rule(
            "E1",
            _("Stabilise the parent after a warning sign"),
            CalendarDays(3),
            LM,
            D,
            D,
            subject_url_name="retention:detail",
        ),
        # E2 is the head teacher's for a complaint or an unstable situation where the campus has one
        # (retention.services.rescue_owner), else the supervisor's.
        Rule(
            "E2",
            _("Rescue: analyse the reasons and save the student"),
            WorkingDays(2),
            SUP,
            4 * H,
            D,
            subject_url_name="retention:detail",
        ),
        # E3 runs twice on a case: occurrence 1 the supervisor's memo (from the failed rescue),
        # occurrence 2 the campus director's second rescue (from the memo; retention.steps).
        Rule(
            "E3",
            _("Report the rescue; the director's second rescue"),
            WorkingDays(1),
            SUP,
            4 * H,
            D,
            subject_url_name="retention:detail",
        ),
        Rule(
            "E4",
            _("Responsibility analysis and report back"),
            WorkingDays(1),
            DIR,
            4 * H,
            D,
            subject_url_name="retention:detail",
        ),
    ]
}


def get_rule(rule_id: str) -> Rule:
    try:
        return RULES[rule_id]
    except KeyError:
        raise UnknownRule(f"no deadline rule {rule_id!r}; known rules: {', '.join(RULES)}") from None
