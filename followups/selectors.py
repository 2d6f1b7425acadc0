import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts import scope
from accounts.models import Role
from config import charts
from deadlines.models import ACTIVE, LATE, Deadline
from deadlines.selectors import RowLinks, deadlines_for
from students.models import Lesson, Student
from students.selectors import HOURS, attendance, day_range, first_rows, per_student, students_for

from .models import Exam, ExamScore, ExamSitting, Renewal
from .renewal import without_held


def score_chart(scores) -> SafeString:
    """The score trend as an SVG chart: one line per subject, each score as a percent of its full
    marks, by exam date. `scores`: the student's scores of a period, any order (no query here)."""
    by_subject: dict[str, list[ExamScore]] = {}
    for score in sorted(scores, key=lambda s: (s.exam_date, s.pk)):
        by_subject.setdefault(score.subject, []).append(score)
    series = [
        charts.Series(subject, [_score_point(score) for score in subject_scores])
        for subject, subject_scores in by_subject.items()
    ]
    return charts.line_chart(
        series=series,
        title=_("Score trend"),
        y_label=_("% of full marks"),
        y_max=100,
        empty=_("No scores yet."),
    )


def _score_point(score: ExamScore) -> charts.Point:
    """A score of 100 full marks is written as it is; another as score/full marks (up: its percent)."""
    value = f"{score.score:.1f}".removesuffix(".0")
    full = f"{score.full_marks:.1f}".removesuffix(".0")
    text = value if full == "100" else f"{value}/{full}"
    tooltip = f"{score.exam_date:%Y-%m-%d} {score.get_kind_display()} {value}/{full}"
    return charts.Point(score.exam_date, round(score.percent, 1), text=text, tooltip=tooltip)


# The pace of the last four weeks' lessons forecasts when the hours run out.
RECENT = timedelta(days=28)
RENEWAL_ROLES = (Role.LEARNING_MANAGER, Role.SUPERVISOR, Role.DIRECTOR)
CALLBACK_RULES = ("F1", "L3", "L4")
# A forecast further out than this says nothing useful (and would overflow the calendar).
FORECAST_LIMIT = timedelta(days=3 * 365)


def renewal_list(
    user, *, below_only: bool = True, manager_id: int | None = None, now=None
) -> QuerySet[Student]:
    """Students in the user's scope with their hours left, the last four weeks' hours, the open
    renewal task and the last renewal talk; below their campus's threshold unless `below_only` is
    off. Not the students on hold (a refund under way, followups.renewal.RENEWAL_HOLDS). One query for
    any number of students."""
    now = now or timezone.now()
    # Scoped to the user's deadlines (an R1 is its student's manager's) and asked of each ended
    # student: never a list of every open R1 of the company. The ended students asked are a subquery
    # of their own (a semi-join: the scope's ended students, then each one's active deadlines through
    # deadline_student_active); an EXISTS under the OR below made PostgreSQL hash every open R1 of
    # the campus instead (a bitmap over the company's R1 rows: ~30 ms a query at 100 campuses).
    open_renewal = Exists(deadlines_for(user).filter(rule="R1", status__in=ACTIVE, student=OuterRef("pk")))
    ended_asked = students_for(user).filter(open_renewal, status=Student.Status.ENDED).values("pk")
    students = students_for(user).filter(
        Q(status__in=(Student.Status.ACTIVE, Student.Status.PAUSED))
        | Q(pk__in=ended_asked),  # hours gone, the family not yet asked
        manager__isnull=False,
    )
    students = without_held(students)
    if manager_id:
        students = students.filter(manager_id=manager_id)
    recent = Lesson.objects.filter(status=Lesson.Status.DONE, starts_at__gte=now - RECENT, starts_at__lte=now)
    latest = Renewal.objects.filter(student=OuterRef("pk")).order_by("-recorded_at", "-pk")
    task = Deadline.objects.filter(rule="R1", status__in=ACTIVE, student=OuterRef("pk")).order_by(
        "-occurrence"
    )
    # The hours left are the student's own column (Student.hours_left): the filter and the order read
    # it (student_campus_hours); the subqueries below are counted for the page's rows only. The
    # managers are fetched for the page's rows (one query by key): joined, PostgreSQL hashed every
    # user of the company before the sort (half of the query at 100 campuses).
    students = (
        students.select_related("campus")
        .prefetch_related("manager")
        .annotate(
            recent_hours=Coalesce(
                per_student(recent, Sum("hours"), HOURS), Value(Decimal("0"), output_field=HOURS)
            ),
            last_outcome=Subquery(latest.values("outcome")[:1]),
            last_loss_reason=Subquery(latest.values("loss_reason")[:1]),
            last_note=Subquery(latest.values("note")[:1]),
            last_talk_at=Subquery(latest.values("recorded_at")[:1]),
            renewal_due_at=Subquery(task.values("due_at")[:1]),
        )
    )
    if below_only:
        students = students.filter(hours_left__lt=F("campus__renewal_threshold"))
    return students.order_by("hours_left", "full_name", "pk")


