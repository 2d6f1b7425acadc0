"""The retention chain (L8, E1–E4): every move is a compare-and-set on the case's stage, leaves a
timeline event and closes or opens the stage's clock, so a double click or two people acting at
once move a case once."""

import uuid

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from deadlines.models import ACTIVE, Deadline
from deadlines.services import deadline_meet, deadline_open
from students.models import Student
from timeline.models import Event
from timeline.services import timeline_add

from .models import Case
from .reasons import ITEMS
from .steps import E3_DIRECTOR, E3_MEMO, head_teachers, rescue_leader

S = Case.Stage
# Who may raise a warning sign: everyone who works with the student.
RAISERS = (
    Role.LEARNING_MANAGER,
    Role.SUPERVISOR,
    Role.DIRECTOR,
    Role.TEACHER,
    Role.HEAD_TEACHER,
    Role.CONSULTANT,
)
SOURCE_OF_ROLE = {Role.TEACHER: Case.Source.TEACHER, Role.CONSULTANT: Case.Source.CONSULTANT}


class StageMoved(ValidationError):
    """The case is no longer at the stage the action was for: someone else acted first."""

    def __init__(self):
        super().__init__(_("This case has already moved on; the page shows where it is now."))


def is_manager(user, case: Case) -> bool:
    return user.role == Role.LEARNING_MANAGER and case.student.manager_id == user.pk


def is_director(user, case: Case) -> bool:
    return user.role == Role.DIRECTOR and user.campus_id == case.campus_id


def is_supervisor(user, case: Case) -> bool:
    """The manager's own supervisor, or the campus director above them."""
    if is_director(user, case):
        return True
    team = case.manager.team
    return user.role == Role.SUPERVISOR and team is not None and team.supervisor_id == user.pk


def may_lead_rescue(user, case: Case) -> bool:
    """A complaint or an unstable situation is led by the head teacher; a refund intent by the
    supervisor; the director may join any."""
    head_teacher = user.role == Role.HEAD_TEACHER and user.campus_id == case.campus_id
    return is_supervisor(user, case) or (head_teacher and case.kind != Case.Kind.REFUND_INTENT)


def supervisor_of(case: Case) -> User:
    """Who owns the team's clocks: the manager's supervisor, else the campus director."""
    team = case.manager.team
    if team is not None and team.supervisor_id and team.supervisor.is_active:
        return team.supervisor
    return director_of(case)


def rescue_owner(case: Case) -> User:
    """Who owns the rescue's clock (E2): the campus's head teacher for a complaint or an unstable
    situation where there is one, else the supervisor (steps.rescue_leader decides)."""
    if rescue_leader(case) == Role.HEAD_TEACHER:
        head_teacher = head_teachers(case.campus_id).first()
        if head_teacher is not None:
            return head_teacher
    return supervisor_of(case)


def director_of(case: Case) -> User:
    director = User.objects.filter(role=Role.DIRECTOR, campus_id=case.campus_id, is_active=True).first()
    if director is None:
        raise ValidationError(_("This campus has no campus director to take the case."))
    return director


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _reasons(reasons: list[str]) -> list[str]:
    unknown = [code for code in reasons if code not in ITEMS]
    if unknown or not reasons:
        raise ValidationError({"reasons": _("Choose at least one reason from the list.")})
    return list(dict.fromkeys(reasons))


def _move(case: Case, actor, stage: str, event: str, *, reason: str = "", **changes) -> None:
    """Moves the case from the stage it was read at to `stage` (with `changes`), or refuses."""
    if not Case.objects.filter(pk=case.pk, stage=case.stage).update(stage=stage, **changes):
        raise StageMoved
    old = case.stage
    for name, value in {"stage": stage, **changes}.items():
        setattr(case, name, value)
    _record(case, actor, event, from_state=old, to_state=stage, reason=reason)


def _save(case: Case, actor, event: str, *, reason: str = "", once: str = "", **changes) -> None:
    """Writes `changes` while the case is still at its stage (and, with `once`, while that field is
    still empty), or refuses. The same values sent again (a double click) write nothing."""
    if all(getattr(case, name) == value for name, value in changes.items()):
        return
    when = {once: ""} if once else {}
    if not Case.objects.filter(pk=case.pk, stage=case.stage, **when).update(**changes):
        raise StageMoved
    for name, value in changes.items():
        setattr(case, name, value)
    _record(case, actor, event, reason=reason)


