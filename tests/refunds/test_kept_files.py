"""The refund's files: the application keeps its scan across a re-render and says every problem at
once; an amendment brings its invoices, kept with its version and shown beside it; the payment's
receipt scan. Each file is served only to those who may open the refund."""

import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from config.drafts import DRAFTS
from refunds import services
from refunds.models import Payment, Refund, RefundAttachment
from timeline.models import Event

from .test_pages import PAYMENT, apply

PDF = b"%PDF-1.4\n%application\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
KEPT = "已上传：{}（保留；可重新选择文件替换）"
REFUSED = "随表单保留的文件已不能使用（保留已超过一天，或不是您上传的）：请重新选择文件。"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def read(response) -> bytes:
    return b"".join(response.streaming_content)


def application(**values) -> dict:
    return {
        "request_key": str(uuid.uuid4()),
        "applicant": "赵妈妈",
        "applied_on": "2026-12-03",
        "reason": "孩子不想继续",
        "deductions": "0",
        **values,
    }


def test_the_application_says_every_problem_at_once(client, company, lost):
    client.force_login(company.supervisor_a)
    page = client.post(
        f"/refunds/new/{lost.pk}/",
        application(deductions="200", applied_on="2026-12-04", amount="9000"),  # no scan
    )
    errors = page.context["form"].errors
    assert set(errors) == {"scan", "deduction_reason", "applied_on", "amount"}
    assert "请说明扣款的原因。" in errors["deduction_reason"]
    assert not Refund.objects.exists()


def test_a_failed_application_keeps_the_scan_and_the_next_submit_uses_it(client, company, lost):
    client.force_login(company.supervisor_a)
    scan = SimpleUploadedFile("家长申请.pdf", PDF)
    page = client.post(f"/refunds/new/{lost.pk}/", application(deductions="200", scan=scan))
    form = page.context["form"]
    assert set(form.errors) == {"deduction_reason"}
    assert KEPT.format("家长申请.pdf") in page.content.decode()
    token = form["scan_draft"].value()
    assert token and default_storage.listdir(f"{DRAFTS}/{company.supervisor_a.pk}")[0]
    again = application(deductions="200", deduction_reason="教材费", scan_draft=token)
    assert client.post(f"/refunds/new/{lost.pk}/", again).status_code == 302
    assert client.post(f"/refunds/new/{lost.pk}/", again).status_code == 302  # a double click: one refund
    refund = Refund.objects.get()
    assert refund.scan.name.endswith(".pdf") and "家长申请" in refund.scan.name
    assert read(client.get(f"/refunds/{refund.pk}/scan/")) == PDF


def test_a_new_file_replaces_the_kept_one(client, company, lost):
    client.force_login(company.supervisor_a)
    first = SimpleUploadedFile("first.pdf", PDF)
    page = client.post(f"/refunds/new/{lost.pk}/", application(applicant="", scan=first))
    token = page.context["form"]["scan_draft"].value()
    second = SimpleUploadedFile("second.png", PNG)
    assert (
        client.post(f"/refunds/new/{lost.pk}/", application(scan=second, scan_draft=token)).status_code == 302
    )
    refund = Refund.objects.get()
    assert "second" in refund.scan.name and read(client.get(f"/refunds/{refund.pk}/scan/")) == PNG


def test_a_wrong_scan_is_not_kept(client, company, lost):
    client.force_login(company.supervisor_a)
    page = client.post(
        f"/refunds/new/{lost.pk}/", application(scan=SimpleUploadedFile("scan.pdf", b"<html></html>"))
    )
    assert page.context["form"]["scan_draft"].value() in ("", None)
    assert "已上传" not in page.content.decode()


def test_a_tampered_token_is_refused(client, company, lost):
    client.force_login(company.supervisor_a)
    page = client.post(
        f"/refunds/new/{lost.pk}/", application(applicant="", scan=SimpleUploadedFile("a.pdf", PDF))
    )
    token = page.context["form"]["scan_draft"].value()
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    refused = client.post(f"/refunds/new/{lost.pk}/", application(scan_draft=tampered))
    assert refused.context["form"].errors["scan"] == [REFUSED]
    assert refused.context["form"]["scan_draft"].value() == ""  # the next submit goes without it
    assert not Refund.objects.exists()


def returned(client, company, lost) -> Refund:
    """The supervisor's refund, sent back by the director."""
    client.force_login(company.supervisor_a)
    apply(client, lost, deductions="200", deduction_reason="教材费")
    refund = Refund.objects.get()
    services.refund_decide(refund=refund, actor=company.director_a, step=0, approve=False, comment="缺发票")
    return refund


