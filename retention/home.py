"""The retention chain's queues on the homes of those whose move it is (registered in accounts.home):
the campus director's rescue, analysis and carrying out of the president's instruction; the memos
waiting for the president's instruction; the rescues a head teacher leads. Each row says the next
step and who takes it (steps.next_step, as the case page and the board do). Each queue runs two
queries (its rows, with their clocks, and a count)."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import home
from accounts.models import Role
from deadlines.models import ACTIVE, Deadline

from .models import Case
from .selectors import cases_for
from .steps import HEAD_TEACHER_KINDS, next_step, with_steps

S = Case.Stage

# The director's moves: the second rescue once the supervisor's memo is in (E3's second round), the
# responsibility analysis of a lost case, and carrying out the president's instruction (E4).
DIRECTOR_RESCUE = Q(stage=S.REPORT) & ~Q(memo="")
DIRECTOR_ANALYSIS = Q(stage=S.RESPONSIBILITY, superiors_memo="")
DIRECTOR_EXECUTION = Q(stage=S.RESPONSIBILITY, execution="") & ~Q(instruction="")
# The president's move: an instruction on the director's memo to the superiors.
PRESIDENT_INSTRUCTION = Q(stage=S.RESPONSIBILITY, instruction="") & ~Q(superiors_memo="")
# A complaint's or an unstable situation's rescue is led by the head teacher (services.may_lead_rescue).
HEAD_TEACHER_RESCUE = Q(stage=S.RESCUE, kind__in=HEAD_TEACHER_KINDS)


def _clock(rule: str) -> Subquery:
    """The due time of the case's latest active clock of `rule` (E3: the director's second rescue
    once the memo has met the supervisor's round)."""
    clocks = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(Case),
        subject_id=OuterRef("pk"),
        rule=rule,
        status__in=ACTIVE,
    )
    return Subquery(clocks.order_by("-occurrence", "-opened_at", "-pk").values("due_at")[:1])


def _queue(cases: QuerySet[Case], due) -> tuple[list[Case], int]:
    rows = with_steps(cases).select_related("student", "manager", "campus").annotate(due=due)
    rows = rows.order_by(F("due").asc(nulls_last=True), "raised_at", "pk")
    return list(rows[: home.QUEUE_LIMIT]), cases.count()


def _director_cases(user) -> QuerySet[Case]:
    cases = cases_for(user).filter(campus_id=user.campus_id)
    return cases.filter(DIRECTOR_RESCUE | DIRECTOR_ANALYSIS | DIRECTOR_EXECUTION)


def _president_cases(user) -> QuerySet[Case]:
    return cases_for(user).filter(PRESIDENT_INSTRUCTION)


def _head_teacher_cases(user) -> QuerySet[Case]:
    return cases_for(user).filter(HEAD_TEACHER_RESCUE, campus_id=user.campus_id)


def director_items(user, now) -> tuple[list[home.Item], int]:
    cases = _director_cases(user)
    due = models.Case(
        models.When(stage=S.REPORT, then=_clock("E3")),
        models.When(~Q(instruction=""), then=_clock("E4")),
        default=None,
    )
    rows, total = _queue(cases, due)
    return [_director_item(case) for case in rows], total


def _director_item(case: Case) -> home.Item:
    step = next_step(case)  # the second rescue, the analysis or carrying out the instruction
    return home.Item(
        label=str(step.label),
        about=f"{case.student.full_name} · {case.manager.display_name}",
        url=f"{case.get_absolute_url()}#act-{step.action}",
        due_at=case.due,
        note=step.rule,
    )


def president_items(user, now) -> tuple[list[home.Item], int]:
    cases = _president_cases(user)
    rows = cases.select_related("student", "campus").order_by("outcome_at", "pk")
    items = [
        home.Item(
            label=str(next_step(case).label),
            about=f"{case.student.full_name} · {case.campus.name}",
            url=f"{case.get_absolute_url()}#act-instruction",
            note=_("lost %(when)s") % {"when": timezone.localtime(case.outcome_at).strftime("%Y-%m-%d")}
            if case.outcome_at
            else "",
        )
        for case in rows[: home.QUEUE_LIMIT]
    ]
    return items, cases.count()


def head_teacher_items(user, now) -> tuple[list[home.Item], int]:
    cases = _head_teacher_cases(user)
    rows, total = _queue(cases, _clock("E2"))
    items = [
        home.Item(
            label=str(next_step(case).label),
            about=f"{case.student.full_name} · {case.manager.display_name}",
            url=f"{case.get_absolute_url()}#act-rescue",
            due_at=case.due,
            note=case.get_kind_display(),
        )
        for case in rows
    ]
    return items, total


QUEUES = (
    home.Queue(
        "retention_director",
        25,
        frozenset({Role.DIRECTOR}),
        gettext_lazy("Cases waiting for you"),
        director_items,
        count=lambda user, now: _director_cases(user),
    ),
    home.Queue(
        "retention_president",
        25,
        frozenset({Role.PRESIDENT}),
        gettext_lazy("Memos waiting for your instruction"),
        president_items,
        count=lambda user, now: _president_cases(user),
    ),
    home.Queue(
        "retention_head_teacher",
        25,
        frozenset({Role.HEAD_TEACHER}),
        gettext_lazy("Rescues you lead"),
        head_teacher_items,
        count=lambda user, now: _head_teacher_cases(user),
        empty=gettext_lazy("No rescue waits for you."),
    ),
)