def _record(case: Case, actor, event: str, **values) -> None:
    timeline_add(subject=case, kind=event, campus_id=case.campus_id, actor=actor, **values)


@transaction.atomic
def case_open(
    *, student: Student, actor, description: str, source: str = "", request_key: uuid.UUID | None = None
) -> tuple[Case, bool]:
    """A warning sign (E1, 3 days for the manager to stabilise the parent); an unstable situation
    must also reach the team within a working day (L8). A student has one open case: a further
    sign joins it. Returns (case, created: whether the sign opened the case). The same form sent
    twice (the same `request_key`) records one sign and answers as the first time."""
    _require(actor.role in RAISERS, _("Your role may not raise a warning sign."))
    if student.manager_id is None:
        raise ValidationError(_("Assign a learning manager before raising a warning sign."))
    if student.status == Student.Status.REFUNDED:
        raise ValidationError(_("This student has been refunded."))
    if student.status == Student.Status.ENDED:
        raise ValidationError(
            _("This student's contract has ended: a warning sign is raised only during a contract.")
        )
    description = _text(description, "description", _("Say what was noticed."))
    Student.objects.select_for_update().get(pk=student.pk)  # one open case, however many clicks
    open_case = student.cases.exclude(stage=S.CLOSED).first()
    keyed = {"request_key": str(request_key)} if request_key else {}
    if open_case is not None and keyed:
        sent = (
            Event.objects.filter(
                subject_type=ContentType.objects.get_for_model(Case),
                subject_id=open_case.pk,
                kind__in=("case.opened", "case.sign"),
                actor=actor,
                data__request_key=keyed["request_key"],
            )
            .values_list("kind", flat=True)
            .first()
        )
        if sent:
            return open_case, sent == "case.opened"
    if open_case is not None:
        _record(open_case, actor, "case.sign", reason=description, data=keyed)
        if source == Case.Source.UNSTABLE and open_case.stage == S.WARNING:
            deadline_open(rule="L8", subject=open_case, owner=student.manager, actor=actor)
        return open_case, False
    source = source or SOURCE_OF_ROLE.get(actor.role, Case.Source.MANAGER)
    case = Case.objects.create(
        student=student,
        campus_id=student.campus_id,
        manager_id=student.manager_id,
        source=source,
        description=description,
        raised_by=actor,
    )
    _record(
        case, actor, "case.opened", to_state=S.WARNING, reason=description, data={"source": source, **keyed}
    )
    deadline_open(rule="E1", subject=case, owner=student.manager, actor=actor)
    if source == Case.Source.UNSTABLE:
        deadline_open(rule="L8", subject=case, owner=student.manager, actor=actor)
    return case, True


@transaction.atomic
def warning_prepare(*, case: Case, actor, facts: str, talking_points: str) -> None:
    """The facts gathered from teacher and consultant, and the points prepared for the parent."""
    _require(
        is_manager(actor, case) or is_supervisor(actor, case), _("Only the student's manager prepares this.")
    )
    _require_stage(case, S.WARNING)
    _save(
        case,
        actor,
        "case.prepared",
        facts=(facts or "").strip(),
        talking_points=(talking_points or "").strip(),
    )


@transaction.atomic
def warning_comment(*, case: Case, actor, comment: str) -> None:
    """The supervisor's advice on the prepared talk."""
    _require(is_supervisor(actor, case), _("Only the manager's supervisor comments here."))
    _require_stage(case, S.WARNING)
    comment = _text(comment, "comment", _("Write your comment."))
    _save(case, actor, "case.commented", reason=comment, supervisor_comment=comment)


@transaction.atomic
def warning_stabilise(
    *, case: Case, actor, parent_talk: str, reasons: list[str], reason_note: str = ""
) -> None:
    """The talk with the parent settled it: the case closes as stabilised (E1, L8 met)."""
    _require(
        is_manager(actor, case) or is_supervisor(actor, case), _("Only the student's manager records this.")
    )
    _require_stage(case, S.WARNING)
    parent_talk = _text(parent_talk, "parent_talk", _("Write how the talk with the parent went."))
    _move(
        case,
        actor,
        S.CLOSED,
        "case.stabilised",
        reason=parent_talk,
        outcome=Case.Outcome.STABILISED,
        outcome_at=timezone.now(),
        parent_talk=parent_talk,
        reasons=_reasons(reasons),
        reason_note=(reason_note or "").strip(),
        closed_at=timezone.now(),
    )
    for rule in ("E1", "L8"):
        deadline_meet(rule=rule, subject=case, actor=actor)


