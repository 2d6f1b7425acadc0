"""The figures of the reports section, read from the other apps' rows and returned as plain rows (an
export reads the same functions).

Each report is a fixed number of aggregate queries whatever the company's size: the rows are first
narrowed to the reader's scope (accounts.scope, on the records' own indexed campus and person
columns), then counted by PostgreSQL for the period and the previous one at once (conditional
counts), grouped by person — or, for a company-wide reader who chose no campus, by campus.

Where a figure belongs: to the person who owned the work (a deadline's owner, a case's learning
manager) and the campus it was done on (the record's campus), as their team stands now. A manager who
moved to another team takes their figures, past ones included, to the new team's supervisor, as the
team's day on the home page does; a student who moved campus leaves their old deadlines and cases
with the campus they were on, while their caseload, hours and lessons (which record no campus) count
where the student is now. A figure may so count a record whose student has since left the reader's
own caseload; the lists behind the figures show only the records the reader may still open
(timeline.audience), and say how many others are counted.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property

from django.db import models
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import scope
from accounts.models import Campus, Role, Team, User
from deadlines.models import Deadline, Status
from deadlines.rules import RULES
from deadlines.selectors import COUNTED_ON_TIME, OnTime, deadlines_for
from followups.models import FamilyReason, Renewal
from refunds.models import Refund
from retention.models import Case
from retention.reasons import ITEMS
from students.models import Lesson, LossReason, Student
from students.selectors import students_for

from .models import DeadlineDay, FigureSpan, LessonDay, RenewalDay
from .periods import Period

# Who reads which report. Finance reads the refunds of the retention report only.
READERS = frozenset({Role.SUPERVISOR, Role.DIRECTOR, Role.PRESIDENT, Role.FINANCE})
FIGURE_READERS = frozenset({Role.SUPERVISOR, Role.DIRECTOR, Role.PRESIDENT})
REFUND_READERS = READERS

# A table shows at most this many rows (people or campuses), the worst first.
MAX_ROWS = 200

# Below these a rate shows in red: the on-time rate as on the homes (templates/deadlines/_team_day.html).
LOW_ON_TIME = 80
LOW_RENEWAL = 60
LOW_RESCUE = 50

MONEY = DecimalField(max_digits=14, decimal_places=2)
HOURS = DecimalField(max_digits=12, decimal_places=1)
ZERO = Decimal("0")
# What the figures count: rows, as COUNT(1) — counting the key would read each row from the table,
# where the indexes that cover a report's columns (deadline_due, …) can answer alone.
ROW = Value(1)


# The reader


@dataclass(frozen=True)
class Reader:
    """Who reads a report, and how far they narrowed it: a company-wide reader to one of the campuses,
    a supervisor to one of the teams they lead (both checked by the form against the reader's scope)."""

    user: User
    campus: Campus | None = None
    team: Team | None = None
    # The campuses the reader may choose, by key, when the report's form read them already.
    campuses: dict | None = field(default=None, compare=False, repr=False)

    @property
    def by_campus(self) -> bool:
        """Rows are campuses (the company at a glance) rather than people."""
        return self.user.is_company_wide and self.campus is None

    def narrowed(self, *, campus: str, person: str) -> Q:
        """The chosen campus or team, on a row's campus and person fields."""
        narrowed = Q()
        if self.campus is not None:
            narrowed &= Q(**{campus: self.campus.pk})
        if self.team is not None:
            narrowed &= Q(**{f"{person}__in": User.objects.filter(team=self.team).values("pk")})
        return narrowed

    @cached_property
    def campus_names(self) -> dict[int, str]:
        """Every campus's name by its key, read once a page: the company's rows are grouped by the
        campus key alone, then named (grouping by key and name too made PostgreSQL expect a hundred
        times more groups and aggregate 100,000 students without its parallel plan)."""
        if self.campuses is not None:  # a company-wide reader may choose every campus
            return {pk: campus.name for pk, campus in self.campuses.items()}
        return dict(Campus.objects.values_list("pk", "name"))

    def query(self) -> dict[str, int]:
        """The narrowing as the pages' addresses name it."""
        chosen = {
            "campus": self.campus.pk if self.campus else None,
            "team": self.team.pk if self.team else None,
        }
        return {name: pk for name, pk in chosen.items() if pk is not None}


def campuses_to_choose(user) -> QuerySet[Campus]:
    """The campuses a company-wide reader may narrow a report to; none for anyone else."""
    if not user.is_company_wide:
        return Campus.objects.none()
    return scope.campuses_for(user).order_by("name")


def teams_to_choose(user) -> QuerySet[Team]:
    """The teams a supervisor leads, to narrow a report to one of them (offered from two on)."""
    if user.role != Role.SUPERVISOR:
        return Team.objects.none()
    return scope.teams_for(user).filter(supervisor=user).order_by("name")


# Where a row's figures are grouped: by person, or by campus for the company at a glance.


@dataclass(frozen=True)
class Grouping:
    key: str  # the field grouped by
    labels: tuple[str, ...]  # the fields its label is read from, the first that is set
    parameter: str  # the drill-down's parameter naming one row: "manager" or "campus"
    names: Callable[[], dict] | None = field(default=None, compare=False)  # by key, when not in the rows

    def label(self, values: dict) -> str:
        if self.names is not None:
            return self.names().get(values[self.key]) or str(_("Unassigned"))
        for name in self.labels:
            if values.get(name):
                return values[name]
        return str(_("Unassigned"))


def grouping(reader: Reader, *, campus: str, person: str) -> Grouping:
    if reader.by_campus:
        return Grouping(campus, (), "campus", names=lambda: reader.campus_names)
    return Grouping(person, (f"{person}__full_name", f"{person}__username"), "manager")


@dataclass
class Pair:
    """A figure of the period and of the previous one."""

    now: object
    before: object


@dataclass
class Ratio:
    """`part` of `whole` as a whole percent (rounded as the homes' on-time rate, OnTime.rate)."""

    part: int = 0
    whole: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.part / self.whole) if self.whole else None