def amendment(**values) -> dict:
    return {"deductions": "200", "deduction_reason": "教材费（附发票）", "amount": "", **values}


def invoices():
    return [SimpleUploadedFile("发票一.pdf", PDF), SimpleUploadedFile("发票二.png", PNG)]


def test_an_amendment_brings_two_invoices_kept_with_its_version_and_shown(client, company, lost):
    refund = returned(client, company, lost)
    data = amendment(comment="补了两张发票", attachments=invoices())
    assert client.post(f"/refunds/{refund.pk}/resubmit/", data).status_code == 302
    again = client.post(f"/refunds/{refund.pk}/resubmit/", amendment(comment="补了两张发票"), follow=True)
    assert "这笔退费已经往下走了" in again.content.decode()  # a double click submits once
    version = refund.versions.get(number=2)
    files = list(version.attachments.all())
    assert [(f.name, f.uploaded_by) for f in files] == [
        ("发票一.pdf", company.supervisor_a),
        ("发票二.png", company.supervisor_a),
    ]
    assert not refund.versions.get(number=1).attachments.exists()
    event = Event.objects.get(kind="refund.resubmitted")
    assert event.data["attachments"] == ["发票一.pdf", "发票二.png"]
    # The director who sent it back sees them with what changed since.
    client.force_login(company.director_a)
    page = client.get(f"/refunds/{refund.pk}/").content.decode()
    amended = page.split("refund-amended")[1].split("</section>")[0]
    assert "第 2 版附带的附件：" in amended
    for f in files:
        assert f'href="/refunds/{refund.pk}/attachments/{f.pk}/"' in amended and f.name in amended
    assert "发票一.pdf · 发票二.png" in page.split("时间线")[-1]  # the timeline names them
    versions = page.split("refund-versions")[1].split("</section>")[0]
    assert "第 2 版" in versions and "发票二.png" in versions.split('id="version-2"')[1]
    assert read(client.get(f"/refunds/{refund.pk}/attachments/{files[1].pk}/")) == PNG


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("director_a", 200),
        ("finance", 200),
        ("president", 200),
        ("supervisor_a", 200),
        ("director_b", 404),
        ("manager_a1", 404),
        ("supervisor_b", 404),
    ],
)
def test_an_invoice_is_served_to_whoever_may_open_the_refund(client, company, lost, person, status):
    refund = returned(client, company, lost)
    services.refund_resubmit(
        refund=refund, actor=company.supervisor_a, comment="补发票", attachments=invoices()
    )
    attachment = RefundAttachment.objects.first()
    client.force_login(getattr(company, person))
    assert client.get(f"/refunds/{refund.pk}/attachments/{attachment.pk}/").status_code == status


def test_an_invoice_is_not_served_under_another_refund(client, company, lost):
    from .conftest import lost_case

    refund = returned(client, company, lost)
    services.refund_resubmit(
        refund=refund, actor=company.supervisor_a, comment="补发票", attachments=invoices()
    )
    other = lost_case(company, "HD-2")
    apply(client, other)
    mine = Refund.objects.get(case=other)
    attachment = RefundAttachment.objects.first()
    client.force_login(company.finance)
    assert client.get(f"/refunds/{mine.pk}/attachments/{attachment.pk}/").status_code == 404


def test_a_failed_amendment_keeps_its_invoices_and_says_what_is_wrong_with_a_bad_one(client, company, lost):
    refund = returned(client, company, lost)
    bad = [*invoices(), SimpleUploadedFile("发票三.pdf", b"<html><script></script></html>")]
    page = client.post(f"/refunds/{refund.pk}/resubmit/", amendment(comment="补发票", attachments=bad))
    errors = page.context["resubmit_form"].errors["attachments"]
    assert len(errors) == 1 and errors[0].startswith("发票三.pdf: ")  # the bad one named, nothing kept
    page = client.post(f"/refunds/{refund.pk}/resubmit/", amendment(comment="", attachments=invoices()))
    form = page.context["resubmit_form"]
    assert set(form.errors) == {"comment"}
    assert KEPT.format("发票一.pdf、发票二.png") in page.content.decode()
    token = form["attachments_draft"].value()
    kept = amendment(comment="补发票", attachments_draft=token)
    assert client.post(f"/refunds/{refund.pk}/resubmit/", kept).status_code == 302
    files = RefundAttachment.objects.filter(version__refund=refund, version__number=2)
    assert sorted(f.name for f in files) == ["发票一.pdf", "发票二.png"]
    assert sorted(f.file.read() for f in files) == sorted([PDF, PNG])