@transaction.atomic
def warning_escalate(*, case: Case, actor, parent_talk: str, conflict_points: str, kind: str) -> None:
    """Not settled: the conflict points go to the team's rescue (E2, 2 working days, the head
    teacher's for a complaint or an unstable situation where the campus has one, else the
    supervisor's)."""
    _require(
        is_manager(actor, case) or is_supervisor(actor, case), _("Only the student's manager escalates this.")
    )
    _require_stage(case, S.WARNING)
    conflict_points = _text(conflict_points, "conflict_points", _("Write down the points of conflict."))
    if kind not in Case.Kind.values:
        raise ValidationError({"kind": _("Choose what kind of case this is.")})
    _move(
        case,
        actor,
        S.RESCUE,
        "case.escalated",
        reason=conflict_points,
        parent_talk=(parent_talk or "").strip(),
        conflict_points=conflict_points,
        kind=kind,
    )
    for rule in ("E1", "L8"):
        deadline_meet(rule=rule, subject=case, actor=actor)
    deadline_open(rule="E2", subject=case, owner=rescue_owner(case), actor=actor)


@transaction.atomic
def rescue_record(*, case: Case, actor, rescue_actions: str, director_invited: bool = False) -> None:
    """Who took part in the rescue and what each did."""
    _require(may_lead_rescue(actor, case), _("Only the one leading the rescue records it."))
    _require_stage(case, S.RESCUE)
    actions = _text(rescue_actions, "rescue_actions", _("Write who did what."))
    _save(
        case, actor, "case.rescue", reason=actions, rescue_actions=actions, director_invited=director_invited
    )


@transaction.atomic
def rescue_retained(*, case: Case, actor, reasons: list[str], reason_note: str = "") -> None:
    """The rescue kept the student: the case closes as retained, with why they nearly left (E2 met)."""
    _require(may_lead_rescue(actor, case), _("Only the one leading the rescue records its result."))
    _require_stage(case, S.RESCUE)
    _move(
        case,
        actor,
        S.CLOSED,
        "case.retained",
        outcome=Case.Outcome.RETAINED,
        outcome_at=timezone.now(),
        reasons=_reasons(reasons),
        reason_note=(reason_note or "").strip(),
        closed_at=timezone.now(),
    )
    deadline_meet(rule="E2", subject=case, actor=actor)


@transaction.atomic
def rescue_failed(
    *,
    case: Case,
    actor,
    lost_order_report: str,
    rescue_report: str,
    reasons: list[str],
    reason_note: str = "",
) -> None:
    """The rescue failed: the lost-order and rescue reports go to the supervisor, who reports to the
    campus director within a working day (E3)."""
    _require(may_lead_rescue(actor, case), _("Only the one leading the rescue records its result."))
    _require_stage(case, S.RESCUE)
    lost = _text(lost_order_report, "lost_order_report", _("Write the lost-order report."))
    rescue = _text(rescue_report, "rescue_report", _("Write the rescue report."))
    _move(
        case,
        actor,
        S.REPORT,
        "case.rescue_failed",
        reason=lost,
        lost_order_report=lost,
        rescue_report=rescue,
        reasons=_reasons(reasons),
        reason_note=(reason_note or "").strip(),
    )
    deadline_meet(rule="E2", subject=case, actor=actor)
    deadline_open(rule="E3", subject=case, owner=supervisor_of(case), actor=actor, occurrence=E3_MEMO)


@transaction.atomic
def report_submit(*, case: Case, actor, department_feedback: str, memo: str) -> None:
    """The supervisor's feedback to the departments and written memo to the campus director (E3's
    first round met); the director's second rescue is due within a working day (E3's second round,
    the director's)."""
    _require(is_supervisor(actor, case), _("Only the manager's supervisor writes the memo."))
    _require_stage(case, S.REPORT)
    feedback = _text(department_feedback, "department_feedback", _("Write the feedback to the departments."))
    memo = _text(memo, "memo", _("Write the memo to the campus director."))
    _save(case, actor, "case.reported", reason=memo, once="memo", department_feedback=feedback, memo=memo)
    deadline_meet(rule="E3", subject=case, actor=actor, occurrence=E3_MEMO)
    deadline_open(rule="E3", subject=case, owner=director_of(case), actor=actor, occurrence=E3_DIRECTOR)