def runs_out_on(hours_left: Decimal, recent_hours: Decimal, today: date) -> date | None:
    """The day the hours run out at the pace of the last four weeks; None with no recent lessons."""
    if hours_left <= 0:
        return today
    if recent_hours <= 0:
        return None
    days = timedelta(days=math.ceil(hours_left * RECENT.days / recent_hours))
    return today + days if days <= FORECAST_LIMIT else None


@dataclass
class FollowupCounts:
    callbacks_due: int  # callbacks and post-lesson talks due within the week, late ones included
    below_threshold: int  # followed students whose hours fell below their campus's threshold


def callbacks_due(user, *, now=None, manager_id: int | None = None) -> QuerySet[Deadline]:
    """The callbacks and post-lesson talks (CALLBACK_RULES) of the user's scope still to do and due
    by the end of the week (the next seven days after today, as My day counts it), late first, with
    their students and owners; one manager's with `manager_id`."""
    now = now or timezone.now()
    week_end = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=8)
    callbacks = deadlines_for(user).filter(rule__in=CALLBACK_RULES, status__in=ACTIVE, due_at__lt=week_end)
    if manager_id:
        callbacks = callbacks.filter(owner_id=manager_id)
    return callbacks.select_related("student", "owner").order_by("due_at", "pk")


def followup_counts(user, *, now=None, below_threshold: int | None = None) -> FollowupCounts:
    """The follow-up figures of the user's scope (for a manager, their own). Two queries; one when
    the caller has counted the students below the threshold already (the renewal list's first view)."""
    now = now or timezone.now()
    if below_threshold is None:
        below_threshold = renewal_list(user, now=now).count()
    return FollowupCounts(callbacks_due=callbacks_due(user, now=now).count(), below_threshold=below_threshold)


@dataclass
class SittingRow:
    """One student of an exam on the exams page, with their L5 clock's state."""

    sitting_id: int
    student_id: int
    student_name: str
    manager_name: str
    status: str
    status_label: str
    due_at: object
    open: bool
    may_close: bool
    student_url: str = ""  # the student page's scores
    no_score_url: str = ""  # where the manager says there is no score


def exams_for(user) -> QuerySet[Exam]:
    """The exams of the user's campus, newest first; a student's own exam only for those who may see
    that student."""
    own_students = Q(student=None) | Q(student__in=students_for(user))
    return Exam.objects.filter(scope.campus_q(user), own_students).order_by("-date", "-pk")


# The exam calendar shows at most this many students an exam (the late ones first) with the exam's
# count; ?exam= lists all of one exam's students, EXAM_PAGE a page.
EXAM_STUDENTS = 10
EXAM_PAGE = 100