def test_an_amendment_takes_at_most_ten_files(client, company, lost):
    refund = returned(client, company, lost)
    many = [SimpleUploadedFile(f"发票{i}.pdf", PDF) for i in range(11)]
    page = client.post(f"/refunds/{refund.pk}/resubmit/", amendment(comment="补发票", attachments=many))
    assert page.context["resubmit_form"].errors["attachments"] == ["最多附带 10 个文件。"]
    assert refund.versions.count() == 1 and not RefundAttachment.objects.exists()


def test_the_page_s_queries_do_not_grow_with_versions_and_files(
    client, company, lost, django_assert_max_num_queries
):
    refund = returned(client, company, lost)
    services.refund_resubmit(
        refund=refund, actor=company.supervisor_a, comment="补发票", attachments=invoices()
    )
    client.force_login(company.director_a)
    with django_assert_max_num_queries(60) as first:
        client.get(f"/refunds/{refund.pk}/")
    refund.refresh_from_db()
    services.refund_decide(refund=refund, actor=company.director_a, step=0, approve=False, comment="还缺")
    refund.refresh_from_db()
    more = [SimpleUploadedFile(f"收据{i}.pdf", PDF) for i in range(5)]
    services.refund_resubmit(refund=refund, actor=company.supervisor_a, comment="补收据", attachments=more)
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = client.get(f"/refunds/{refund.pk}/")
    assert page.content.decode().count("/attachments/") >= 7


def approved(client, company, lost) -> Refund:
    client.force_login(company.supervisor_a)
    apply(client, lost)
    refund = Refund.objects.get()
    for approver in (company.director_a, company.finance, company.president):
        refund.refresh_from_db()
        services.refund_decide(refund=refund, actor=approver, step=refund.step, approve=True)
    refund.refresh_from_db()
    return refund


def test_the_payment_keeps_its_receipt_scan_across_a_re_render_and_names_it(client, company, lost):
    refund = approved(client, company, lost)
    client.force_login(company.finance)
    receipt = SimpleUploadedFile("回单.pdf", PDF)
    page = client.post(
        f"/refunds/{refund.pk}/paid/", {**PAYMENT, "voucher": "", "amount": "6000.00", "receipt": receipt}
    )
    form = page.context["paid_form"]
    assert set(form.errors) == {"voucher"} and KEPT.format("回单.pdf") in page.content.decode()
    token = form["receipt_draft"].value()
    paid = {**PAYMENT, "amount": "6000.00", "receipt_draft": token}
    assert client.post(f"/refunds/{refund.pk}/paid/", paid).status_code == 302
    again = client.post(f"/refunds/{refund.pk}/paid/", paid, follow=True)
    assert "这笔退费已经往下走了" in again.content.decode()  # a double click pays once
    payment = Payment.objects.get()
    assert "回单" in payment.receipt.name
    event = Event.objects.get(kind="refund.paid")
    assert event.data["receipt"] == payment.receipt_name
    page = client.get(f"/refunds/{refund.pk}/").content.decode()
    assert (
        f'href="/refunds/{refund.pk}/receipt/"' in page
        and f"回单扫描件：</span> {payment.receipt_name}" in page
    )
    assert read(client.get(f"/refunds/{refund.pk}/receipt/")) == PDF
    client.force_login(company.president)
    assert client.get(f"/refunds/{refund.pk}/receipt/").status_code == 200
    client.force_login(company.director_b)
    assert client.get(f"/refunds/{refund.pk}/receipt/").status_code == 404


def test_a_payment_without_a_receipt_has_none_to_serve(client, company, lost):
    refund = approved(client, company, lost)
    client.force_login(company.finance)
    assert client.post(f"/refunds/{refund.pk}/paid/", {**PAYMENT, "amount": "6000.00"}).status_code == 302
    assert not Payment.objects.get().receipt
    assert "receipt" not in Event.objects.get(kind="refund.paid").data
    assert client.get(f"/refunds/{refund.pk}/receipt/").status_code == 404
    assert "refund-receipt" not in client.get(f"/refunds/{refund.pk}/").content.decode()


def test_a_receipt_must_be_a_pdf_or_an_image(client, company, lost):
    refund = approved(client, company, lost)
    client.force_login(company.finance)
    receipt = SimpleUploadedFile("回单.pdf", b"MZ\x90\x00")
    page = client.post(f"/refunds/{refund.pk}/paid/", {**PAYMENT, "amount": "6000.00", "receipt": receipt})
    assert page.context["paid_form"].errors["receipt"]
    assert not Payment.objects.exists()