@transaction.atomic
def director_decide(*, case: Case, actor, director_rescue: str, retained: bool) -> None:
    """The director's own rescue: the student stays (closed, retained) or the case moves on to the
    responsibility analysis (lost); E3's second round is met either way."""
    _require(is_director(actor, case), _("Only the campus director records the director's rescue."))
    _require_stage(case, S.REPORT)
    if not case.memo:
        raise ValidationError(_("The supervisor's memo comes first."))
    rescue = _text(director_rescue, "director_rescue", _("Write what you did and what came of it."))
    if retained:
        _move(
            case,
            actor,
            S.CLOSED,
            "case.retained",
            reason=rescue,
            director_rescue=rescue,
            outcome=Case.Outcome.RETAINED,
            outcome_at=timezone.now(),
            closed_at=timezone.now(),
        )
    else:
        _move(
            case,
            actor,
            S.RESPONSIBILITY,
            "case.lost",
            reason=rescue,
            director_rescue=rescue,
            outcome=Case.Outcome.LOST,
            outcome_at=timezone.now(),
        )
    deadline_meet(rule="E3", subject=case, actor=actor, occurrence=E3_DIRECTOR)


@transaction.atomic
def responsibility_record(
    *, case: Case, actor, lessons: str, accountable: str, coaching: str, superiors_memo: str
) -> None:
    """The director's analysis with the department heads, and the memo to the superiors."""
    _require(is_director(actor, case), _("Only the campus director records the analysis."))
    _require_stage(case, S.RESPONSIBILITY)
    values = {
        "lessons": _text(lessons, "lessons", _("Write the lessons learned.")),
        "accountable": _text(accountable, "accountable", _("Name who is accountable.")),
        "coaching": _text(coaching, "coaching", _("Write the coaching and assessment.")),
        "superiors_memo": _text(superiors_memo, "superiors_memo", _("Write the memo to the superiors.")),
    }
    _save(case, actor, "case.analysed", reason=values["lessons"], once="superiors_memo", **values)


@transaction.atomic
def instruction_give(*, case: Case, actor, instruction: str) -> None:
    """The president's instruction on the director's memo: carried out within a working day (E4)."""
    _require(actor.role == Role.PRESIDENT, _("Only the president gives the instruction."))
    _require_stage(case, S.RESPONSIBILITY)
    if not case.superiors_memo:
        raise ValidationError(_("The director's memo comes first."))
    instruction = _text(instruction, "instruction", _("Write your instruction."))
    now = timezone.now()
    _save(
        case,
        actor,
        "case.instruction",
        reason=instruction,
        once="instruction",
        instruction=instruction,
        instruction_at=now,
    )
    deadline_open(rule="E4", subject=case, owner=director_of(case), start=now, actor=actor)


@transaction.atomic
def instruction_carried_out(*, case: Case, actor, execution: str) -> None:
    """The director reports the instruction carried out: the case closes (E4 met)."""
    _require(is_director(actor, case), _("Only the campus director reports this."))
    _require_stage(case, S.RESPONSIBILITY)
    if not case.instruction:
        raise ValidationError(_("Wait for the president's instruction."))
    execution = _text(execution, "execution", _("Write how the instruction was carried out."))
    _move(
        case, actor, S.CLOSED, "case.closed", reason=execution, execution=execution, closed_at=timezone.now()
    )
    deadline_meet(rule="E4", subject=case, actor=actor)


def _require_stage(case: Case, stage: str) -> None:
    if case.stage != stage:
        raise StageMoved


def cases_follow_manager(*, student: Student) -> None:
    """The student moved to another manager: their open case moves along; the rescue's clock (E2)
    goes to whoever now owns it (the head teacher's stays theirs) and the memo's (E3's first round) to
    the new manager's supervisor. The director's second rescue stays the director's."""
    for case in student.cases.exclude(stage=S.CLOSED).select_related("manager__team"):
        Case.objects.filter(pk=case.pk).update(manager_id=student.manager_id)
        case.manager = student.manager
        clocks = Deadline.objects.filter(
            subject_type=ContentType.objects.get_for_model(Case), subject_id=case.pk, status__in=ACTIVE
        )
        if case.stage == S.RESCUE:
            clocks.filter(rule="E2").update(owner=rescue_owner(case))
        if case.stage == S.REPORT:
            clocks.filter(rule="E3", occurrence=E3_MEMO).update(owner=supervisor_of(case))
