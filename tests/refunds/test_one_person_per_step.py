"""One person never decides two steps of one refund, even where the approval chain repeats a role; the
application is filed once however often it is sent, and its scan is checked by its content."""

import uuid
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from refunds import services
from refunds.models import Approval, ApprovalStep, Refund
from tests.factories import UserFactory

from .conftest import at


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def chain(*roles):
    ApprovalStep.objects.all().delete()
    for position, role in enumerate(roles, start=1):
        ApprovalStep.objects.create(position=position, role=role)


def submit(case, actor):
    refund, _created = services.refund_submit(
        case=case,
        actor=actor,
        request_key=uuid.uuid4(),
        applicant="赵妈妈",
        applied_on=date(2026, 12, 3),
        reason="孩子不想继续",
        scan=SimpleUploadedFile("application.pdf", b"%PDF-1.4"),
    )
    return refund


def decide(refund, actor, approve=True, comment=""):
    refund = Refund.objects.get(pk=refund.pk)
    services.refund_decide(refund=refund, actor=actor, step=refund.step, approve=approve, comment=comment)
    return Refund.objects.get(pk=refund.pk)


def test_director_then_director_needs_two_directors(client, company, lost):
    chain("director", "director")
    other_director = UserFactory(role="director", campus=company.campus_a)
    refund = decide(submit(lost, company.supervisor_a), company.director_a)
    assert (refund.step, refund.waiting_role) == (1, "director")
    with pytest.raises(services.DecidedBefore) as refused:
        decide(refund, company.director_a)
    assert "您已审批过这笔退费的另一步" in refused.value.messages[0]
    # On the page: no decision form, a note instead, and a sent form is refused with the same words.
    client.force_login(company.director_a)
    page = client.get(refund.get_absolute_url()).content.decode()
    assert "您已审批过这笔退费的另一步" in page and f"/refunds/{refund.pk}/decide/" not in page
    answer = client.post(f"/refunds/{refund.pk}/decide/", {"step": 1, "approve": "yes"}, follow=True)
    assert answer.status_code == 200 and "您已审批过这笔退费的另一步" in answer.content.decode()
    assert Approval.objects.count() == 1
    # Another director decides the second step.
    assert decide(refund, other_director).status == Refund.Status.APPROVED
    assert list(Approval.objects.values_list("by", flat=True)) == [company.director_a.pk, other_director.pk]


def test_a_rejection_back_a_step_does_not_let_the_second_approver_decide_the_first(company, lost):
    chain("finance", "finance")
    second = UserFactory(role="finance")
    refund = decide(submit(lost, company.supervisor_a), company.finance)
    refund = decide(refund, second, approve=False, comment="缺少签字")
    assert refund.step == 0
    with pytest.raises(services.DecidedBefore):
        decide(refund, second)  # they decided step 2; step 1 is someone else's
    refund = decide(refund, company.finance)  # the first approver decides their own step again
    with pytest.raises(services.DecidedBefore):
        decide(refund, company.finance)
    assert decide(refund, second).status == Refund.Status.APPROVED


def test_an_application_sent_twice_is_filed_once(client, company, lost):
    client.force_login(company.supervisor_a)
    data = {
        "request_key": str(uuid.uuid4()),
        "applicant": "赵妈妈",
        "applied_on": "2026-12-03",
        "reason": "孩子不想继续",
        "deductions": "0",
    }
    answers = [
        client.post(
            f"/refunds/new/{lost.pk}/",
            {**data, "scan": SimpleUploadedFile("application.pdf", b"%PDF-1.4")},
            follow=True,
        )
        for _ in range(2)
    ]
    refund = Refund.objects.get()
    assert all(answer.redirect_chain[-1] == (refund.get_absolute_url(), 302) for answer in answers)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("application.pdf", b"<html><script>alert(1)</script></html>", "网页、SVG 图片和程序不能上传"),
        ("application.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "网页、SVG 图片和程序不能上传"),
        ("application.pdf", b"MZ\x90\x00", "网页、SVG 图片和程序不能上传"),
        ("application.jpg", b"%PDF-1.4", "但内容不是"),
        ("application.docx", b"PK\x03\x04", "请上传家长签字申请的 PDF 或图片"),
    ],
)
def test_the_scan_is_checked_by_its_content(client, company, lost, time_machine, name, content, message):
    time_machine.move_to(at(2026, 12, 3, 10, 0), tick=False)
    client.force_login(company.supervisor_a)
    response = client.post(
        f"/refunds/new/{lost.pk}/",
        {
            "request_key": str(uuid.uuid4()),
            "applicant": "赵妈妈",
            "applied_on": "2026-12-03",
            "reason": "孩子不想继续",
            "deductions": "0",
            "scan": SimpleUploadedFile(name, content),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and message in page and "孩子不想继续" in page
    assert not Refund.objects.exists()