def _within(period: Period, field_name: str) -> Q:
    return Q(**{f"{field_name}__gte": period.start, f"{field_name}__lt": period.end})


def _on_days(period: Period, field_name: str) -> Q:
    """A date field (not a moment) within the period's days."""
    return Q(**{f"{field_name}__gte": period.first, f"{field_name}__lte": period.last})


def _week_of(monday: date, period: Period) -> Period:
    """The days of the week from `monday` that lie within the period."""
    return Period(max(monday, period.first), min(monday + timedelta(days=6), period.last))


# The company at a glance: the figures kept per campus and day (reports.models, reports.figures) for
# the days they cover, the records themselves for the others (today's among them).


@dataclass(frozen=True)
class Kept:
    """The days of a report's two periods whose figures are kept, and the days counted from the
    records (before and after them); when the kept ones were counted."""

    days: Period | None
    counted: list[Period]
    refreshed_at: datetime | None = None

    def counted_q(self, field_name: str) -> Q:
        """The records of the counted days."""
        found = Q(pk__in=[])
        for part in self.counted:
            found |= _within(part, field_name)
        return found


def kept_days(reader: Reader, kind: str, days: Period, *, today: date) -> Kept:
    """Which of `days` a report reads from the kept figures of `kind`: only a company-wide reader's,
    by campus (the kept figures have no people); never today, whose figures are still counting."""
    span = _spans(reader.user).get(kind) if reader.by_campus else None
    if span is None or span.first is None:
        return Kept(None, [days])
    first, last = max(days.first, span.first), min(days.last, span.last, today - timedelta(days=1))
    if first > last:
        return Kept(None, [days])
    before = [Period(days.first, first - timedelta(days=1))] if days.first < first else []
    after = [Period(last + timedelta(days=1), days.last)] if last < days.last else []
    return Kept(Period(first, last), before + after, span.refreshed_at)


def _spans(user) -> dict[str, FigureSpan]:
    """Every kind's kept span, read once per request (the overview reads three kinds)."""
    spans = getattr(user, "_figure_spans", None)
    if spans is None:
        spans = user._figure_spans = {span.kind: span for span in FigureSpan.objects.all()}
    return spans


def _added(rows: Iterable[dict], keys: tuple[str, ...]) -> list[dict]:
    """Rows of the same keys added up: a campus's kept figures and those counted from its records."""
    merged: dict[tuple, dict] = {}
    for row in rows:
        key = tuple(row[name] for name in keys)
        if key not in merged:
            merged[key] = dict(row)
            continue
        for name, value in row.items():
            if name not in keys and isinstance(value, int | Decimal):
                merged[key][name] += value
    return list(merged.values())


def _figures_of(row: dict) -> dict:
    """A kept row's figures without its campus (to be named as the records' rows name it)."""
    return {name: value for name, value in row.items() if not name.startswith("campus")}


def _kept_rows(model, reader: Reader, days: Period) -> QuerySet:
    """The kept figures of `days` on the reader's campuses."""
    return model.objects.filter(scope.campus_q(reader.user), _on_days(days, "day"))


def _by_week(
    counted: QuerySet, moment: str, counts: dict, kept: QuerySet | None, kept_counts: dict
) -> list[dict]:
    """The figures by week (its Monday) of the records counted (by their `moment`) and of the kept
    days, added up, the first week first."""
    weeks = [
        {**row, "week": row["week"].date()}
        for row in counted.annotate(week=TruncWeek(moment)).values("week").annotate(**counts).order_by()
    ]
    if kept is not None:
        weeks += kept.annotate(week=TruncWeek("day")).values("week").annotate(**kept_counts).order_by()
    return sorted(_added(weeks, ("week",)), key=lambda row: row["week"])


def _kept_sums(fields: Iterable[str], periods: dict[str, Period]) -> dict:
    """`now_due`, `before_due`, …: a kept figure summed over the days of each period."""
    return {
        f"{name}_{figure}": Coalesce(Sum(figure, filter=_on_days(period, "day")), 0)
        for name, period in periods.items()
        for figure in fields
    }


def _rows_of(rows: Iterable, sort) -> tuple[list, int]:
    """The first MAX_ROWS rows by `sort` (the worst first), and how many were left out."""
    ordered = sorted(rows, key=sort)
    return ordered[:MAX_ROWS], max(len(ordered) - MAX_ROWS, 0)


# Punctuality


