from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Q, QuerySet, Subquery

from accounts.models import Role
from deadlines.models import ACTIVE, Deadline
from students.models import LossReason
from students.selectors import students_for
from timeline import audience
from timeline.models import Event

from . import case_page
from .models import Case
from .reasons import ITEMS
from .steps import with_steps

# Who follows cases: they hold the family's conflicts, the memos and the accountable people.
# Teachers and consultants raise warning signs; finance sees the refunds only.
CASE_VIEWERS = (Role.LEARNING_MANAGER, Role.SUPERVISOR, Role.DIRECTOR, Role.HEAD_TEACHER, Role.PRESIDENT)


# The clocks of a case's stages.
CASE_RULES = ("E1", "L8", "E2", "E3", "E4")


def cases_for(user) -> QuerySet[Case]:
    """The cases of the students the user may see (students.selectors.students_for), for the roles
    that follow cases."""
    if user.role not in CASE_VIEWERS:
        return Case.objects.none()
    return Case.objects.filter(student__in=students_for(user))


def _clock() -> QuerySet[Deadline]:
    """The active clock of the stage of the case OuterRef("pk"), the soonest due first."""
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(Case),
        subject_id=OuterRef("pk"),
        status__in=ACTIVE,
        rule__in=CASE_RULES,
    ).order_by("due_at")


def board(user, *, closed: bool = False, campus_id: int | None = None) -> QuerySet[Case]:
    """Open cases (or closed ones) in the board's order, late ones first: the cases alone, with the
    due time of their clock (clock_due_at) to sort by; one campus's with `campus_id` (the index
    case_campus_stage). Page them, then read the page's rows with board_rows: sorting a scope's cases
    with their texts, students and steps costs four times more (3,300 closed cases: 47 ms against
    12) for the same page."""
    cases = cases_for(user)
    if campus_id:
        cases = cases.filter(campus_id=campus_id)
    cases = cases.filter(stage=Case.Stage.CLOSED) if closed else cases.exclude(stage=Case.Stage.CLOSED)
    return cases.annotate(clock_due_at=Subquery(_clock().values("due_at")[:1])).order_by(
        "clock_due_at", "-raised_at", "pk"
    )


def board_rows(user, ids: list[int]) -> list[Case]:
    """The cases `ids` (of board), in that order, with the clock of their stage and what
    steps.next_step reads. One query."""
    clock = _clock()
    cases = with_steps(cases_for(user).filter(pk__in=ids).select_related("student", "manager")).annotate(
        clock_rule=Subquery(clock.values("rule")[:1]),
        clock_due_at=Subquery(clock.values("due_at")[:1]),
        clock_status=Subquery(clock.values("status")[:1]),
    )
    by_id = {case.pk: case for case in cases}
    return [by_id[pk] for pk in ids if pk in by_id]


def board_in_full(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases of `board` (in its order) with what board_rows adds, in the same query: for reading
    them whole (an export), where a page of ids first would only add queries."""
    clock = _clock()
    return with_steps(cases.select_related("student", "manager")).annotate(
        clock_rule=Subquery(clock.values("rule")[:1]),
        clock_status=Subquery(clock.values("status")[:1]),
    )


def case_story(case: Case, user) -> QuerySet[Event]:
    """Everything that happened to the case, in order: its moves, its clocks and — for those who may
    open it — its refund (the parts of retention/case_page.py tell theirs)."""
    of_case = Q(subject_type=ContentType.objects.get_for_model(Case), subject_id=case.pk)
    for part in case_page.parts():
        if part.story is not None:
            of_case |= part.story(case)
    events = Event.objects.filter(of_case).filter(audience.readable_q(user))
    return events.select_related("actor").order_by("at", "pk")


def case_clocks(case: Case) -> QuerySet[Deadline]:
    subject_type = ContentType.objects.get_for_model(Case)
    return (
        Deadline.objects.filter(subject_type=subject_type, subject_id=case.pk)
        .select_related("owner")
        .order_by("opened_at", "pk")
    )


@dataclass
class Tally:
    """Cases of one reason (or one manager): how many were retained, lost, stabilised."""

    label: str
    group: str = ""
    retained: int = 0
    lost: int = 0
    stabilised: int = 0

    @property
    def total(self) -> int:
        return self.retained + self.lost + self.stabilised


@dataclass
class LossAnalysis:
    groups: list[Tally] = field(default_factory=list)
    items: list[Tally] = field(default_factory=list)
    managers: list[Tally] = field(default_factory=list)
    totals: Tally = field(default_factory=lambda: Tally(""))

    @property
    def widest(self) -> int:
        return max([t.total for t in self.groups] or [1]) or 1


def loss_analysis(user, *, since, until) -> LossAnalysis:
    """Cases whose outcome became known in [since, until) in the user's scope, counted by loss-reason
    group and item and by manager, retained vs lost (a case with several reasons counts once under
    each). One query."""
    rows = (
        cases_for(user)
        .filter(outcome_at__gte=since, outcome_at__lt=until)
        .exclude(outcome="")
        .values_list("outcome", "reasons", "manager__full_name", "manager__username")
    )
    analysis = LossAnalysis()
    groups = {group: Tally(group.label) for group in LossReason}
    items = {code: Tally(str(label), str(group.label)) for code, (group, label) in ITEMS.items()}
    managers: dict[str, Tally] = {}
    for outcome, reasons, full_name, username in rows:
        name = full_name or username
        counted = [analysis.totals, managers.setdefault(name, Tally(name))]
        known = [code for code in reasons if code in ITEMS]
        counted += [items[code] for code in known]
        counted += [groups[group] for group in dict.fromkeys(ITEMS[code][0] for code in known)]
        for tally in counted:
            setattr(tally, outcome, getattr(tally, outcome) + 1)
    analysis.groups = [t for t in groups.values() if t.total]
    analysis.items = sorted((t for t in items.values() if t.total), key=lambda t: -t.total)
    analysis.managers = sorted(managers.values(), key=lambda t: (-t.lost, t.label))
    return analysis
