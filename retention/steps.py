"""Whose move it is: the next step of an open case and who takes it, decided in one place from the
case's stage and what it already holds, for the case page, the board and the homes' queues.

A complaint or an unstable situation is rescued under the head teacher where the campus has an
active one (PROCESS.md E2); a refund intent, or a campus without a head teacher, under the manager's
supervisor, else the campus director (services.supervisor_of). Lists annotate the head teacher's
presence with `with_steps`, so a page of cases asks nothing more per case.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User

from .models import Case

S = Case.Stage
# The kinds of case the head teacher leads (services.may_lead_rescue).
HEAD_TEACHER_KINDS = (Case.Kind.COMPLAINT, Case.Kind.INSTABILITY)
# E3 counts twice: the supervisor's memo (occurrence 1), then the director's second rescue (2).
E3_MEMO, E3_DIRECTOR = 1, 2


@dataclass(frozen=True)
class Step:
    label: Promise  # "Waiting for …": the move and who makes it
    role: str  # the role that makes it
    action: str  # the case page's form for it (retention.views.ACTIONS; its anchor is act-<action>)
    rule: str = ""  # the clock of the step, if it has one


STABILISE = Step(
    _("Waiting for the learning manager to stabilise the parent"), Role.LEARNING_MANAGER, "stabilise", "E1"
)
RESCUE = {
    Role.HEAD_TEACHER: Step(
        _("Waiting for the head teacher to organise the rescue"), Role.HEAD_TEACHER, "rescue", "E2"
    ),
    Role.SUPERVISOR: Step(
        _("Waiting for the supervisor to organise the rescue"), Role.SUPERVISOR, "rescue", "E2"
    ),
    Role.DIRECTOR: Step(_("Waiting for the director to organise the rescue"), Role.DIRECTOR, "rescue", "E2"),
}
MEMO = {
    Role.SUPERVISOR: Step(_("Waiting for the supervisor's memo"), Role.SUPERVISOR, "report", "E3"),
    # A team without a supervisor: the director, who owns the memo's clock, writes it (supervisor_of).
    Role.DIRECTOR: Step(_("Waiting for the director's memo"), Role.DIRECTOR, "report", "E3"),
}
DIRECTOR_RESCUE = Step(_("Waiting for the director's second rescue"), Role.DIRECTOR, "director", "E3")
ANALYSIS = Step(_("Waiting for the director's responsibility analysis"), Role.DIRECTOR, "analysis")
INSTRUCTION = Step(_("Waiting for the president's instruction"), Role.PRESIDENT, "instruction")
EXECUTION = Step(_("Waiting for the director to carry out the instruction"), Role.DIRECTOR, "execution", "E4")


def head_teachers(campus_id) -> QuerySet[User]:
    """The campus's active head teachers (the first one owns the rescue clock)."""
    return User.objects.filter(role=Role.HEAD_TEACHER, campus_id=campus_id, is_active=True).order_by("pk")


def with_steps(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What next_step reads, in the list's own query: the campus's head teacher and the team's
    supervisor."""
    return cases.select_related("manager__team__supervisor").annotate(
        campus_has_head_teacher=Exists(head_teachers(OuterRef("campus_id")))
    )


def _has_head_teacher(case: Case) -> bool:
    known = getattr(case, "campus_has_head_teacher", None)
    if known is None:  # a single case not read through with_steps
        return head_teachers(case.campus_id).exists()
    return known


def _has_supervisor(case: Case) -> bool:
    team = case.manager.team
    return team is not None and team.supervisor_id is not None and team.supervisor.is_active


def rescue_leader(case: Case) -> str:
    """Whose rescue it is (E2): the head teacher's for a complaint or an unstable situation where the
    campus has one, else the supervisor's, else (a team without one) the campus director's."""
    if case.kind in HEAD_TEACHER_KINDS and _has_head_teacher(case):
        return Role.HEAD_TEACHER
    return Role.SUPERVISOR if _has_supervisor(case) else Role.DIRECTOR


def next_step(case: Case) -> Step | None:
    """The next move of the case and who makes it; None once it is closed."""
    if case.stage == S.WARNING:
        return STABILISE
    if case.stage == S.RESCUE:
        return RESCUE[rescue_leader(case)]
    if case.stage == S.REPORT:
        if case.memo:
            return DIRECTOR_RESCUE
        return MEMO[Role.SUPERVISOR if _has_supervisor(case) else Role.DIRECTOR]
    if case.stage == S.RESPONSIBILITY:
        if not case.superiors_memo:
            return ANALYSIS
        return EXECUTION if case.instruction else INSTRUCTION
    return None
