"""The refund pages for each role that may use them and one that may not."""

import uuid
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from refunds import services
from refunds.models import Payment, Refund
from tests.factories import refund_paid_back
from timeline.models import Event


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# What finance types for a bank transfer (the amount comes from the refund).
PAYMENT = {
    "method": "bank",
    "voucher": "FK-20261203-01",
    "payee_name": "赵妈妈",
    "payee_bank": "中国工商银行北京海淀支行",
    "payee_account": "6222020200112233445",
    "paid_on": "2026-12-03",
}


def apply(client, case, **values):
    data = {
        "request_key": str(uuid.uuid4()),
        "applicant": "赵妈妈",
        "applied_on": "2026-12-03",
        "reason": "孩子不想继续",
        "scan": SimpleUploadedFile("application.pdf", b"%PDF-1.4"),
        "deductions": "0",
        **values,
    }
    return client.post(f"/refunds/new/{case.pk}/", data)


def test_the_supervisor_files_the_application_from_the_lost_case(client, company, lost):
    client.force_login(company.manager_a1)
    assert client.get(f"/refunds/new/{lost.pk}/").status_code == 403
    client.force_login(company.supervisor_a)
    assert "提交退费申请" in client.get(f"/retention/{lost.pk}/").content.decode()
    page = client.get(f"/refunds/new/{lost.pk}/").content.decode()
    assert "6000.00" in page  # 30 hours left × 200
    bad = apply(client, lost, amount="9000", amount_reason="全额")
    assert (
        "退费金额不能为负，也不能超过已付金额。" in bad.content.decode()
        and "孩子不想继续" in bad.content.decode()
    )
    assert apply(client, lost).status_code == 302
    refund = Refund.objects.get()
    assert refund.amount == 6000
    assert client.get(f"/refunds/{refund.pk}/scan/").status_code == 200
    assert client.get(f"/refunds/{refund.pk}/print/").status_code == 200


def test_each_approver_finds_it_in_their_queue_and_decides(client, company, lost):
    client.force_login(company.supervisor_a)
    apply(client, lost)
    refund = Refund.objects.get()
    for person, other in (("director_a", "finance"), ("finance", "president"), ("president", "director_a")):
        client.force_login(getattr(company, other))
        assert refund not in client.get("/refunds/").context["queue"]
        assert (
            client.post(f"/refunds/{refund.pk}/decide/", {"step": refund.step, "approve": "yes"}).status_code
            == 403
        )
        client.force_login(getattr(company, person))
        assert refund in client.get("/refunds/").context["queue"]
        assert "您的审批" in client.get(f"/refunds/{refund.pk}/").content.decode()
        response = client.post(f"/refunds/{refund.pk}/decide/", {"step": refund.step, "approve": "yes"})
        assert response.status_code == 302
        stale = client.post(
            f"/refunds/{refund.pk}/decide/", {"step": refund.step, "approve": "yes"}, follow=True
        )
        assert "这笔退费已经往下走了" in stale.content.decode()  # the same step approved twice
        refund.refresh_from_db()
    assert refund.status == Refund.Status.APPROVED
    client.force_login(company.finance)
    assert refund in client.get("/refunds/").context["queue"]  # to be paid
    client.post(f"/refunds/{refund.pk}/paid/", {**PAYMENT, "amount": str(refund.amount)})
    refund.refresh_from_db()
    assert refund.status == Refund.Status.PAID
    assert "已付款 · 2026-12-03" in client.get(f"/refunds/{refund.pk}/").content.decode()


@pytest.mark.parametrize(
    ("person", "status"), [("manager_a1", 403), ("teacher_a", 403), ("consultant_a", 403)]
)
def test_others_have_no_refunds(client, company, person, status):
    client.force_login(getattr(company, person))
    assert client.get("/refunds/").status_code == status


