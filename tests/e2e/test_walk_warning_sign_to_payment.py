"""The README's second walk, in the browser: from a warning sign to the refund paid.

The manager raises a warning sign and escalates it; the supervisor's rescue fails and the memo goes
to the director; the director's own rescue fails too; the supervisor submits the refund
application; director, finance and president approve; finance records the payment. Before the
journey there is only a student with a contract and the lessons taught so far.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from students.models import Contract, Lesson, Student
from tests.factories import PASSWORD

from .conftest import exactly, t

pytestmark = pytest.mark.e2e

SH = ZoneInfo("Asia/Shanghai")
THURSDAY = datetime(2026, 12, 3, 10, 0, tzinfo=SH)


@pytest.fixture
def student(company):
    """黄雨桐: 40 hours bought for 8,000, five lessons of 2 hours taught."""
    student = Student.objects.create(
        full_name="黄雨桐", campus=company.campus_a, manager=company.manager_a1, status="active"
    )
    Contract.objects.create(
        student=student,
        number="HD-E2E-002",
        signed_at=datetime(2026, 10, 1, 9, 0, tzinfo=SH),
        consultant=company.consultant_a,
        subjects="数学",
        hours=Decimal(40),
        unit_price=Decimal(200),
        amount=Decimal(8000),
    )
    for week in range(5):
        start = datetime(2026, 10, 10, 9, 0, tzinfo=SH) + timedelta(weeks=week)
        Lesson.objects.create(
            student=student,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            subject="数学",
            hours=2,
            teacher=company.teacher_a,
            status="done",
        )
    return student


def act(page, action: str, fields: dict, browse):
    """One of the case's next steps: open it, fill it in, save it."""
    step = page.locator(f"#act-{action}")
    if step.get_attribute("open") is None:
        step.locator("summary").click()
    browse.fill(fields, scope=step)
    with page.expect_navigation():
        step.get_by_role("button", name=exactly(t("Save"))).click()
    assert not page.locator(".invalid-feedback, .alert-danger").count(), f"{action} was refused"


def decide(browse, username: str, *, approve: bool = True, comment: str = "同意"):
    """An approver finds the refund waiting for them on their home and approves (or rejects) it."""
    page = browse.sign_in(username, PASSWORD)
    browse.follow("Approve or reject the refund")
    page.locator(f"input[name=approve][value={'yes' if approve else 'no'}]").check()
    browse.fill({"comment": comment})
    browse.click("Save")
    page.get_by_text(t("Saved.")).wait_for()
    browse.sign_out()


def test_from_a_warning_sign_to_the_refund_paid(browse, company, student, time_machine, tmp_path):
    time_machine.move_to(THURSDAY, tick=True)
    page = browse.page

    # The manager raises the sign on the student page, then escalates to the team's rescue.
    browse.sign_in(company.manager_a1.username, PASSWORD)
    browse.nav("Students")
    page.get_by_role("link", name="黄雨桐").click()
    browse.follow("Raise a warning sign")
    browse.fill({"description": "家长电话里说孩子成绩没进步，想退费。", "source": "manager"})
    browse.click("Raise it")
    page.get_by_role("heading", name="黄雨桐").wait_for()
    act(
        page,
        "escalate",
        {
            "parent_talk": "家长情绪激动",
            "conflict_points": "两个月没进步；老师反馈太少",
            "kind": "refund_intent",
        },
        browse,
    )
    browse.sign_out()

    # The supervisor leads the rescue; it fails: the reports, then the memo to the director.
    browse.sign_in(company.supervisor_a.username, PASSWORD)
    browse.nav("Retention")
    page.get_by_role("link", name="黄雨桐").first.click()
    act(page, "rescue", {"rescue_actions": "主管与任课老师约家长面谈两次"}, browse)
    failed = page.locator("#act-failed")
    failed.locator("summary").click()
    failed.locator("input[name=reasons][value=rel_feedback]").check()  # no timely feedback to the parent
    act(
        page,
        "failed",
        {"lost_order_report": "反馈太少，家长失去信心", "rescue_report": "两次面谈未能挽回"},
        browse,
    )
    act(
        page,
        "report",
        {"department_feedback": "已反馈学管部和咨询部", "memo": "挽单失败，请总监出面"},
        browse,
    )
    browse.sign_out()

    # The director's own rescue: the student leaves.
    browse.sign_in(company.director_a.username, PASSWORD)
    browse.nav("Retention")
    page.get_by_role("link", name="黄雨桐").first.click()
    director = page.locator("#act-director")
    director.locator("summary").click()
    director.locator("input[name=retained][value=no]").check()
    act(page, "director", {"director_rescue": "总监约谈家长，家长坚持退费"}, browse)
    page.get_by_text(t("Lost"), exact=True).first.wait_for()
    browse.sign_out()

    # The supervisor submits the refund application from the case.
    scan = tmp_path / "application.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    browse.sign_in(company.supervisor_a.username, PASSWORD)
    browse.nav("Retention")
    page.get_by_role("link", name="黄雨桐").first.click()
    browse.follow("Submit a refund application")
    browse.fill(
        {
            "applicant": "黄妈妈",
            "applied_on": "2026-12-03",
            "reason": "孩子不想继续上课",
            "deductions": "300",
            "deduction_reason": "资料费",
        }
    )
    page.locator("input[name=scan]").set_input_files(scan)
    browse.click("Submit for approval")
    page.get_by_text(t("Refund application submitted to the first approver.")).wait_for()
    assert page.get_by_text("5700.00").first.is_visible()  # (40 - 10) hours x 200 - 300
    browse.sign_out()

    # The director sends it back: the supervisor reads why, amends the deductions and submits again.
    decide(browse, company.director_a.username, approve=False, comment="扣款缺少发票依据")
    browse.sign_in(company.supervisor_a.username, PASSWORD)
    browse.nav("Refunds")
    page.locator("#all-refunds ~ div").get_by_role("link", name="黄雨桐").click()
    page.get_by_text("扣款缺少发票依据").first.wait_for()
    amended = {"deductions": "200", "deduction_reason": "资料费（附发票）", "comment": "补发票，扣款改200"}
    browse.fill(amended)
    browse.click("Submit again")
    page.get_by_text(t("Saved.")).wait_for()
    assert page.get_by_text("5800.00").first.is_visible()  # (40 - 10) hours x 200 - 200
    assert page.locator(".refund-amended del").first.inner_text() == "300.00"  # version 1's deductions
    browse.shot("walk2-refund-amended")
    browse.sign_out()

    # Every approval of the chain, in order, each by its own person.
    for approver in (company.director_a, company.finance, company.president):
        decide(browse, approver.username)

    # Finance records the payment.
    browse.sign_in(company.finance.username, PASSWORD)
    browse.follow("Record the payment")  # on finance's home
    browse.fill(
        {
            "voucher": "FK-20261203-01",
            "payee_bank": "中国工商银行北京海淀支行",
            "payee_account": "6222020200112233445",
            "paid_on": "2026-12-03",
        }
    )
    browse.click("Paid")
    page.get_by_text(t("Saved.")).wait_for()
    assert page.locator("h1 .badge").inner_text() == f"{t('Paid')} · 2026-12-03"
    browse.shot("walk2-end-refund-paid")