def exam_sittings(user, exam_ids, *, now=None) -> QuerySet[ExamSitting]:
    """The students these exams concern whom the user may see: those whose L5 is late first, then by
    name."""
    now = now or timezone.now()
    late = Deadline.objects.filter(
        Q(status__in=LATE) | Q(status__in=ACTIVE, due_at__lte=now),
        rule="L5",
        subject_type=ContentType.objects.get_for_model(ExamSitting),
        subject_id=OuterRef("pk"),
    )
    return (
        ExamSitting.objects.filter(exam_id__in=exam_ids, student__in=students_for(user))
        .select_related("student__manager")
        .only(  # what a row shows: not the whole file of each student and manager
            *("exam", "student", "student__full_name", "student__manager"),
            *("student__manager__full_name", "student__manager__first_name", "student__manager__last_name"),
            "student__manager__username",
        )
        .annotate(late=Exists(late))
        .order_by(F("late").desc(), "student__full_name", "pk")
    )


def exam_calendar(user, exams: QuerySet[Exam], *, now=None) -> QuerySet[ExamSitting]:
    """Every student of these exams whom the user may see (exam_sittings), exam by exam in the
    calendar's order, with the exam and the status and due time of the student's L5: one query,
    for reading them whole (an export)."""
    clock = Deadline.objects.filter(
        rule="L5", subject_type=ContentType.objects.get_for_model(ExamSitting), subject_id=OuterRef("pk")
    ).order_by("-occurrence")
    rows = exam_sittings(user, exams.values("pk"), now=now).defer(None).select_related("exam")
    return rows.annotate(
        clock_status=Subquery(clock.values("status")[:1]), clock_due_at=Subquery(clock.values("due_at")[:1])
    ).order_by("-exam__date", "-exam__pk", F("late").desc(), "student__full_name", "pk")


def exams_page(user, exams, *, sittings: list | None = None, count: int | None = None) -> list[tuple]:
    """The exams of a page (a list of Exam), each with the first EXAM_STUDENTS students it concerns
    whom the user may see (late first), their L5 and how many they are in all; or one exam with a
    page of its `sittings` and their `count`. Four queries whatever the number of students."""
    ids = [exam.pk for exam in exams]
    if sittings is None:
        first = Window(
            RowNumber(),
            partition_by=F("exam_id"),
            order_by=[F("late").desc(), F("student__full_name").asc(), F("pk").asc()],
        )
        sittings = list(exam_sittings(user, ids).annotate(rank=first).filter(rank__lte=EXAM_STUDENTS))
        counts = dict(
            ExamSitting.objects.filter(exam_id__in=ids, student__in=students_for(user))
            .order_by()
            .values_list("exam_id")
            .annotate(n=Count("pk"))
        )
    else:
        counts = {pk: count for pk in ids}
    clocks = {
        d.subject_id: d
        for d in Deadline.objects.filter(
            rule="L5",
            subject_type=ContentType.objects.get_for_model(ExamSitting),
            subject_id__in=[s.pk for s in sittings],
        ).only("subject_id", "status", "due_at")
    }
    editable = {Role.SUPERVISOR, Role.DIRECTOR}
    # Each row's links from a pattern reversed once for the page (RowLinks' way), not per row.
    links = RowLinks()
    no_score = reverse("followups:exam_no_score", args=[RowLinks.STAND_IN])
    by_exam: dict[int, list[SittingRow]] = {pk: [] for pk in ids}
    for sitting in sittings:
        clock = clocks.get(sitting.pk)
        manager = sitting.student.manager
        by_exam[sitting.exam_id].append(
            SittingRow(
                sitting_id=sitting.pk,
                student_id=sitting.student_id,
                student_name=sitting.student.full_name,
                manager_name=manager.display_name if manager else "",
                status=clock.status if clock else "",
                status_label=clock.get_status_display() if clock else "",
                due_at=clock.due_at if clock else None,
                open=bool(clock and clock.status in ACTIVE),
                may_close=user.role in editable or sitting.student.manager_id == user.pk,
                student_url=links.student(sitting.student_id),
                no_score_url=no_score.replace(str(RowLinks.STAND_IN), str(sitting.pk)),
            )
        )
    return [(exam, by_exam[exam.pk], counts.get(exam.pk, 0)) for exam in exams]


