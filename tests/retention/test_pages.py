"""The retention pages for each role that may use them and one that may not."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines.models import Deadline
from retention import services
from retention.models import Case
from students.models import Student

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def student(company, time_machine):
    time_machine.move_to(datetime(2026, 12, 3, 10, 0, tzinfo=SH), tick=False)
    return Student.objects.create(
        full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1, status="active"
    )


@pytest.fixture
def case(company, student):
    return services.case_open(student=student, actor=company.manager_a1, description="家长说孩子不想来了")[0]


def test_a_teacher_raises_a_warning_sign_from_the_student_page(client, company, student):
    from students.models import Lesson

    Lesson.objects.create(
        student=student,
        starts_at=datetime(2026, 12, 1, 9, 0, tzinfo=SH),
        ends_at=datetime(2026, 12, 1, 11, 0, tzinfo=SH),
        subject="数学",
        hours=2,
        teacher=company.teacher_a,
    )
    client.force_login(company.teacher_a)
    assert "提出苗头" in client.get(f"/students/{student.pk}/").content.decode()
    empty = client.post(f"/retention/new/{student.pk}/", {"description": " "})
    assert "这个字段是必填项。" in empty.content.decode()
    response = client.post(f"/retention/new/{student.pk}/", {"description": "上课情绪低落，说想退费"})
    assert (
        response.status_code == 302 and response.url == student.get_absolute_url()
    )  # teachers do not follow cases
    case = Case.objects.get()
    assert case.source == Case.Source.TEACHER
    assert client.get(f"/retention/{case.pk}/").status_code == 404
    client.force_login(company.finance)
    assert client.post(f"/retention/new/{student.pk}/", {"description": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("manager_a1", 200),
        ("supervisor_a", 200),
        ("director_a", 200),
        ("head_teacher_a", 200),
        ("president", 200),
        ("manager_a2", 404),
        ("director_b", 404),
        ("teacher_a", 404),
        ("finance", 404),
        ("consultant_a", 404),
        ("scheduler_a", 404),
    ],
)
def test_who_sees_a_case(client, company, case, person, status):
    client.force_login(getattr(company, person))
    assert client.get(f"/retention/{case.pk}/").status_code == status


def test_the_case_page_offers_each_person_their_moves(client, company, case):
    client.force_login(company.manager_a1)
    page = client.get(f"/retention/{case.pk}/").content.decode()
    assert "稳定：结案" in page and "上报团队保单" in page and "主管点评" not in page
    client.force_login(company.supervisor_a)
    assert "点评准备好的沟通" in client.get(f"/retention/{case.pk}/").content.decode()
    client.force_login(company.manager_a2)
    assert (
        client.post(
            f"/retention/{case.pk}/stabilise/", {"parent_talk": "x", "reasons": ["other"]}
        ).status_code
        == 404
    )
    client.force_login(company.head_teacher_a)
    assert (
        client.post(
            f"/retention/{case.pk}/stabilise/", {"parent_talk": "x", "reasons": ["other"]}
        ).status_code
        == 403
    )


def test_a_move_with_bad_input_keeps_what_was_typed_and_a_stale_move_is_refused(client, company, case):
    client.force_login(company.manager_a1)
    bad = client.post(f"/retention/{case.pk}/stabilise/", {"parent_talk": "家长同意再观察"})
    assert bad.status_code == 200 and "家长同意再观察" in bad.content.decode()
    assert "这个字段是必填项。" in bad.content.decode()
    data = {"parent_talk": "", "conflict_points": "认为没有进步", "kind": "refund_intent"}
    assert client.post(f"/retention/{case.pk}/escalate/", data).status_code == 302
    again = client.post(f"/retention/{case.pk}/escalate/", data, follow=True)  # a second tab, a double click
    assert "这个个案已经往下走了" in again.content.decode()
    case.refresh_from_db()
    assert case.stage == Case.Stage.RESCUE
    assert Deadline.objects.filter(rule="E2").count() == 1


def test_a_case_form_sent_back_names_each_field_in_error_at_its_top(client, company, case):
    """The reasons are a long checklist: their message alone, below it, is easily missed."""
    client.force_login(company.manager_a1)
    html = client.post(f"/retention/{case.pk}/stabilise/", {"parent_talk": ""}).content.decode()
    summary = html.split("data-error-summary", 1)[1].split('id="div_id_parent_talk"', 1)[0]
    links = re.findall(r'<a href="#(div_id_[a-z_]+)" class="alert-link">([^<]+)</a>', summary)
    assert [target for target, _label in links] == ["div_id_parent_talk", "div_id_reasons"]
    assert all(f'id="{target}"' in html for target, _label in links)  # each link leads to its field
    assert "请修正以下各项：" in summary


def test_the_board_runs_the_same_queries_for_10_and_1000_cases(
    client, company, student, django_assert_max_num_queries
):
    client.force_login(company.supervisor_a)
    counts = []
    for size in (10, 990):
        students = Student.objects.bulk_create(
            Student(
                full_name=f"学生{size}-{i}",
                campus=company.campus_a,
                manager=company.manager_a1,
                status="active",
            )
            for i in range(size)
        )
        Case.objects.bulk_create(
            Case(
                student=s,
                campus=company.campus_a,
                manager=company.manager_a1,
                source="manager",
                description="想退费",
                raised_by=company.manager_a1,
            )
            for s in students
        )
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(10):
            page = client.get("/retention/")
        assert page.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert len(page.context["cases"]) == 20  # the board shows each stage's 20 most urgent


def test_the_board_puts_late_cases_first(client, company, student, case, time_machine):
    other = Student.objects.create(
        full_name="钱多多", campus=company.campus_a, manager=company.manager_a1, status="active"
    )
    time_machine.move_to(datetime(2026, 12, 4, 10, 0, tzinfo=SH), tick=False)
    services.case_open(student=other, actor=company.manager_a1, description="家长抱怨")
    time_machine.move_to(datetime(2026, 12, 7, 10, 0, tzinfo=SH), tick=False)
    client.force_login(company.manager_a1)
    page = client.get("/retention/")
    assert [c.student.full_name for c in page.context["cases"]] == ["赵一鸣", "钱多多"]
    assert "deadline-row--late" in page.content.decode()


def lose(company, student, reasons, outcome="lost"):
    case, _ = services.case_open(student=student, actor=company.manager_a1, description="要退费")
    services.warning_escalate(
        case=case, actor=company.manager_a1, parent_talk="", conflict_points="x", kind="refund_intent"
    )
    if outcome == "retained":
        services.rescue_retained(case=case, actor=company.supervisor_a, reasons=reasons)
        return case
    services.rescue_failed(
        case=case, actor=company.supervisor_a, lost_order_report="x", rescue_report="y", reasons=reasons
    )
    services.report_submit(case=case, actor=company.supervisor_a, department_feedback="x", memo="y")
    services.director_decide(case=case, actor=company.director_a, director_rescue="z", retained=False)
    services.responsibility_record(
        case=case, actor=company.director_a, lessons="a", accountable="b", coaching="c", superiors_memo="d"
    )
    services.instruction_give(case=case, actor=company.president, instruction="e")
    services.instruction_carried_out(case=case, actor=company.director_a, execution="f")
    return case


def test_the_loss_analysis_counts_by_reason_and_manager(client, company, student):
    other = Student.objects.create(
        full_name="钱多多", campus=company.campus_a, manager=company.manager_a1, status="active"
    )
    calm = Student.objects.create(full_name="孙悟", campus=company.campus_a, manager=company.manager_a1)
    lose(company, student, ["rel_feedback", "rel_callbacks"])
    lose(company, other, ["rel_feedback"], outcome="retained")
    settled, _ = services.case_open(student=calm, actor=company.manager_a1, description="抱怨作业多")
    services.warning_stabilise(
        case=settled, actor=company.manager_a1, parent_talk="已调整", reasons=["rel_requests"]
    )
    client.force_login(company.director_a)
    response = client.get("/retention/analysis/?since=2026-12-01&until=2026-12-31")
    result = response.context["analysis"]
    assert (result.totals.lost, result.totals.retained, result.totals.stabilised) == (1, 1, 1)
    relationship = {t.label: (t.lost, t.retained, t.stabilised) for t in result.groups}
    assert relationship == {"与家长和学生的关系": (1, 1, 1)}  # a case with two items counts once here
    assert {t.label: (t.lost, t.retained, t.stabilised) for t in result.items} == {
        "没有及时向家长反馈": (1, 1, 0),
        "没有定期回访": (1, 0, 0),
        "家长的要求未及时回应": (0, 0, 1),
    }
    assert [(t.label, t.lost) for t in result.managers] == [(company.manager_a1.full_name, 1)]
    assert "<svg" in response.content.decode()
    before = client.get("/retention/analysis/?since=2026-11-01&until=2026-11-30").context["analysis"]
    assert before.totals.total == 0
    wrong = client.get("/retention/analysis/?since=2026-12-31&until=2026-12-01")
    assert "结束日期须在开始日期之后。" in wrong.content.decode()
    client.force_login(company.director_b)
    assert (
        client.get("/retention/analysis/?since=2026-12-01&until=2026-12-31").context["analysis"].totals.total
        == 0
    )
    client.force_login(company.manager_a1)
    assert client.get("/retention/analysis/").status_code == 403


def test_the_reports_print_for_those_who_see_the_case(client, company, student):
    case = lose(company, student, ["rel_feedback"])
    client.force_login(company.supervisor_a)
    assert "打印失单报告和挽单报告" in client.get(f"/retention/{case.pk}/").content.decode()
    page = client.get(f"/retention/{case.pk}/print/").content.decode()
    assert "失单报告" in page and "挽单报告" in page and "没有及时向家长反馈" in page
    client.force_login(company.director_b)
    assert client.get(f"/retention/{case.pk}/print/").status_code == 404


def test_a_late_rescue_escalates_past_the_supervisor_who_owns_it(company, student, time_machine):
    from deadlines.models import Deadline, Notification
    from deadlines.services import sweep

    case, _ = services.case_open(student=student, actor=company.manager_a1, description="要退费")
    services.warning_escalate(
        case=case, actor=company.manager_a1, parent_talk="", conflict_points="x", kind="refund_intent"
    )
    sweep(now=datetime(2026, 12, 9, 10, 0, tzinfo=SH))  # E2 was due 12-07 18:00
    e2 = Deadline.objects.get(rule="E2")
    assert e2.status == "escalated"
    recipients = set(Notification.objects.filter(deadline=e2).values_list("recipient__username", flat=True))
    assert company.director_a.username in recipients and company.supervisor_a.username in recipients


def test_review_fixes_on_cases(client, company, student):
    # A team without a supervisor: the rescue is the director's.
    company.team_a.supervisor = None
    company.team_a.save()
    case, _ = services.case_open(student=student, actor=company.manager_a1, description="要退费")
    services.warning_escalate(
        case=case, actor=company.manager_a1, parent_talk="", conflict_points="x", kind="refund_intent"
    )
    assert Deadline.objects.get(rule="E2").owner == company.director_a
    # Dates out of range are refused, not a 500.
    client.force_login(company.director_a)
    page = client.get("/retention/analysis/?since=2026-01-01&until=9999-12-31")
    assert page.status_code == 200 and "请选择 2000 到 2100 年之间的日期。" in page.content.decode()
    client.force_login(company.consultant_a)
    assert client.get("/retention/").status_code == 403
    # A refunded student opens no new case.
    student.status = Student.Status.REFUNDED
    student.save()
    other = Student.objects.create(
        full_name="孙悟", campus=company.campus_a, manager=company.manager_a1, status="refunded"
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.case_open(student=other, actor=company.manager_a1, description="x")


def test_the_memo_is_offered_once(client, company, student):
    case, _ = services.case_open(student=student, actor=company.manager_a1, description="要退费")
    services.warning_escalate(
        case=case, actor=company.manager_a1, parent_talk="", conflict_points="x", kind="refund_intent"
    )
    services.rescue_failed(
        case=case, actor=company.supervisor_a, lost_order_report="x", rescue_report="y", reasons=["other"]
    )
    client.force_login(company.supervisor_a)
    assert 'id="act-report"' in client.get(f"/retention/{case.pk}/").content.decode()
    services.report_submit(case=case, actor=company.supervisor_a, department_feedback="x", memo="y")
    assert 'id="act-report"' not in client.get(f"/retention/{case.pk}/").content.decode()


def test_my_day_links_a_case_s_clock_to_the_case(client, company, case):
    client.force_login(company.manager_a1)
    assert f'href="/retention/{case.pk}/"' in client.get("/").content.decode()


def bulk_cases(company, n, *, stage="warning", campus="a", prefix=""):
    """`n` cases raised a minute apart (the newest last), at one stage, without clocks."""
    campus, manager = (
        (company.campus_a, company.manager_a1) if campus == "a" else (company.campus_b, company.manager_b)
    )
    students = Student.objects.bulk_create(
        Student(full_name=f"学生{prefix}{i:04}", campus=campus, manager=manager, status="active")
        for i in range(n)
    )
    cases = Case.objects.bulk_create(
        Case(
            student=s,
            campus=campus,
            manager=manager,
            source="manager",
            description="想退费",
            raised_by=manager,
            stage=stage,
            outcome="lost" if stage == "closed" else "",
        )
        for s in students
    )
    start = datetime(2026, 11, 1, 9, 0, tzinfo=SH)
    for i, case in enumerate(cases):
        case.raised_at = start + timedelta(minutes=i)
    Case.objects.bulk_update(cases, ["raised_at"])
    return [s.full_name for s in students]


def cards(html: str, stage: str) -> list[str]:
    """The students on one stage's column of the board, top down."""
    column = html.split(f'aria-label="{stage}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a class="fw-semibold" href="/retention/\d+/">([^<]*)</a>', column)


