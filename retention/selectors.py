from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import Role
from deadlines.models import ACTIVE, Deadline
from students.selectors import students_for
from timeline.models import Event

from .models import Case


def cases_for(user) -> QuerySet[Case]:
    """The cases of the students the user may see (students.selectors.students_for); teachers raise
    warning signs but do not follow the cases."""
    if user.role == Role.TEACHER:
        return Case.objects.none()
    return Case.objects.filter(student__in=students_for(user))


def board(user, *, closed: bool = False) -> QuerySet[Case]:
    """Open cases (or closed ones) with the clock of their stage, late ones first. One query."""
    clock = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(Case),
        subject_id=OuterRef("pk"),
        status__in=ACTIVE,
        rule__in=CASE_RULES,
    ).order_by("due_at")
    cases = cases_for(user).select_related("student", "manager")
    cases = cases.filter(stage=Case.Stage.CLOSED) if closed else cases.exclude(stage=Case.Stage.CLOSED)
    return cases.annotate(
        clock_rule=Subquery(clock.values("rule")[:1]),
        clock_due_at=Subquery(clock.values("due_at")[:1]),
        clock_status=Subquery(clock.values("status")[:1]),
    ).order_by("clock_due_at", "-raised_at", "pk")


CASE_RULES = ("E1", "L8", "E2", "E3", "E4")


def case_story(case: Case) -> QuerySet[Event]:
    """Everything that happened to the case, in order: its moves and its clocks."""
    subject_type = ContentType.objects.get_for_model(Case)
    return (
        Event.objects.filter(subject_type=subject_type, subject_id=case.pk)
        .select_related("actor")
        .order_by("at", "pk")
    )


def case_clocks(case: Case) -> QuerySet[Deadline]:
    subject_type = ContentType.objects.get_for_model(Case)
    return (
        Deadline.objects.filter(subject_type=subject_type, subject_id=case.pk)
        .select_related("owner")
        .order_by("opened_at", "pk")
    )
