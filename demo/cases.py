"""Warning signs, rescues, reports and refunds in the demo, each step by the person whose step it is,
at its time (demo.clock). Each function is a story that starts when the student's life has reached
that far; `life.student` is the student by then."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile

from refunds.services import refund_decide, refund_paid, refund_submit
from retention.models import Case
from retention.services import (
    case_open,
    director_decide,
    instruction_give,
    report_submit,
    rescue_failed,
    rescue_record,
    rescue_retained,
    responsibility_record,
    warning_escalate,
    warning_prepare,
)

from .clock import at, next_working_day
from .students import Life, key

# How far a case has come, each stage including those before it.
CASE_STAGES = ("warning", "rescue", "rescue_done", "report", "lost", "analysed", "instructed")


def case_story(
    life: Life,
    *,
    raised_ago: int,
    raised_by: str,
    description: str,
    kind: str,
    stage: str,
    leader: str,
    conflict_points: str,
    lost_order_report: str = "家长失去信任，未能及时反馈",
    rescue_report: str = "面谈两次，家长仍坚持",
    reasons: tuple[str, ...] = ("rel_feedback",),
    reason_note: str = "",
    retained: bool = False,
    facts: str = "",
    memo: str = "书面纪要：挽单经过与主要退费原因",
    director_rescue: str = "校长电话沟通，未能挽回",
    lessons: str = "签约时应了解家庭的实际情况",
    accountable: str = "学管师",
    superiors_memo: str = "失单分析，请总裁批示",
    refund: tuple[str, ...] | None = None,
    paid: bool = False,
):
    """A warning sign `raised_ago` days ago, moved on a day at a time up to `stage`."""
    today, people = life.scene.today, life.people
    yield at(today - timedelta(days=raised_ago), 11)
    student, manager = life.student, life.manager
    if student is None or student.cases.exists():
        return
    case, _created = case_open(
        student=student,
        actor=people[raised_by],
        description=description,
        request_key=key(life.kid.number, "case"),
    )
    if stage == "warning":
        return
    if facts:
        yield life.scene.clock + timedelta(hours=3)
        warning_prepare(
            case=case, actor=manager, facts=facts, talking_points="先肯定孩子的进步，再听家长的顾虑"
        )
    yield life.scene.clock + timedelta(hours=5)
    warning_escalate(
        case=case,
        actor=manager,
        parent_talk="与家长面谈，家长仍不满意",
        conflict_points=conflict_points,
        kind=kind,
    )
    if stage == "rescue":
        return
    leader = people[leader]
    yield at(next_working_day(life.scene.clock.date()), 15)
    rescue_record(case=case, actor=leader, rescue_actions="教学主任、原老师和学管师一起与家长面谈")
    if retained:
        yield life.scene.clock + timedelta(hours=2)
        rescue_retained(case=case, actor=leader, reasons=list(reasons), reason_note=reason_note)
        return
    yield at(next_working_day(life.scene.clock.date()), 10)
    rescue_failed(
        case=case,
        actor=leader,
        lost_order_report=lost_order_report,
        rescue_report=rescue_report,
        reasons=list(reasons),
        reason_note=reason_note,
    )
    if stage == "rescue_done":
        return
    supervisor = manager.team.supervisor
    yield life.scene.clock + timedelta(hours=5)
    report_submit(case=case, actor=supervisor, department_feedback="已反馈学管部和咨询部", memo=memo)
    if stage == "report":
        return
    director = life.person("director")
    yield at(next_working_day(life.scene.clock.date()), 14)
    director_decide(case=case, actor=director, director_rescue=director_rescue, retained=False)
    if refund is not None:
        yield from refund_steps(life, case, approvals=refund, paid=paid)
    if stage == "lost":
        return
    yield at(next_working_day(life.scene.clock.date()), 11)
    responsibility_record(
        case=case,
        actor=director,
        lessons=lessons,
        accountable=accountable,
        coaching="学管部加强回访，咨询部签约前增加家庭情况询问",
        superiors_memo=superiors_memo,
    )
    if stage == "analysed":
        return
    yield life.scene.clock + timedelta(hours=4)
    instruction_give(
        case=case, actor=people["president1"], instruction="同意分析，请校区一周内落实整改并反馈"
    )


def refund_steps(life: Life, case: Case, *, approvals: tuple[str, ...], paid: bool):
    """The parent's written application filed by the supervisor the working day after the loss, then
    each approver's step on the following working days, and the payment."""
    yield at(next_working_day(life.scene.clock.date()), 16)
    refund, _created = refund_submit(
        case=case,
        actor=life.manager.team.supervisor,
        request_key=key(life.kid.number, "refund"),
        applicant=f"{life.kid.name[0]}妈妈",
        applied_on=life.scene.clock.date(),
        reason="孩子学业安排调整，不再继续",
        scan=ContentFile(b"%PDF-1.4\n% demo\n", name="application.pdf"),
        deductions=Decimal(200),
        deduction_reason="教材资料费",
    )
    for username in approvals:
        yield at(next_working_day(life.scene.clock.date()), 10)
        refund.refresh_from_db()
        refund_decide(
            refund=refund, actor=life.people[username], step=refund.step, approve=True, comment="同意"
        )
    if paid:
        yield at(next_working_day(life.scene.clock.date()), 15)
        refund.refresh_from_db()
        refund_paid(
            refund=refund,
            actor=life.people["finance1"],
            paid_on=life.scene.clock.date(),
            amount=refund.amount,
            method="bank",
            voucher=f"FK-{life.scene.clock.date():%Y%m%d}-{refund.pk:03d}",
            payee_name=refund.applicant,
            payee_bank="中国工商银行北京海淀支行",
            payee_account="6222020200112233445",
        )