def rows(html: str) -> list[str]:
    return re.findall(r'<td><a href="/retention/\d+/">([^<]*)</a>', html)


def test_the_board_shows_20_cards_a_stage_late_first_with_the_count_and_a_link_to_all(
    client, company, student, case, time_machine
):
    warning = bulk_cases(company, 70, prefix="W")
    rescue = bulk_cases(company, 3, stage="rescue", prefix="R")
    time_machine.move_to(datetime(2026, 12, 7, 10, 0, tzinfo=SH), tick=False)  # the case's E1 is late
    client.force_login(company.supervisor_a)
    html = client.get("/retention/").content.decode()
    # The late case first, then those without a clock, the newest raised first.
    assert cards(html, "苗头") == ["赵一鸣", *warning[::-1][:19]]
    assert cards(html, "保单") == rescue[::-1]
    header = r'aria-label="苗头">\s*<div class="card-header d-flex"><h2 class="h6 mb-0 me-auto">苗头</h2>'
    assert re.search(header + r'<span class="badge text-bg-secondary">71</span>', html)
    assert '<a href="?stage=warning">查看全部 71 个</a>' in html
    assert "?stage=rescue" not in html  # all three are shown
    first = client.get("/retention/?stage=warning").content.decode()
    assert rows(first) == ["赵一鸣", *warning[::-1][:49]] and "deadline-row--late" in first
    assert 'href="?stage=warning&amp;page=2">下一页</a>' in first
    assert rows(client.get("/retention/?stage=warning&page=2").content.decode()) == warning[::-1][49:]