def test_another_campus_does_not_see_the_refund(client, company, lost):
    client.force_login(company.supervisor_a)
    apply(client, lost)
    refund = Refund.objects.get()
    for person in ("director_b", "manager_a1"):
        client.force_login(getattr(company, person))
        assert client.get(f"/refunds/{refund.pk}/").status_code == 404
        assert client.get(f"/refunds/{refund.pk}/scan/").status_code == 404


def test_the_queue_runs_the_same_queries_for_10_and_1000_refunds(
    client, company, lost, django_assert_max_num_queries
):
    client.force_login(company.supervisor_a)
    apply(client, lost)
    template = Refund.objects.get()
    from retention.models import Case
    from students.models import Student

    client.force_login(company.finance)
    counts = []
    for size in (10, 990):
        students = Student.objects.bulk_create(
            Student(full_name=f"退{size}-{i}", campus=company.campus_a, manager=company.manager_a1)
            for i in range(size)
        )
        cases = Case.objects.bulk_create(
            Case(
                student=s,
                campus=company.campus_a,
                manager=company.manager_a1,
                source="manager",
                description="x",
                raised_by=company.manager_a1,
                stage="closed",
                outcome="lost",
            )
            for s in students
        )
        fields = {
            f.name: getattr(template, f.name)
            for f in Refund._meta.concrete_fields
            if f.name not in ("id", "case", "student", "request_key")
        }
        Refund.objects.bulk_create(
            Refund(
                **{
                    **fields,
                    "case": c,
                    "student": c.student,
                    "request_key": uuid.uuid4(),
                    "waiting_role": "finance",
                }
            )
            for c in cases
        )
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(10):
            assert client.get("/refunds/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_case_page_tells_the_refund_s_story(client, company, lost):
    client.force_login(company.supervisor_a)
    apply(client, lost)
    page = client.get(f"/retention/{lost.pk}/").content.decode()
    assert (
        "提交退费申请" in page and "孩子不想继续" in page
    )  # the refund's submission, with the parent's reason


@pytest.mark.parametrize("person", ["supervisor_a", "director_a", "finance", "president"])
def test_the_printed_refund_list_carries_the_contracts_the_amount_in_capitals_and_signature_lines(
    client, company, lost, person
):
    client.force_login(company.supervisor_a)
    apply(client, lost)
    refund = Refund.objects.get()
    client.force_login(getattr(company, person))
    page = client.get(f"/refunds/{refund.pk}/print/").content.decode()
    assert "HD-1" in page and "2026-10-01" in page and "8000.00" in page  # the contract
    assert "人民币陆仟元整" in page and "¥6000.00" in page  # 30 hours left × 200
    assert "家长签字（赵妈妈）" in page
    for role in ("校区总监", "财务", "总裁"):  # each step of the chain signs
        assert f"{role}签字" in page, role


@pytest.mark.parametrize("person", ["manager_a1", "consultant_a", "director_b"])
def test_those_who_may_not_open_the_refund_cannot_print_it(client, company, lost, person):
    client.force_login(company.supervisor_a)
    apply(client, lost)
    refund = Refund.objects.get()
    client.force_login(getattr(company, person))
    assert client.get(f"/refunds/{refund.pk}/print/").status_code == 404


def approved(client, company, lost) -> Refund:
    client.force_login(company.supervisor_a)
    apply(client, lost)
    refund = Refund.objects.get()
    for approver in (company.director_a, company.finance, company.president):
        refund.refresh_from_db()
        services.refund_decide(refund=refund, actor=approver, step=refund.step, approve=True)
    refund.refresh_from_db()
    return refund


def test_finance_records_the_payment_with_its_voucher_and_payee(client, company, lost):
    refund = approved(client, company, lost)
    client.force_login(company.finance)
    form = client.get(f"/refunds/{refund.pk}/").context["paid_form"]
    assert form["amount"].value() == refund.amount and form["payee_name"].value() == "赵妈妈"
    response = client.post(f"/refunds/{refund.pk}/paid/", {**PAYMENT, "amount": "6000.00"}, follow=True)
    assert "已保存。" in response.content.decode()
    again = client.post(f"/refunds/{refund.pk}/paid/", {**PAYMENT, "amount": "6000.00"}, follow=True)
    assert "这笔退费已经往下走了" in again.content.decode()  # a double click pays once
    payment = Payment.objects.get()
    assert (payment.amount, payment.method, payment.voucher, payment.recorded_by) == (
        6000,
        "bank",
        "FK-20261203-01",
        company.finance,
    )
    event = Event.objects.get(kind="refund.paid")
    assert event.actor == company.finance and event.data["voucher"] == "FK-20261203-01"
    assert event.data["amount"] == "6000.00" and event.data["method"] == "bank"


def test_a_payment_that_differs_from_the_approved_amount_needs_its_reason(client, company, lost):
    refund = approved(client, company, lost)
    client.force_login(company.finance)
    bad = client.post(f"/refunds/{refund.pk}/paid/", {**PAYMENT, "amount": "5990", "payee_account": ""})
    errors = bad.context["paid_form"].errors
    assert "金额与批准的 6000.00 不同：请说明原因（手续费、取整……）。" in errors["difference_reason"]
    assert "银行转账需要填写收款人的开户行和账号。" in errors["payee_account"]
    assert bad.context["paid_form"]["voucher"].value() == "FK-20261203-01"  # what was typed is kept
    too_much = client.post(f"/refunds/{refund.pk}/paid/", {**PAYMENT, "amount": "8000.01"})
    assert "不能退回多于家长所付的金额。" in too_much.context["paid_form"].errors["amount"]
    refund.refresh_from_db()
    assert refund.status == Refund.Status.APPROVED and not Payment.objects.exists()
    fee = {**PAYMENT, "amount": "5990", "difference_reason": "银行手续费 10 元"}
    assert client.post(f"/refunds/{refund.pk}/paid/", fee).status_code == 302
    assert Payment.objects.get().difference_reason == "银行手续费 10 元"


@pytest.mark.parametrize(
    ("person", "account"),
    [
        ("finance", "6222020200112233445"),
        ("director_a", "6222020200112233445"),
        ("supervisor_a", "•••• 3445"),
        ("president", "•••• 3445"),
    ],
)
def test_the_payee_account_is_masked_outside_finance_and_the_director(client, company, lost, person, account):
    refund = approved(client, company, lost)
    refund_paid_back(refund, company, date(2026, 12, 3))
    client.force_login(getattr(company, person))
    for path in (f"/refunds/{refund.pk}/", f"/refunds/{refund.pk}/print/"):
        page = client.get(path).content.decode()
        assert account in page and "FK-0001" in page, (person, path)
        if "•" in account:
            assert "6222020200112233445" not in page, (person, path)


def test_only_finance_is_offered_the_payment_form(client, company, lost):
    refund = approved(client, company, lost)
    for person in ("director_a", "president", "supervisor_a"):
        client.force_login(getattr(company, person))
        assert client.get(f"/refunds/{refund.pk}/").context["paid_form"] is None
        response = client.post(f"/refunds/{refund.pk}/paid/", {**PAYMENT, "amount": "6000"})
        assert response.status_code in (200, 403) and not Payment.objects.exists(), person


def test_the_list_says_whom_each_refund_waits_for(client, company, lost):
    client.force_login(company.supervisor_a)
    apply(client, lost)
    refund = Refund.objects.get()
    assert "等待校区总监" in client.get("/refunds/").content.decode()
    for approver in (company.director_a, company.finance, company.president):
        refund.refresh_from_db()
        services.refund_decide(refund=refund, actor=approver, step=refund.step, approve=True)
    assert "等待财务" in client.get("/refunds/").content.decode()  # to be paid
    refund.refresh_from_db()
    refund_paid_back(refund, company, date(2026, 12, 3))
    assert "等待" not in client.get("/refunds/").content.decode().split('id="all-refunds"')[1]


def test_a_rejection_says_why_on_the_refund_and_in_the_queue_it_returned_to(client, company, lost):
    client.force_login(company.supervisor_a)
    apply(client, lost)
    refund = Refund.objects.get()
    services.refund_decide(refund=refund, actor=company.director_a, step=0, approve=True)
    refund.refresh_from_db()
    why = "扣款缺少发票依据"
    services.refund_decide(refund=refund, actor=company.finance, step=1, approve=False, comment=why)
    client.force_login(company.director_a)  # back at the director's step
    queue = client.get("/refunds/").content.decode().split('id="all-refunds"')[0]
    assert "被退回：扣款缺少发票依据" in queue
    page = client.get(f"/refunds/{refund.pk}/").content.decode()
    assert "扣款缺少发票依据" in page and f"被财务 {company.finance.display_name} 退回" in page
    refund.refresh_from_db()
    services.refund_decide(refund=refund, actor=company.director_a, step=0, approve=False, comment="请补发票")
    client.force_login(company.supervisor_a)  # back with the applicant
    page = client.get(f"/refunds/{refund.pk}/").content.decode()
    assert "请补发票" in page and f"被校区总监 {company.director_a.display_name} 退回" in page
    client.force_login(company.director_a)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.RETURNED
    services.refund_resubmit(refund=refund, actor=company.supervisor_a, comment="已补发票")
    page = client.get(f"/refunds/{refund.pk}/").content.decode()
    assert "refund-rejection" not in page  # submitted again: the rejection is history (the timeline)
    queue = client.get("/refunds/").content.decode().split('id="all-refunds"')[0]
    assert "被退回" not in queue


def test_a_rejected_refund_is_amended_and_approved_with_every_version_kept(client, company, lost):
    client.force_login(company.supervisor_a)
    apply(client, lost, deductions="200", deduction_reason="教材费")
    refund = Refund.objects.get()
    assert refund.amount == 5800
    why = "扣款缺少发票依据"
    services.refund_decide(refund=refund, actor=company.director_a, step=0, approve=False, comment=why)
    # The applicant amends the list: the form starts from it, and says every problem at once.
    form = client.get(f"/refunds/{refund.pk}/").context["resubmit_form"]
    assert form["deductions"].value() == 200 and form["deduction_reason"].value() == "教材费"
    assert form["amount"].value() is None  # computed again from the amended deductions
    bad = client.post(
        f"/refunds/{refund.pk}/resubmit/",
        {"deductions": "100", "deduction_reason": "", "amount": "9999", "amount_reason": "", "comment": ""},
    )
    errors = bad.context["resubmit_form"].errors
    assert set(errors) == {"deduction_reason", "amount", "comment"}
    assert bad.context["resubmit_form"]["deductions"].value() == "100"  # what was typed is kept
    good = {"deductions": "100", "deduction_reason": "教材费（附发票）", "amount": ""}
    good["comment"] = "补了发票，扣款改为100"
    assert client.post(f"/refunds/{refund.pk}/resubmit/", good).status_code == 302
    again = client.post(f"/refunds/{refund.pk}/resubmit/", good, follow=True)
    assert "这笔退费已经往下走了" in again.content.decode()  # a double click submits once
    refund.refresh_from_db()
    assert (refund.status, refund.deductions, refund.amount) == (Refund.Status.APPROVING, 100, 5900)
    versions = list(refund.versions.values_list("number", "deductions", "amount", "comment"))
    assert versions == [(1, 200, 5800, ""), (2, 100, 5900, "补了发票，扣款改为100")]
    # The approver who sent it back sees what changed since.
    client.force_login(company.director_a)
    page = client.get(f"/refunds/{refund.pk}/").content.decode()
    assert "第 2 版：相对第 1 版的修改" in page and "<del>200.00</del>" in page and "5900.00" in page
    for approver in (company.director_a, company.finance, company.president):
        refund.refresh_from_db()
        services.refund_decide(refund=refund, actor=approver, step=refund.step, approve=True)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.APPROVED and refund.versions.count() == 2
    assert Event.objects.get(kind="refund.resubmitted").data["amount"] == "5900.00"
