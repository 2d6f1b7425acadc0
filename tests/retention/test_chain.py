"""The retention chain on the Chinese calendar: a warning sign (E1, L8), the rescue (E2), the report
(E3) and the responsibility analysis (E4), each move once."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from deadlines.models import Deadline, Status
from retention import services
from retention.models import Case
from students.models import Student
from timeline.models import Event

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def student(company, time_machine):
    time_machine.move_to(at(2026, 12, 3, 10, 0), tick=False)  # a Thursday
    return Student.objects.create(
        full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1, status="active"
    )


def open_case(student, actor, **values):
    return services.case_open(student=student, actor=actor, description="家长说孩子不想来了", **values)


def clock(rule, case):
    return Deadline.objects.get(rule=rule, subject_id=case.pk, student=case.student)


def test_a_warning_sign_is_the_manager_s_for_3_days_and_stabilising_closes_it(company, student):
    case, created = open_case(student, company.teacher_a)
    again, created_again = open_case(student, company.consultant_a)
    assert created and not created_again and again == case  # one open case per student
    assert case.source == Case.Source.TEACHER
    e1 = clock("E1", case)
    assert (e1.owner, e1.due_at) == (company.manager_a1, at(2026, 12, 6, 18, 0))
    with pytest.raises(PermissionDenied):
        services.warning_stabilise(
            case=case, actor=company.manager_a2, parent_talk="x", reasons=["rel_feedback"]
        )
    with pytest.raises(ValidationError) as error:
        services.warning_stabilise(case=case, actor=company.manager_a1, parent_talk="谈过了", reasons=[])
    assert "reasons" in error.value.message_dict
    services.warning_stabilise(
        case=case, actor=company.manager_a1, parent_talk="家长同意再观察两周", reasons=["rel_feedback"]
    )
    case.refresh_from_db()
    assert (case.stage, case.outcome) == (Case.Stage.CLOSED, Case.Outcome.STABILISED)
    assert clock("E1", case).status == Status.MET
    with pytest.raises(ValidationError):
        services.warning_stabilise(case=case, actor=company.manager_a1, parent_talk="再次", reasons=["other"])


def test_an_unstable_situation_must_reach_the_team_within_a_working_day(company, student):
    case, _ = open_case(student, company.manager_a1, source=Case.Source.UNSTABLE)
    assert clock("L8", case).due_at == at(2026, 12, 4, 18, 0)
    services.warning_escalate(
        case=case,
        actor=company.manager_a1,
        parent_talk="",
        conflict_points="对老师不满意",
        kind="instability",
    )
    assert clock("L8", case).status == Status.MET
    e2 = clock("E2", case)
    # 2 working days; an unstable situation's rescue is led by the campus's head teacher.
    assert (e2.owner, e2.due_at) == (company.head_teacher_a, at(2026, 12, 7, 18, 0))


def test_the_whole_chain_to_a_loss_and_the_president_s_instruction(company, student, time_machine):
    case, _ = open_case(student, company.manager_a1)
    services.warning_prepare(
        case=case, actor=company.manager_a1, facts="老师说上课走神", talking_points="先肯定进步"
    )
    services.warning_comment(case=case, actor=company.supervisor_a, comment="先听家长说完")
    services.warning_escalate(
        case=case,
        actor=company.manager_a1,
        parent_talk="家长坚持退费",
        conflict_points="认为没有进步",
        kind="refund_intent",
    )
    with pytest.raises(PermissionDenied):  # a refund intent is the supervisor's to lead
        services.rescue_record(case=case, actor=company.head_teacher_a, rescue_actions="约谈")
    services.rescue_record(
        case=case, actor=company.supervisor_a, rescue_actions="主管与家长面谈，老师提供学习报告"
    )
    with pytest.raises(ValidationError):
        services.rescue_failed(
            case=case,
            actor=company.supervisor_a,
            lost_order_report="",
            rescue_report="x",
            reasons=["rel_feedback"],
        )
    time_machine.move_to(at(2026, 12, 4, 16, 0), tick=False)  # Friday
    services.rescue_failed(
        case=case,
        actor=company.supervisor_a,
        lost_order_report="反馈不及时，家长失去信任",
        rescue_report="两次面谈未能挽回",
        reasons=["rel_feedback", "work_callbacks"],
    )
    assert clock("E3", case).due_at == at(2026, 12, 7, 18, 0)  # the next working day: Monday
    with pytest.raises(ValidationError):
        services.director_decide(case=case, actor=company.director_a, director_rescue="再谈", retained=False)
    services.report_submit(
        case=case, actor=company.supervisor_a, department_feedback="已反馈学管部和咨询部", memo="书面纪要"
    )
    with pytest.raises(PermissionDenied):
        services.director_decide(case=case, actor=company.director_b, director_rescue="x", retained=False)
    services.director_decide(
        case=case, actor=company.director_a, director_rescue="校长亲自沟通，家长仍要退费", retained=False
    )
    case.refresh_from_db()
    assert (case.stage, case.outcome) == (Case.Stage.RESPONSIBILITY, Case.Outcome.LOST)
    with pytest.raises(ValidationError):
        services.instruction_give(case=case, actor=company.president, instruction="整改")
    services.responsibility_record(
        case=case,
        actor=company.director_a,
        lessons="回访太少",
        accountable="王芳",
        coaching="主管辅导",
        superiors_memo="呈总裁",
    )
    with pytest.raises(PermissionDenied):
        services.instruction_give(case=case, actor=company.director_a, instruction="整改")
    time_machine.move_to(at(2026, 12, 4, 20, 0), tick=False)
    services.instruction_give(case=case, actor=company.president, instruction="全校区学管师学习此案例")
    assert clock("E4", case).due_at == at(2026, 12, 7, 18, 0)
    services.instruction_carried_out(case=case, actor=company.director_a, execution="已组织学习")
    case.refresh_from_db()
    assert case.stage == Case.Stage.CLOSED and clock("E4", case).status == Status.MET
    kinds = list(
        Event.objects.filter(subject_id=case.pk, kind__startswith="case.").values_list("kind", flat=True)
    )
    assert len(kinds) == 11 and kinds.count("case.lost") == 1


def test_the_head_teacher_leads_a_complaint_and_the_student_is_retained(company, student):
    case, _ = open_case(student, company.manager_a1)
    services.warning_escalate(
        case=case, actor=company.manager_a1, parent_talk="", conflict_points="投诉老师", kind="complaint"
    )
    services.rescue_record(case=case, actor=company.head_teacher_a, rescue_actions="教学主任换老师并致歉")
    with pytest.raises(PermissionDenied):
        services.rescue_retained(case=case, actor=company.manager_a1, reasons=["dept_teaching"])
    services.rescue_retained(case=case, actor=company.head_teacher_a, reasons=["dept_teaching"])
    case.refresh_from_db()
    assert (case.stage, case.outcome) == (Case.Stage.CLOSED, Case.Outcome.RETAINED)
    assert clock("E2", case).status == Status.MET


@pytest.mark.django_db(transaction=True)
def test_twenty_people_escalating_at_once_move_the_case_once(company, time_machine):
    time_machine.move_to(at(2026, 12, 3, 10, 0), tick=False)
    student = Student.objects.create(
        full_name="钱多多", campus=company.campus_a, manager=company.manager_a1, status="active"
    )
    case, _ = open_case(student, company.manager_a1)
    outcomes, barrier = [], threading.Barrier(20)

    def escalate():
        mine = Case.objects.select_related("student", "manager__team").get(pk=case.pk)
        barrier.wait()
        try:
            services.warning_escalate(
                case=mine, actor=company.manager_a1, parent_talk="", conflict_points="冲突", kind="complaint"
            )
            outcomes.append("moved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=escalate) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("moved") == 1 and outcomes.count("refused") == 19
    assert Event.objects.filter(kind="case.escalated").count() == 1
    assert Deadline.objects.filter(rule="E2").count() == 1


def test_a_case_moves_with_its_student_to_another_team(company, student):
    from accounts.models import Role
    from students.services import student_assign
    from tests.factories import TeamFactory, UserFactory

    case, _ = open_case(student, company.manager_a1)
    services.warning_escalate(
        case=case, actor=company.manager_a1, parent_talk="", conflict_points="x", kind="refund_intent"
    )
    team = TeamFactory(campus=company.campus_a, name="学管二组")
    newcomer = UserFactory(role=Role.LEARNING_MANAGER, campus=company.campus_a, team=team)
    student_assign(student=student, manager=newcomer, actor=company.director_a, reason="调整团队")
    case.refresh_from_db()
    assert case.manager == newcomer
    assert clock("E2", case).owner == team.supervisor