def test_the_closed_cases_are_a_page_of_50_with_their_count(client, company, student):
    closed = bulk_cases(company, 60, stage="closed", prefix="C")
    client.force_login(company.supervisor_a)
    html = client.get("/retention/?closed=1").content.decode()
    assert rows(html) == closed[::-1][:50] and '<span class="badge text-bg-secondary">60</span>' in html
    assert 'href="?closed=1&amp;page=2">下一页</a>' in html
    assert rows(client.get("/retention/?closed=1&page=2").content.decode()) == closed[::-1][50:]


def test_the_board_and_a_stage_keep_to_the_scope(client, company, student):
    bulk_cases(company, 60, campus="b", prefix="B")
    bulk_cases(company, 2, prefix="A")
    client.force_login(company.supervisor_a)
    html = client.get("/retention/").content.decode()
    assert cards(html, "苗头") == ["学生A0001", "学生A0000"] and "?stage=warning" not in html
    assert rows(client.get("/retention/?stage=warning&page=2").content.decode()) == rows(
        client.get("/retention/?stage=warning").content.decode()
    )  # one page only: campus B's cases are not counted
    client.force_login(company.director_b)
    listed = rows(client.get("/retention/?stage=warning&page=2").content.decode())
    assert len(listed) == 10 and not [n for n in listed if n.startswith("学生A")]