@dataclass
class Punctual:
    """Deadlines due in a period, by now, waived ones aside (COUNTED_ON_TIME):

    - `due`: how many;
    - `on_time`: met (closed as done) at or before their due time (status MET);
    - `late`: the others — met after their due time, still open past it, or missed;
    - `escalated`: escalated at least once to the supervisor or further (escalation_level ≥ 1).
    """

    due: int = 0
    on_time: int = 0
    escalated: int = 0

    @property
    def late(self) -> int:
        return self.due - self.on_time

    @property
    def rate(self) -> int | None:
        """The on-time rate, as the homes compute it (deadlines.selectors.OnTime)."""
        return OnTime(self.due, self.on_time).rate

    def add(self, other: "Punctual") -> None:
        self.due += other.due
        self.on_time += other.on_time
        self.escalated += other.escalated


@dataclass
class PunctualityRow:
    key: int | None
    label: str
    total: Pair  # of Punctual
    rules: dict[str, Pair] = field(default_factory=dict)  # rule id -> Pair of Punctual
    cells: list[tuple[str, Pair | None]] = field(default_factory=list)  # in the order of the report's rules


@dataclass
class Week:
    first: date  # its Monday
    figures: object
    period: Period | None = None  # the week's days within the report's period


@dataclass
class PunctualityReport:
    period: Period
    previous: Period
    grouping: Grouping
    rows: list[PunctualityRow]
    left_out: int  # rows beyond MAX_ROWS
    rules: list[str]  # the rules with deadlines due in either period, in the rules' order
    total: Pair
    weeks: list[Week]
    kept_at: datetime | None = None  # when the kept figures it read were counted, if it read any


# What a deadline's late status can be, for the lists behind the figures.
STATES = ("due", "on_time", "late", "escalated")


def report_deadlines(reader: Reader) -> QuerySet[Deadline]:
    """The deadlines a report counts: those of the reader's scope (deadlines_for: their own, their
    team's, their campus's), narrowed to the chosen campus or team."""
    return deadlines_for(reader.user).filter(reader.narrowed(campus="campus", person="owner"))


def counted_deadlines(
    reader: Reader, period: Period, *, now: datetime, days: Q | None = None
) -> QuerySet[Deadline]:
    """The deadlines an on-time rate counts: due in the period (or on `days` of it) and by now, waived
    ones aside. The statuses are named rather than "not waived", so that a person's deadlines are an
    index range (deadline_owner_status_due) as on the team's day."""
    return report_deadlines(reader).filter(
        _within(period, "due_at") if days is None else days, status__in=COUNTED_ON_TIME, due_at__lte=now
    )


def state_q(state: str) -> Q:
    """The deadlines of one figure among the counted ones."""
    return {
        "on_time": Q(status=Status.MET),
        "late": ~Q(status=Status.MET),
        "escalated": Q(escalation_level__gte=1),
    }.get(state, Q())


def _punctual_counts(name: str, period: Period) -> dict:
    within = _within(period, "due_at")
    return {
        f"{name}_due": Count(ROW, filter=within),
        f"{name}_on_time": Count(ROW, filter=within & state_q("on_time")),
        f"{name}_escalated": Count(ROW, filter=within & state_q("escalated")),
    }


def _punctual(values: dict, name: str) -> Punctual:
    return Punctual(values[f"{name}_due"], values[f"{name}_on_time"], values[f"{name}_escalated"])


def punctuality(
    reader: Reader, period: Period, *, now: datetime, weeks: bool = True, by_row: bool = True
) -> PunctualityReport:
    """The on-time rate of the period beside the previous one's, by person (or campus) and rule, with
    the late and escalated counts; and the period's weekly trend. Two queries (one without weeks).
    Without `by_row`, the totals alone (the overview's), counted by rule only: no row is built."""
    previous = period.previous()
    group = grouping(reader, campus="campus", person="owner")
    both = Period(previous.first, period.last)
    kept = kept_days(reader, "deadlines", both, today=timezone.localdate(now))
    by = (group.key, *group.labels) if by_row else ()
    cells = (
        counted_deadlines(reader, both, now=now, days=kept.counted_q("due_at"))
        .values(*by, "rule")
        .annotate(**_punctual_counts("now", period), **_punctual_counts("before", previous))
        .order_by()
    )
    if kept.days:
        kept_cells = _kept_punctuality(reader, kept.days, period, previous, by_campus=by_row)
        cells = _added([*cells, *kept_cells], (group.key, "rule") if by_row else ("rule",))
    rows: dict[object, PunctualityRow] = {}
    total = Pair(Punctual(), Punctual())
    rules = set()
    for cell in cells:
        now_cell, before_cell = _punctual(cell, "now"), _punctual(cell, "before")
        rules.add(cell["rule"])
        pairs = [total]
        if by_row:
            key = cell[group.key]
            row = rows.get(key)
            if row is None:
                row = rows[key] = PunctualityRow(key, group.label(cell), Pair(Punctual(), Punctual()))
            row.rules[cell["rule"]] = Pair(now_cell, before_cell)
            pairs.append(row.total)
        for pair in pairs:
            pair.now.add(now_cell)
            pair.before.add(before_cell)
    shown, left_out = _rows_of(rows.values(), sort=lambda r: (-r.total.now.late, -(r.total.now.due), r.label))
    order = {rule: n for n, rule in enumerate(RULES)}
    rule_ids = sorted(rules, key=lambda rule: order.get(rule, len(order)))
    for row in shown:
        row.cells = [(rule, row.rules.get(rule)) for rule in rule_ids]
    trend = punctuality_weeks(reader, period, now=now) if weeks else []
    return PunctualityReport(
        period, previous, group, shown, left_out, rule_ids, total, trend, kept.refreshed_at
    )


