"""The retention chain's clock as PROCESS.md states it (E1–E4): whose move each stage is, the
director's second rescue with its own clock, the head teacher's rescue of a complaint, no execution
before the instruction, and no warning sign once the contract has ended."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from accounts.models import Role
from deadlines.models import Deadline, Notification, Status
from deadlines.services import sweep
from retention import services
from retention.models import Case
from retention.reasons import ITEMS
from students.models import Student
from students.services import student_assign
from tests.factories import TeamFactory, UserFactory
from timeline.models import Event

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture(autouse=True)
def thursday(time_machine):
    time_machine.move_to(at(2026, 12, 3, 10, 0), tick=False)


def student_of(manager, name="赵一鸣", status="active") -> Student:
    return Student.objects.create(full_name=name, campus=manager.campus, manager=manager, status=status)


def escalated(manager, kind, name="赵一鸣") -> Case:
    case, _ = services.case_open(student=student_of(manager, name), actor=manager, description="家长不满")
    services.warning_escalate(case=case, actor=manager, parent_talk="", conflict_points="没进步", kind=kind)
    case.refresh_from_db()
    return case


def clocks(case, rule):
    kind = ContentType.objects.get_for_model(Case)
    return Deadline.objects.filter(rule=rule, subject_type=kind, subject_id=case.pk).order_by("occurrence")


def page(client, user, case) -> str:
    client.force_login(user)
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def board_step(client, user, case) -> str:
    """The next step the board shows for the case."""
    client.force_login(user)
    shown = {c.pk: c for c in client.get("/retention/").context["cases"]}
    return str(shown[case.pk].step.label)


def home(client, user) -> str:
    client.force_login(user)
    return client.get("/").content.decode()


def test_each_stage_says_whose_move_it_is_on_the_case_page_the_board_and_the_homes(client, company):
    manager, supervisor, director = company.manager_a1, company.supervisor_a, company.director_a
    case, _ = services.case_open(student=student_of(manager), actor=manager, description="家长要退费")

    def shows(text, *homes):
        case.refresh_from_db()
        assert text in page(client, supervisor, case)
        assert board_step(client, supervisor, case) == text
        for person in homes:
            assert text in home(client, person)

    shows("等待学管师稳定家长")
    services.warning_escalate(
        case=case, actor=manager, parent_talk="", conflict_points="x", kind="refund_intent"
    )
    shows("等待主管组织挽单")
    services.rescue_failed(
        case=case, actor=supervisor, lost_order_report="x", rescue_report="y", reasons=["rel_feedback"]
    )
    shows("等待主管写呈报")
    services.report_submit(case=case, actor=supervisor, department_feedback="x", memo="纪要")
    # Not "waiting for the president": the director's second rescue is next.
    shows("等待校区总监二次挽单", director)
    assert "等待总裁批示" not in page(client, supervisor, case)
    services.director_decide(case=case, actor=director, director_rescue="未能挽回", retained=False)
    shows("等待校区总监做责任分析", director)
    services.responsibility_record(
        case=case, actor=director, lessons="a", accountable="b", coaching="c", superiors_memo="d"
    )
    shows("等待总裁批示", company.president)
    services.instruction_give(case=case, actor=company.president, instruction="整改")
    shows("等待校区总监落实批示", director)
    services.instruction_carried_out(case=case, actor=director, execution="已落实")
    assert 'id="next-step"' not in page(client, supervisor, case)


def test_a_complaint_s_rescue_is_the_head_teacher_s_where_the_campus_has_one(client, company):
    complaint = escalated(company.manager_a1, Case.Kind.COMPLAINT)
    unstable = escalated(company.manager_a2, Case.Kind.INSTABILITY, name="孙小美")
    refund = escalated(company.manager_a1, Case.Kind.REFUND_INTENT, name="周一")
    elsewhere = escalated(company.manager_b, Case.Kind.COMPLAINT, name="钱多多")  # campus B has none
    assert clocks(complaint, "E2").get().owner == company.head_teacher_a
    assert clocks(unstable, "E2").get().owner == company.head_teacher_a
    assert clocks(refund, "E2").get().owner == company.supervisor_a
    assert clocks(elsewhere, "E2").get().owner == company.supervisor_b
    assert "等待班主任组织挽单" in page(client, company.manager_a1, complaint)
    assert "等待主管组织挽单" in page(client, company.manager_a1, refund)
    assert "等待主管组织挽单" in page(client, company.manager_b, elsewhere)

    client.force_login(company.head_teacher_a)
    response = client.get("/")
    shown = {q.queue.key: q for q in response.context["queues"]}["retention_head_teacher"]
    due = {item.url.split("#")[0]: item.due_at for item in shown.items}
    assert due == {
        complaint.get_absolute_url(): clocks(complaint, "E2").get().due_at,
        unstable.get_absolute_url(): clocks(unstable, "E2").get().due_at,
    }
    assert "等待班主任组织挽单" in response.content.decode()

    # A head teacher who has left leads nothing: the supervisor owns the next one.
    company.head_teacher_a.is_active = False
    company.head_teacher_a.save()
    later = escalated(company.manager_a1, Case.Kind.COMPLAINT, name="吴宇")
    assert clocks(later, "E2").get().owner == company.supervisor_a
    assert "等待主管组织挽单" in page(client, company.manager_a1, later)


def test_a_reassigned_case_keeps_its_rescue_with_the_head_teacher_and_its_memo_with_the_new_supervisor(
    company,
):
    team = TeamFactory(campus=company.campus_a, name="学管二组")
    newcomer = UserFactory(role=Role.LEARNING_MANAGER, campus=company.campus_a, team=team)
    complaint = escalated(company.manager_a1, Case.Kind.COMPLAINT)
    student_assign(student=complaint.student, manager=newcomer, actor=company.director_a, reason="调整")
    assert clocks(complaint, "E2").get().owner == company.head_teacher_a

    reported = escalated(company.manager_a1, Case.Kind.REFUND_INTENT, name="孙小美")
    services.rescue_failed(
        case=reported, actor=company.supervisor_a, lost_order_report="x", rescue_report="y", reasons=["other"]
    )
    student_assign(student=reported.student, manager=newcomer, actor=company.director_a, reason="调整")
    assert clocks(reported, "E3").get().owner == team.supervisor
    reported.refresh_from_db()
    services.report_submit(case=reported, actor=team.supervisor, department_feedback="x", memo="y")
    other = UserFactory(role=Role.LEARNING_MANAGER, campus=company.campus_a, team=company.team_a)
    student_assign(student=reported.student, manager=other, actor=company.director_a, reason="再调整")
    memo, rescue = clocks(reported, "E3")
    assert (memo.owner, memo.status) == (team.supervisor, Status.MET)
    assert (rescue.owner, rescue.status) == (company.director_a, Status.OPEN)  # the director's stays


def test_the_director_s_second_rescue_has_its_own_clock(client, company, time_machine):
    case = escalated(company.manager_a1, Case.Kind.REFUND_INTENT)
    services.rescue_failed(
        case=case, actor=company.supervisor_a, lost_order_report="x", rescue_report="y", reasons=["other"]
    )
    time_machine.move_to(at(2026, 12, 4, 16, 0), tick=False)  # Friday: the memo
    services.report_submit(case=case, actor=company.supervisor_a, department_feedback="x", memo="纪要")
    memo, rescue = clocks(case, "E3")
    assert (memo.occurrence, memo.owner, memo.status) == (1, company.supervisor_a, Status.MET)
    # The director's, a working day after the memo: Monday evening.
    assert (rescue.occurrence, rescue.owner, rescue.status) == (2, company.director_a, Status.OPEN)
    assert rescue.due_at == at(2026, 12, 7, 18, 0)
    opened = Event.objects.get(kind="deadline.opened", data__deadline=rescue.pk)
    assert (opened.subject_id, opened.actor) == (case.pk, company.supervisor_a)

    client.force_login(company.director_a)
    response = client.get("/")
    shown = {q.queue.key: q for q in response.context["queues"]}["retention_director"]
    assert [(i.url, i.due_at, i.note) for i in shown.items] == [
        (f"{case.get_absolute_url()}#act-director", rescue.due_at, "E3")
    ]
    mine = [row.pk for bucket in response.context["my_day"] for group in bucket.groups for row in group.rows]
    assert rescue.pk in mine  # and on the director's own day

    sweep(now=at(2026, 12, 8, 10, 0))  # late, like any other clock: overdue, and the director is told
    rescue.refresh_from_db()
    assert rescue.status == Status.OVERDUE
    assert Notification.objects.filter(deadline=rescue, recipient=company.director_a, kind="overdue").exists()

    time_machine.move_to(at(2026, 12, 8, 11, 0), tick=False)
    case.refresh_from_db()
    services.director_decide(case=case, actor=company.director_a, director_rescue="面谈", retained=False)
    rescue.refresh_from_db()
    assert (rescue.status, rescue.closed_by) == (Status.MET_LATE, company.director_a)
    assert Event.objects.filter(kind="deadline.met", data__deadline=rescue.pk).count() == 1
    assert "E3" in page(client, company.director_a, case)  # the clock on the case page


def test_the_director_s_rescue_that_keeps_the_student_meets_the_clock_on_time(company):
    case = escalated(company.manager_a1, Case.Kind.REFUND_INTENT)
    services.rescue_failed(
        case=case, actor=company.supervisor_a, lost_order_report="x", rescue_report="y", reasons=["other"]
    )
    services.report_submit(case=case, actor=company.supervisor_a, department_feedback="x", memo="纪要")
    services.director_decide(case=case, actor=company.director_a, director_rescue="留下了", retained=True)
    assert [d.status for d in clocks(case, "E3")] == [Status.MET, Status.MET]


def test_no_form_is_offered_before_the_record_it_follows_and_a_crafted_post_is_answered(client, company):
    case = escalated(company.manager_a1, Case.Kind.REFUND_INTENT)
    services.rescue_failed(
        case=case, actor=company.supervisor_a, lost_order_report="x", rescue_report="y", reasons=["other"]
    )
    # Before the memo: no director's rescue.
    assert 'id="act-director"' not in page(client, company.director_a, case)
    response = client.post(
        f"{case.get_absolute_url()}director/", {"director_rescue": "我先谈了", "retained": "no"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "需要先有主管的书面纪要。" in text and "我先谈了" in text
    services.report_submit(case=case, actor=company.supervisor_a, department_feedback="x", memo="纪要")
    services.director_decide(case=case, actor=company.director_a, director_rescue="未能挽回", retained=False)
    services.responsibility_record(
        case=case, actor=company.director_a, lessons="a", accountable="b", coaching="c", superiors_memo="d"
    )
    # Before the president's instruction: no execution.
    text = page(client, company.director_a, case)
    assert 'id="act-execution"' not in text and 'id="act-analysis"' not in text
    response = client.post(f"{case.get_absolute_url()}execution/", {"execution": "已组织学习"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "请等待总裁批示。" in text and "已组织学习" in text
    case.refresh_from_db()
    assert (case.stage, case.execution) == (Case.Stage.RESPONSIBILITY, "")
    services.instruction_give(case=case, actor=company.president, instruction="整改")
    assert 'id="act-execution"' in page(client, company.director_a, case)


def test_the_president_is_not_offered_an_instruction_before_the_director_s_memo(client, company):
    case = escalated(company.manager_a1, Case.Kind.REFUND_INTENT)
    services.rescue_failed(
        case=case, actor=company.supervisor_a, lost_order_report="x", rescue_report="y", reasons=["other"]
    )
    services.report_submit(case=case, actor=company.supervisor_a, department_feedback="x", memo="纪要")
    services.director_decide(case=case, actor=company.director_a, director_rescue="未能挽回", retained=False)
    assert 'id="act-instruction"' not in page(client, company.president, case)
    response = client.post(f"{case.get_absolute_url()}instruction/", {"instruction": "先整改"})
    assert response.status_code == 200
    assert "需要先有校区总监的书面纪要。" in response.content.decode()


def test_no_warning_sign_once_the_contract_has_ended(client, company):
    ended = student_of(company.manager_a1, status=Student.Status.ENDED)
    with pytest.raises(ValidationError):
        services.case_open(student=ended, actor=company.manager_a1, description="家长想退剩下的钱")
    client.force_login(company.manager_a1)
    response = client.post(f"/retention/new/{ended.pk}/", {"description": "家长想退剩下的钱"})
    assert response.status_code == 200
    assert "该生的合同已结束：苗头只能在合同期内提出。" in response.content.decode()
    assert not Case.objects.exists()


def test_a_team_without_a_supervisor_waits_for_the_director_s_memo(client, company):
    company.team_a.supervisor = None
    company.team_a.save()
    case = escalated(company.manager_a1, Case.Kind.REFUND_INTENT)
    director = company.director_a
    services.rescue_failed(
        case=case,
        actor=director,
        lost_order_report="失单",
        rescue_report="挽单",
        reasons=[next(iter(ITEMS))],
    )
    case.refresh_from_db()
    assert clocks(case, "E3").get().owner == director
    assert "等待校区总监写呈报" in page(client, director, case)
    assert "等待主管写呈报" not in page(client, director, case)


def test_the_student_page_names_the_case_s_next_step(client, company):
    case = escalated(company.manager_a1, Case.Kind.REFUND_INTENT)
    client.force_login(company.manager_a1)
    html = client.get(case.student.get_absolute_url()).content.decode()
    assert "等待主管组织挽单" in html and case.get_absolute_url() in html