def test_a_stage_list_runs_the_same_queries_at_two_sizes(
    client, company, student, django_assert_max_num_queries
):
    client.force_login(company.director_a)
    client.get("/retention/")  # the content types cached, as after any first page
    counts = []
    for size in (120, 600):
        bulk_cases(company, size, stage="report", prefix=f"{size}-")
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(10):
            html = client.get("/retention/?stage=report&page=2").content.decode()
        counts.append(len(queries))
        assert len(rows(html)) == 50
        with django_assert_max_num_queries(10):
            assert len(cards(client.get("/retention/").content.decode(), "呈报")) == 20
    assert counts[0] == counts[1]


def test_the_loss_analysis_lists_the_50_managers_who_lost_the_most(client, company, student):
    from accounts.models import Role
    from tests.factories import UserFactory

    managers = UserFactory.create_batch(
        60, role=Role.LEARNING_MANAGER, campus=company.campus_a, team=company.team_a
    )
    students = Student.objects.bulk_create(
        Student(full_name=f"学生L{i:03}", campus=company.campus_a, manager=m) for i, m in enumerate(managers)
    )
    Case.objects.bulk_create(
        Case(
            student=s,
            campus=company.campus_a,
            manager=s.manager,
            source="manager",
            description="x",
            raised_by=s.manager,
            stage="closed",
            outcome="lost" if i < 55 else "retained",
            outcome_at=datetime(2026, 12, 2, 10, 0, tzinfo=SH),
            reasons=["rel_feedback"],
        )
        for i, s in enumerate(students)
    )
    client.force_login(company.director_a)
    html = client.get("/retention/analysis/?since=2026-12-01&until=2026-12-31").content.decode()
    table = html.split("<th>学管师</th>", 1)[1].split("</table>", 1)[0]
    listed = re.findall(r'<tr><td>([^<]*)</td><td class="text-end', table)
    assert len(listed) == 50 and set(listed) <= {m.full_name for m in managers[:55]}  # who lost, first
    assert "仅列出失单最多的 50 位学管师（共 60 位）。" in html