def sittings_open(student) -> list[tuple[ExamSitting, Deadline]]:
    """The exams of the calendar this student sat whose score task (L5) is still open, oldest first,
    each with its clock (the student fetched through the user's selector): two queries at most."""
    clocks = {
        d.subject_id: d
        for d in Deadline.objects.filter(
            rule="L5",
            subject_type=ContentType.objects.get_for_model(ExamSitting),
            student=student,
            status__in=ACTIVE,
        )
    }
    if not clocks:
        return []
    sittings = ExamSitting.objects.filter(pk__in=clocks, student=student).select_related("exam")
    return [(s, clocks[s.pk]) for s in sittings.order_by("exam__date", "pk")[:20]]


# The stage summary (followups.summaries): what the records of the first weeks say.

# A subject's percent of full marks moving less than this between its first and last score is steady.
STEADY_POINTS = 3
# The stage summary's draft names at most this many of each kind of record.
STAGE_ABSENCES, STAGE_CALLBACKS, STAGE_CONCERNS = 10, 3, 6


@dataclass
class SubjectTrend:
    """A subject's scores of the period, oldest first, and where they went."""

    subject: str
    scores: list[ExamScore]

    @property
    def change(self) -> float | None:
        """Percentage points of full marks from the first score to the last; None with one score."""
        if len(self.scores) < 2:
            return None
        return round(self.scores[-1].percent - self.scores[0].percent, 1)

    @property
    def direction(self) -> str:
        """up, down, steady, or "" with one score."""
        change = self.change
        if change is None:
            return ""
        if abs(change) < STEADY_POINTS:
            return "steady"
        return "up" if change > 0 else "down"


@dataclass
class StageFacts:
    """The records of the days from `first` to `last` that a stage summary reports."""

    first: date
    last: date
    attendance: object  # students.selectors.Attendance
    absences: list  # the missed lessons, oldest first, each with its absence_reason (L9) if found
    scores: list[ExamScore]
    trends: list[SubjectTrend]
    callbacks: list  # the latest STAGE_CALLBACKS, newest first
    callback_counts: dict  # Callback.With value -> how many
    concerns: list  # the first STAGE_CONCERNS, oldest first
    concerns_total: int

    @property
    def callbacks_total(self) -> int:
        return sum(self.callback_counts.values())


def stage_facts(student, first: date, last: date) -> StageFacts:
    """What the student's records of the days from `first` to `last` say: the lessons, the scores by
    subject, the callbacks and the concerns (the student fetched through the user's selector). Six
    queries whatever the number of records."""
    start, end = day_range(first, last)
    absences = list(
        student.lessons.filter(status=Lesson.Status.ABSENT, starts_at__gte=start, starts_at__lt=end)
        .select_related("absence_reason")
        .order_by("starts_at", "pk")[:STAGE_ABSENCES]
    )
    scores, _more = first_rows(
        student.scores.filter(exam_date__gte=first, exam_date__lte=last).order_by("exam_date", "pk")
    )
    by_subject: dict[str, list[ExamScore]] = {}
    for score in scores:
        by_subject.setdefault(score.subject, []).append(score)
    in_period = Q(at__gte=start, at__lt=end)
    counts = dict(
        student.callbacks.filter(in_period).order_by().values_list("with_whom").annotate(n=Count("pk"))
    )
    concerns, more = first_rows(
        student.concerns.filter(raised_at__gte=start, raised_at__lt=end).order_by("raised_at", "pk"),
        STAGE_CONCERNS,
    )
    return StageFacts(
        first=first,
        last=last,
        attendance=attendance(student, first, last),
        absences=absences,
        scores=scores,
        trends=[SubjectTrend(subject, subject_scores) for subject, subject_scores in by_subject.items()],
        callbacks=list(student.callbacks.filter(in_period).order_by("-at", "-pk")[:STAGE_CALLBACKS]),
        callback_counts=counts,
        concerns=concerns,
        concerns_total=len(concerns) + more,
    )
