"""The retention queues of the homes: the director's rescue, analysis and carrying out of the
president's instruction; the memos waiting for the president; the rescues a head teacher leads."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType

from accounts.models import Role
from deadlines.models import Deadline
from retention import services
from retention.models import Case
from students.models import Student
from tests.factories import UserFactory

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture(autouse=True)
def thursday(time_machine):
    time_machine.move_to(at(2026, 12, 3, 10, 0), tick=False)


def rescue(company, *, name="赵一鸣", campus="a", kind=Case.Kind.REFUND_INTENT) -> Case:
    """A case escalated to the team's rescue (E2)."""
    manager = company.manager_a1 if campus == "a" else company.manager_b
    student = Student.objects.create(full_name=name, campus=manager.campus, manager=manager, status="active")
    case, _ = services.case_open(student=student, actor=manager, description="家长说孩子不想来了")
    services.warning_escalate(case=case, actor=manager, parent_talk="", conflict_points="没进步", kind=kind)
    case.refresh_from_db()
    return case


def reported(company, **values) -> Case:
    """The rescue failed and the supervisor's memo is in: the director's rescue is next."""
    case = rescue(company, **values)
    supervisor = case.manager.team.supervisor
    services.rescue_failed(
        case=case,
        actor=supervisor,
        lost_order_report="反馈太少",
        rescue_report="两次面谈",
        reasons=["rel_feedback"],
    )
    services.report_submit(case=case, actor=supervisor, department_feedback="已反馈", memo="纪要")
    case.refresh_from_db()
    return case


def director_of(company, case):
    return company.director_a if case.campus_id == company.campus_a.pk else company.director_b


def lost(company, **values) -> Case:
    case = reported(company, **values)
    services.director_decide(
        case=case, actor=director_of(company, case), director_rescue="未能挽回", retained=False
    )
    case.refresh_from_db()
    return case


def analysed(company, **values) -> Case:
    """The director's memo to the superiors is in: the president's instruction is next."""
    case = lost(company, **values)
    services.responsibility_record(
        case=case,
        actor=director_of(company, case),
        lessons="回访太少",
        accountable="王芳",
        coaching="辅导",
        superiors_memo="呈报总裁",
    )
    case.refresh_from_db()
    return case


def queue(client, user, key):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    shown = {q.queue.key: q for q in response.context["queues"]}
    return shown.get(key), response


def urls(shown) -> list[str]:
    return [item.url.split("#")[0] for item in shown.items] if shown else []


def test_the_director_sees_the_rescue_waiting_for_them_with_its_clock_and_acting_removes_it(client, company):
    case = reported(company)
    other = reported(company, name="钱多多", campus="b")
    shown, response = queue(client, company.director_a, "retention_director")
    assert urls(shown) == [case.get_absolute_url()]
    item = shown.items[0]
    # The director's second rescue: E3's second round, the director's, a working day from the memo.
    e3 = Deadline.objects.get(
        rule="E3", subject_id=case.pk, subject_type=ContentType.objects.get_for_model(Case), occurrence=2
    )
    assert (e3.owner, e3.due_at) == (company.director_a, at(2026, 12, 4, 18, 0))
    assert item.due_at == e3.due_at and item.note == "E3"
    assert "等待校区总监二次挽单" in response.content.decode()
    assert response.context["nav_counts"]["waiting"] >= 1
    assert urls(queue(client, company.director_b, "retention_director")[0]) == [other.get_absolute_url()]
    # Not the supervisor's, whose memo it was, nor the president's.
    assert queue(client, company.supervisor_a, "retention_director")[0] is None
    assert queue(client, company.president, "retention_director")[0] is None

    client.force_login(company.director_a)
    response = client.post(
        f"{case.get_absolute_url()}director/", {"director_rescue": "亲自面谈", "retained": "yes"}
    )
    assert response.status_code == 302
    assert queue(client, company.director_a, "retention_director")[0] is None


def test_the_director_writes_the_analysis_then_carries_out_the_president_s_instruction(client, company):
    case = lost(company)
    shown, _ = queue(client, company.director_a, "retention_director")
    assert [(i.url, i.due_at) for i in shown.items] == [(f"{case.get_absolute_url()}#act-analysis", None)]
    case = analysed(company)
    Case.objects.exclude(pk=case.pk).delete()
    assert queue(client, company.director_a, "retention_director")[0] is None  # the president's move now
    services.instruction_give(case=case, actor=company.president, instruction="加强回访")
    shown, response = queue(client, company.director_a, "retention_director")
    e4 = Deadline.objects.get(rule="E4", subject_id=case.pk)
    assert [(i.url, i.due_at, i.note) for i in shown.items] == [
        (f"{case.get_absolute_url()}#act-execution", e4.due_at, "E4")
    ]
    assert "等待校区总监落实批示" in response.content.decode()
    assert queue(client, company.director_b, "retention_director")[0] is None

    client.force_login(company.director_a)
    assert client.post(f"{case.get_absolute_url()}execution/", {"execution": "已落实"}).status_code == 302
    assert queue(client, company.director_a, "retention_director")[0] is None