PUNCTUAL_FIGURES = ("due", "on_time", "escalated")


def _kept_punctuality(
    reader: Reader, days: Period, period: Period, previous: Period, *, by_campus: bool = True
) -> QuerySet:
    """The kept figures of `days` by campus (or for all) and rule, as `punctuality` counts them."""
    return (
        _kept_rows(DeadlineDay, reader, days)
        .values(*(("campus",) if by_campus else ()), "rule")
        .annotate(**_kept_sums(PUNCTUAL_FIGURES, {"now": period, "before": previous}))
        .order_by()
    )


def punctuality_weeks(reader: Reader, period: Period, *, now: datetime) -> list[Week]:
    """The period's deadlines by the week (Monday to Sunday) they were due in. One query (two for the
    company at a glance: the kept days and the others)."""
    kept = kept_days(reader, "deadlines", period, today=timezone.localdate(now))
    weeks = _by_week(
        counted_deadlines(reader, period, now=now, days=kept.counted_q("due_at")),
        "due_at",
        _punctual_counts("now", period),
        _kept_rows(DeadlineDay, reader, kept.days) if kept.days else None,
        _kept_sums(PUNCTUAL_FIGURES, {"now": period}),
    )
    return [Week(row["week"], _punctual(row, "now"), _week_of(row["week"], period)) for row in weeks]


def punctuality_list(
    reader: Reader, period: Period, *, now: datetime, rule: str = "", state: str = "", row: dict | None = None
) -> QuerySet[Deadline]:
    """The deadlines behind one figure of the punctuality report (a rule, a person or campus, a
    state), the latest due first; every one of them, whether or not the reader may open its record."""
    deadlines = counted_deadlines(reader, period, now=now).filter(state_q(state), **(row or {}))
    if rule:
        deadlines = deadlines.filter(rule=rule)
    return deadlines.order_by("-due_at", "-pk")


# Renewal (R1)