def test_the_president_sees_the_memos_of_every_campus_until_the_instruction(client, company):
    a, b = analysed(company), analysed(company, name="钱多多", campus="b")
    shown, response = queue(client, company.president, "retention_president")
    assert sorted(urls(shown)) == sorted([a.get_absolute_url(), b.get_absolute_url()])
    assert "等待总裁批示" in response.content.decode()
    for person in (company.director_a, company.supervisor_a, company.head_teacher_a, company.finance):
        assert queue(client, person, "retention_president")[0] is None

    client.force_login(company.president)
    assert client.post(f"{a.get_absolute_url()}instruction/", {"instruction": "加强回访"}).status_code == 302
    shown, _ = queue(client, company.president, "retention_president")
    assert urls(shown) == [b.get_absolute_url()]


def test_the_head_teacher_sees_the_complaints_and_unstable_situations_they_lead(client, company):
    complaint = rescue(company, kind=Case.Kind.COMPLAINT)
    unstable = rescue(company, name="孙小美", kind=Case.Kind.INSTABILITY)
    rescue(company, name="周一", kind=Case.Kind.REFUND_INTENT)  # the supervisor's
    elsewhere = rescue(company, name="钱多多", campus="b", kind=Case.Kind.COMPLAINT)
    head_teacher_b = UserFactory(role=Role.HEAD_TEACHER, campus=company.campus_b)
    shown, response = queue(client, company.head_teacher_a, "retention_head_teacher")
    assert sorted(urls(shown)) == sorted([complaint.get_absolute_url(), unstable.get_absolute_url()])
    e2 = Deadline.objects.get(rule="E2", subject_id=complaint.pk)
    assert all(item.due_at == e2.due_at for item in shown.items)  # opened at the same moment
    assert "等待班主任组织挽单" in response.content.decode()
    assert urls(queue(client, head_teacher_b, "retention_head_teacher")[0]) == [elsewhere.get_absolute_url()]

    client.force_login(company.head_teacher_a)
    response = client.post(f"{complaint.get_absolute_url()}retained/", {"reasons": ["rel_feedback"]})
    assert response.status_code == 302
    shown, _ = queue(client, company.head_teacher_a, "retention_head_teacher")
    assert urls(shown) == [unstable.get_absolute_url()]


def test_nothing_to_lead_says_so(client, company):
    shown, response = queue(client, company.head_teacher_a, "retention_head_teacher")
    assert shown.total == 0 and "暂无等待您主导的挽单" in response.content.decode()


def bulk_cases(company, n: int, start: int, **fields) -> None:
    students = Student.objects.bulk_create(
        Student(
            full_name=f"学生{start + i}", campus=company.campus_a, manager=company.manager_a1, status="active"
        )
        for i in range(n)
    )
    Case.objects.bulk_create(
        Case(
            student=student,
            campus=company.campus_a,
            manager=company.manager_a1,
            source=Case.Source.MANAGER,
            description="x",
            raised_by=company.manager_a1,
            **fields,
        )
        for student in students
    )


REPORTED = {"stage": Case.Stage.REPORT, "memo": "纪要", "kind": Case.Kind.REFUND_INTENT}
ANALYSED = {"stage": Case.Stage.RESPONSIBILITY, "superiors_memo": "呈报", "kind": Case.Kind.REFUND_INTENT}
INSTRUCTED = {**ANALYSED, "instruction": "落实"}
COMPLAINTS = {"stage": Case.Stage.RESCUE, "kind": Case.Kind.COMPLAINT}


@pytest.mark.parametrize(
    "person,key,fields",
    [
        ("director_a", "retention_director", REPORTED),
        ("director_a", "retention_director", INSTRUCTED),
        ("president", "retention_president", ANALYSED),
        ("head_teacher_a", "retention_head_teacher", COMPLAINTS),
    ],
)
def test_the_queue_s_queries_do_not_grow_with_the_cases(
    client, company, person, key, fields, django_assert_max_num_queries
):
    user = getattr(company, person)
    bulk_cases(company, 10, 0, **fields)
    client.force_login(user)
    with django_assert_max_num_queries(60) as few:
        shown, _ = queue(client, user, key)
    assert shown.total == 10
    bulk_cases(company, 190, 10, **fields)
    with django_assert_max_num_queries(len(few.captured_queries)):
        shown, _ = queue(client, user, key)
    assert (shown.total, len(shown.items)) == (200, 30)