@dataclass
class Renewals:
    """The students whose class hours fell below their campus's renewal threshold in a period (an R1
    deadline opened: once per contract), waived ones aside (a refund was applied for: the family is
    not asked), and what the family answered since:

    - `renewed`: a renewal was recorded (a new contract) since the hours fell below the threshold;
    - `declined`: the family's latest answer since then is no, with the reason (and no renewal after);
    - `undecided`: no answer yet, or "not decided yet";
    - `hours`, `amount`: the class hours and the amount of the renewing contracts (the first renewal
      since the threshold);
    - the renewal rate: renewed of all who reached the threshold.
    """

    reached: int = 0
    renewed: int = 0
    declined: int = 0
    hours: Decimal = ZERO
    amount: Decimal = ZERO

    @property
    def undecided(self) -> int:
        return self.reached - self.renewed - self.declined

    @property
    def rate(self) -> Ratio:
        return Ratio(self.renewed, self.reached)

    def add(self, other: "Renewals") -> None:
        for name in ("reached", "renewed", "declined", "hours", "amount"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class RenewalRow:
    key: int | None
    label: str
    figures: Pair  # of Renewals


@dataclass
class ReasonRow:
    reason: str
    label: str
    declined: Pair  # of int


@dataclass
class RenewalReport:
    period: Period
    previous: Period
    grouping: Grouping
    rows: list[RenewalRow]
    left_out: int
    total: Pair
    reasons: list[ReasonRow]
    kept_at: datetime | None = None  # when the kept figures it read were counted, if it read any


ANSWERS = ("renewed", "declined", "undecided")


def _since_threshold() -> QuerySet[Renewal]:
    """The family's answers about the student of the R1 deadline OuterRef, since it opened (the index
    renewal_student_at)."""
    return Renewal.objects.filter(student=OuterRef("student"), recorded_at__gte=OuterRef("opened_at"))


# Why a family declined (FamilyReason). A talk recorded before the families' reasons named only a
# loss reason, which judges the campus and not the family's decision: it counts as "other".
FAMILY_REASON = models.Case(
    When(family_reason="", loss_reason__gt="", then=Value(FamilyReason.OTHER.value)),
    default="family_reason",
    output_field=CharField(),
)


def threshold_reached(reader: Reader, period: Period, *, days: Q | None = None) -> QuerySet[Deadline]:
    """The R1 deadlines opened in the period (or on `days` of it), in the reader's scope, with the
    family's answer since (answered_thresholds)."""
    opened = _within(period, "opened_at") if days is None else days
    return answered_thresholds(report_deadlines(reader).filter(opened))


def answered_thresholds(deadlines: QuerySet[Deadline]) -> QuerySet[Deadline]:
    """The R1 deadlines among `deadlines`, waived ones aside, each with the family's answer since it
    opened (`answer`: renewed, declined or undecided), the reason of the latest decline
    (`decline_reason`) and the hours and amount of the renewing contract (a renewal always has its
    contract: renewal_renewed_has_contract)."""
    renewal = _since_threshold().filter(outcome=Renewal.Outcome.RENEWED).order_by("recorded_at", "pk")
    latest = (
        _since_threshold()
        .filter(outcome__in=(Renewal.Outcome.RENEWED, Renewal.Outcome.DECLINED))
        .order_by("-recorded_at", "-pk")
    )
    renewed_hours = Subquery(renewal.values("contract__hours")[:1], output_field=HOURS)
    return (
        deadlines.filter(rule="R1")
        .exclude(status=Status.WAIVED)
        .annotate(
            renewed_hours=renewed_hours,
            renewed_amount=Subquery(renewal.values("contract__amount")[:1], output_field=MONEY),
            decline_reason=Subquery(latest.annotate(why=FAMILY_REASON).values("why")[:1]),
            answer=models.Case(
                When(Q(renewed_hours__isnull=False), then=Value("renewed")),
                When(Q(decline_reason__gt=""), then=Value("declined")),
                default=Value("undecided"),
                output_field=CharField(),
            ),
        )
    )


def _in_period(period: Period, field_name: str) -> models.Case:
    """ "now" or "before": which of the two periods (this one, the one before) a row falls in."""
    return models.Case(
        When(_within(period, field_name), then=Value("now")),
        default=Value("before"),
        output_field=CharField(),
    )


def renewal(reader: Reader, period: Period) -> RenewalReport:
    """Who reached the renewal threshold in the period and what their families answered, by person
    (or campus), beside the previous period; and the reasons of the declines. One query: the answers
    are grouped by row, period, answer and reason in the database, and the few groups of a row added
    up here (so each family's answer is looked up once, not once per figure)."""
    previous = period.previous()
    group = grouping(reader, campus="campus", person="owner")
    both = Period(previous.first, period.last)
    kept = kept_days(reader, "renewals", both, today=timezone.localdate())
    answered = list(
        threshold_reached(reader, both, days=kept.counted_q("opened_at"))
        .annotate(which=_in_period(period, "opened_at"))
        .values(group.key, *group.labels, "which", "answer", "decline_reason")
        .annotate(
            n=Count(ROW),
            hours=Coalesce(Sum("renewed_hours"), ZERO, output_field=HOURS),
            amount=Coalesce(Sum("renewed_amount"), ZERO, output_field=MONEY),
        )
        .order_by()
    )
    if kept.days:
        answered = _added(
            [*answered, *_kept_renewals(reader, kept.days, period)],
            (group.key, "which", "answer", "decline_reason"),
        )
    rows: dict[object, RenewalRow] = {}
    total = Pair(Renewals(), Renewals())
    declined: dict[str, Pair] = {}
    for values in answered:
        key = values[group.key]
        if key not in rows:
            rows[key] = RenewalRow(key, group.label(values), Pair(Renewals(), Renewals()))
        part = Renewals(reached=values["n"])
        if values["answer"] == "renewed":
            part.renewed, part.hours, part.amount = values["n"], values["hours"], values["amount"]
        elif values["answer"] == "declined":
            part.declined = values["n"]
            counts = declined.setdefault(values["decline_reason"], Pair(0, 0))
            setattr(counts, values["which"], getattr(counts, values["which"]) + values["n"])
        getattr(rows[key].figures, values["which"]).add(part)
        getattr(total, values["which"]).add(part)
    shown, left_out = _rows_of(
        rows.values(),
        sort=lambda r: (r.figures.now.rate.percent is None, r.figures.now.rate.percent or 0, r.label),
    )
    labels = dict(FamilyReason.choices)
    reasons = sorted(
        (ReasonRow(reason, str(labels.get(reason, reason)), counts) for reason, counts in declined.items()),
        key=lambda r: (-r.declined.now, -r.declined.before, r.label),
    )
    return RenewalReport(period, previous, group, shown, left_out, total, reasons, kept.refreshed_at)


def _kept_renewals(reader: Reader, days: Period, period: Period) -> QuerySet:
    """The kept answers of `days` by campus, as `renewal` groups the R1 deadlines."""
    return (
        _kept_rows(RenewalDay, reader, days)
        .annotate(
            which=models.Case(
                When(_on_days(period, "day"), then=Value("now")),
                default=Value("before"),
                output_field=CharField(),
            )
        )
        .values("campus", "which", "answer", decline_reason=F("reason"))
        .annotate(n=Sum("students"), hours=Sum("hours"), amount=Sum("amount"))
        .order_by()
    )


def renewal_list(
    reader: Reader, period: Period, *, answer: str = "", reason: str = "", row: dict | None = None
) -> QuerySet[Deadline]:
    """The students behind one renewal figure (their R1 deadlines), the latest first."""
    reached = threshold_reached(reader, period).filter(**(row or {}))
    if answer:
        reached = reached.filter(answer=answer)
    if reason:
        reached = reached.filter(answer="declined", decline_reason=reason)
    return reached.order_by("-opened_at", "-pk")


# Retention


@dataclass
class Cases:
    """Retention cases (warning sign → rescue → report → responsibility analysis):

    - `raised`: cases opened (a warning sign) in the period;
    - `stabilised`, `retained`, `lost`: cases whose outcome became known in the period — settled by
      the learning manager's talk with the parent (E1), kept by the team's rescue (E2) or the
      director's second rescue (E3), or lost;
    - the rescue success rate of each stage, of the cases decided in the period that reached it: the
      manager's (stabilised of all decided), the team's (kept by the team's rescue of those escalated
      to it) and the director's (kept by the director of those whose team rescue failed).
    """

    raised: int = 0
    stabilised: int = 0
    retained_by_team: int = 0
    retained_by_director: int = 0
    lost: int = 0

    @property
    def retained(self) -> int:
        return self.retained_by_team + self.retained_by_director

    @property
    def decided(self) -> int:
        return self.stabilised + self.retained + self.lost

    @property
    def manager_stage(self) -> Ratio:
        return Ratio(self.stabilised, self.decided)

    @property
    def team_stage(self) -> Ratio:
        return Ratio(self.retained_by_team, self.retained + self.lost)

    @property
    def director_stage(self) -> Ratio:
        return Ratio(self.retained_by_director, self.retained_by_director + self.lost)

    def add(self, other: "Cases") -> None:
        for name in ("raised", "stabilised", "retained_by_team", "retained_by_director", "lost"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Refunds:
    """Refunds (E5): `applied` — submitted in the period, with the amounts to refund on their lists;
    `paid` — paid back in the period (by the payment's date), with the amounts paid."""

    applied: int = 0
    applied_amount: Decimal = ZERO
    paid: int = 0
    paid_amount: Decimal = ZERO

    def add(self, other: "Refunds") -> None:
        for name in ("applied", "applied_amount", "paid", "paid_amount"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class RetentionRow:
    key: int | None
    label: str
    cases: Pair  # of Cases
    refunds: Pair  # of Refunds
    reasons: dict[str, Pair] = field(default_factory=dict)  # loss-reason group -> Pair of lost cases


@dataclass
class RetentionReport:
    period: Period
    previous: Period
    grouping: Grouping
    rows: list[RetentionRow]
    left_out: int
    cases: Pair
    refunds: Pair
    reasons: dict[str, Pair]  # loss-reason group -> Pair of lost cases, of every row
    groups: list[tuple[str, str]]  # the loss-reason groups (value, label)


# The figures of cases, each the cases behind it (the lists behind the figures).
CASE_FIGURES = ("raised", "stabilised", "retained", "retained_by_team", "retained_by_director", "lost")


def report_cases(reader: Reader) -> QuerySet[Case]:
    """The cases a report counts: those of the reader's scope by the case's own campus and learning
    manager (the indexed case_campus_stage), narrowed to the chosen campus or team."""
    return Case.objects.filter(
        scope.caseload_q(reader.user, campus="campus", manager="manager"),
        reader.narrowed(campus="campus", person="manager"),
    )


def case_figure_q(figure: str, period: Period) -> Q:
    decided = _within(period, "outcome_at")
    by_director = ~Q(director_rescue="")
    return {
        "raised": _within(period, "raised_at"),
        "stabilised": decided & Q(outcome=Case.Outcome.STABILISED),
        "retained": decided & Q(outcome=Case.Outcome.RETAINED),
        "retained_by_team": decided & Q(outcome=Case.Outcome.RETAINED, director_rescue=""),
        "retained_by_director": decided & Q(outcome=Case.Outcome.RETAINED) & by_director,
        "lost": decided & Q(outcome=Case.Outcome.LOST),
    }[figure]


def _case_counts(name: str, period: Period) -> dict:
    return {
        f"{name}_{figure}": Count(ROW, filter=case_figure_q(figure, period))
        for figure in ("raised", "stabilised", "retained_by_team", "retained_by_director", "lost")
    }


def _cases(values: dict, name: str) -> Cases:
    return Cases(
        *(
            values[f"{name}_{f}"]
            for f in ("raised", "stabilised", "retained_by_team", "retained_by_director", "lost")
        )
    )


def reason_group_q(group: str) -> Q:
    """Cases naming at least one reason of the group: each of its items as a quoted string in the
    list's text, which every database reads (JSON containment is PostgreSQL's alone, and `make run`
    serves SQLite); no code is part of another's quoted form."""
    found = Q(pk__in=[])
    for code, (item_group, _label) in ITEMS.items():
        if item_group == group:
            found |= Q(reasons__icontains=f'"{code}"')
    return found


def _reason_counts(period: Period, previous: Period) -> dict:
    lost = {name: case_figure_q("lost", p) for name, p in (("now", period), ("before", previous))}
    return {
        f"{name}_{group}": Count(ROW, filter=lost[name] & reason_group_q(group))
        for group in LossReason.values
        for name in ("now", "before")
    }


def report_refunds(reader: Reader) -> QuerySet[Refund]:
    """The refunds a report counts: by the refund's campus and its case's learning manager in the
    reader's scope (finance and the president: every campus), narrowed to the chosen campus or team."""
    return Refund.objects.filter(
        scope.caseload_q(reader.user, campus="campus", manager="case__manager"),
        reader.narrowed(campus="campus", person="case__manager"),
    )


def refund_figure_q(figure: str, period: Period) -> Q:
    return {"applied": _within(period, "submitted_at"), "paid": _on_days(period, "paid_on")}[figure]


REFUND_FIGURES = ("applied", "paid")


def _refund_counts(name: str, period: Period) -> dict:
    applied, paid = refund_figure_q("applied", period), refund_figure_q("paid", period)
    return {
        f"{name}_applied": Count(ROW, filter=applied),
        f"{name}_applied_amount": Coalesce(Sum("amount", filter=applied), ZERO, output_field=MONEY),
        f"{name}_paid": Count(ROW, filter=paid),
        f"{name}_paid_amount": Coalesce(Sum("payment__amount", filter=paid), ZERO, output_field=MONEY),
    }


def _refunds(values: dict, name: str) -> Refunds:
    return Refunds(*(values[f"{name}_{f}"] for f in ("applied", "applied_amount", "paid", "paid_amount")))


def retention(reader: Reader, period: Period, *, cases: bool = True) -> RetentionReport:
    """Cases raised and decided, the rescue success rate of each stage, the lost cases' reasons by
    reason group, and the refunds applied for and paid, by person (or campus), beside the previous
    period. Two queries; one (the refunds) with `cases=False`, for finance."""
    previous = period.previous()
    both = Period(previous.first, period.last)
    rows: dict[object, RetentionRow] = {}
    groups = list(LossReason.choices)

    def row_of(values: dict, group: Grouping) -> RetentionRow:
        key = values[group.key]
        if key not in rows:
            rows[key] = RetentionRow(
                key,
                group.label(values),
                Pair(Cases(), Cases()),
                Pair(Refunds(), Refunds()),
                {g: Pair(0, 0) for g, _label in groups},
            )
        return rows[key]

    total_cases, total_refunds = Pair(Cases(), Cases()), Pair(Refunds(), Refunds())
    reasons = {g: Pair(0, 0) for g, _label in groups}
    if cases:
        group = grouping(reader, campus="campus", person="manager")
        counted = (
            report_cases(reader)
            .filter(_within(both, "raised_at") | _within(both, "outcome_at"))
            .values(group.key, *group.labels)
            .annotate(
                **_case_counts("now", period),
                **_case_counts("before", previous),
                **_reason_counts(period, previous),
            )
            .order_by()
        )
        for values in counted:
            row = row_of(values, group)
            row.cases = Pair(_cases(values, "now"), _cases(values, "before"))
            total_cases.now.add(row.cases.now)
            total_cases.before.add(row.cases.before)
            for g, _label in groups:
                row.reasons[g] = Pair(values[f"now_{g}"], values[f"before_{g}"])
                reasons[g] = Pair(
                    reasons[g].now + row.reasons[g].now, reasons[g].before + row.reasons[g].before
                )
    group = grouping(reader, campus="campus", person="case__manager")
    paid = refund_figure_q("paid", both)
    refunds = (
        report_refunds(reader)
        .filter(refund_figure_q("applied", both) | paid)
        .values(group.key, *group.labels)
        .annotate(**_refund_counts("now", period), **_refund_counts("before", previous))
        .order_by()
    )
    for values in refunds:
        row = row_of(values, group)
        row.refunds = Pair(_refunds(values, "now"), _refunds(values, "before"))
        total_refunds.now.add(row.refunds.now)
        total_refunds.before.add(row.refunds.before)
    shown, left_out = _rows_of(
        rows.values(),
        sort=lambda r: (-r.cases.now.lost, -r.refunds.now.applied, -r.cases.now.raised, r.label),
    )
    return RetentionReport(
        period,
        previous,
        grouping(reader, campus="campus", person="manager"),
        shown,
        left_out,
        total_cases,
        total_refunds,
        reasons,
        [(g, str(label)) for g, label in groups],
    )


def case_list(reader: Reader, period: Period, *, figure: str, row: dict | None = None) -> QuerySet[Case]:
    """The cases behind one retention figure, the latest first."""
    return (
        report_cases(reader)
        .filter(case_figure_q(figure, period), **(row or {}))
        .order_by("-raised_at", "-pk")
    )


def lost_for_reason_list(
    reader: Reader, period: Period, *, group: str, row: dict | None = None
) -> QuerySet[Case]:
    return case_list(reader, period, figure="lost", row=row).filter(reason_group_q(group))


def refund_list(reader: Reader, period: Period, *, figure: str, row: dict | None = None) -> QuerySet[Refund]:
    """The refunds behind one refund figure, the latest submitted first."""
    return (
        report_refunds(reader)
        .filter(refund_figure_q(figure, period), **(row or {}))
        .order_by("-submitted_at", "-pk")
    )


# Caseload and class hours


@dataclass
class CaseloadRow:
    """A person's (or campus's) students now, by status; the class hours their students still hold
    (the students being taught: not ended, not refunded); and the class hours taught (课消: lessons
    marked done, by their start) in the period and the previous one."""

    key: int | None
    label: str
    statuses: dict[str, int]
    hours_left: Decimal
    taught: Pair  # of Decimal

    @property
    def students(self) -> int:
        return sum(self.statuses.values())


@dataclass
class Taught:
    hours: Decimal
    lessons: int


@dataclass
class CaseloadReport:
    period: Period
    previous: Period
    grouping: Grouping
    rows: list[CaseloadRow]
    left_out: int
    statuses: list[tuple[str, str]]
    total: CaseloadRow
    weeks: list[Week]  # of Taught: the class hours taught by week of the period
    kept_at: datetime | None = None  # when the kept figures it read were counted, if it read any


def report_students(reader: Reader) -> QuerySet[Student]:
    """The students of the reader's scope (students_for: a supervisor's teams' and the campus's
    unassigned students, a director's campus, the company), narrowed to the chosen campus or team."""
    return students_for(reader.user).filter(reader.narrowed(campus="campus", person="manager"))


def report_lessons(reader: Reader, period: Period, *, days: Q | None = None) -> QuerySet[Lesson]:
    """The lessons taught (marked done) in the period, of the report's students. A supervisor's
    students are a subquery (students_for: their teams' and the campus's unassigned ones); a
    director's and the president's are students_for's own condition said on the lesson's student, so
    the lessons join their students rather than ask whether each is among the company's 100,000."""
    user = reader.user
    if user.role == Role.SUPERVISOR:
        students = Q(student__in=report_students(reader).values("pk"))
    else:
        students = scope.caseload_q(
            user, campus="student__campus", manager="student__manager"
        ) & reader.narrowed(campus="student__campus", person="student__manager")
    days = _within(period, "starts_at") if days is None else days
    # A lesson is marked done once it has begun (students.services.lesson_mark): saying that none of
    # the days to come holds one keeps PostgreSQL from expecting the rest of the month's lessons
    # (122,599 at company size) where there are today's, and hashing every student to join them.
    begun = Q(starts_at__lte=timezone.now())
    return Lesson.objects.filter(students, days, begun, status=Lesson.Status.DONE)


TAUGHT = Student.FINISHED


def caseload(reader: Reader, period: Period, *, weeks: bool = True) -> CaseloadReport:
    """The students of each person (or campus) by status and their class hours left, now; the class
    hours taught in the period beside the previous one, and by week. Three queries (two without
    weeks)."""
    previous = period.previous()
    group = grouping(reader, campus="campus", person="manager")
    statuses = list(Student.Status.choices)
    rows: dict[object, CaseloadRow] = {}

    def row_of(values: dict, lesson_group: Grouping | None = None) -> CaseloadRow:
        key = values[(lesson_group or group).key]
        if key not in rows:
            rows[key] = CaseloadRow(
                key,
                (lesson_group or group).label(values),
                dict.fromkeys(Student.Status.values, 0),
                ZERO,
                Pair(ZERO, ZERO),
            )
        return rows[key]

    students = (
        report_students(reader)
        .values(group.key, *group.labels, "status")
        .annotate(
            n=Count(ROW),
            left=Coalesce(Sum("hours_left", filter=~Q(status__in=TAUGHT)), ZERO, output_field=HOURS),
        )
        .order_by()
    )
    for values in students:
        row = row_of(values)
        row.statuses[values["status"]] += values["n"]
        row.hours_left += values["left"]
    lesson_group = grouping(reader, campus="student__campus", person="student__manager")
    both = Period(previous.first, period.last)
    kept = kept_days(reader, "lessons", both, today=timezone.localdate())
    taught = list(
        report_lessons(reader, both, days=kept.counted_q("starts_at"))
        .values(lesson_group.key, *lesson_group.labels)
        .annotate(
            now=Coalesce(Sum("hours", filter=_within(period, "starts_at")), ZERO, output_field=HOURS),
            before=Coalesce(Sum("hours", filter=_within(previous, "starts_at")), ZERO, output_field=HOURS),
        )
        .order_by()
    )
    if kept.days:
        taught = _added([*taught, *_kept_lessons(reader, kept.days, period, previous)], (lesson_group.key,))
    for values in taught:
        row_of(values, lesson_group).taught = Pair(values["now"], values["before"])
    total = CaseloadRow(
        None, str(_("Total")), dict.fromkeys(Student.Status.values, 0), ZERO, Pair(ZERO, ZERO)
    )
    for row in rows.values():
        for status, n in row.statuses.items():
            total.statuses[status] += n
        total.hours_left += row.hours_left
        total.taught = Pair(total.taught.now + row.taught.now, total.taught.before + row.taught.before)
    shown, left_out = _rows_of(rows.values(), sort=lambda r: (r.key is None, -r.students, r.label))
    trend = caseload_weeks(reader, period) if weeks else []
    return CaseloadReport(
        period,
        previous,
        group,
        shown,
        left_out,
        [(s, str(label)) for s, label in statuses],
        total,
        trend,
        kept.refreshed_at,
    )


def _kept_lessons(reader: Reader, days: Period, period: Period, previous: Period) -> list[dict]:
    """The kept class hours of `days` by campus, named as `caseload` groups the lessons (by the
    student's campus)."""
    kept = (
        _kept_rows(LessonDay, reader, days)
        .values("campus")
        .annotate(
            now=Coalesce(Sum("hours", filter=_on_days(period, "day")), ZERO, output_field=HOURS),
            before=Coalesce(Sum("hours", filter=_on_days(previous, "day")), ZERO, output_field=HOURS),
        )
        .order_by()
    )
    return [{"student__campus": row["campus"], **_figures_of(row)} for row in kept]


def caseload_weeks(reader: Reader, period: Period) -> list[Week]:
    """The class hours taught in the period by week (Monday to Sunday). One query (two for the
    company at a glance: the kept days and the others)."""
    kept = kept_days(reader, "lessons", period, today=timezone.localdate())
    weeks = _by_week(
        report_lessons(reader, period, days=kept.counted_q("starts_at")),
        "starts_at",
        {"hours": Sum("hours"), "lessons": Count(ROW)},
        _kept_rows(LessonDay, reader, kept.days) if kept.days else None,
        {"hours": Sum("hours"), "lessons": Sum("lessons")},
    )
    return [Week(w["week"], Taught(w["hours"], w["lessons"]), _week_of(w["week"], period)) for w in weeks]
