"""The refunds waiting for a director, finance or the president, on their home and in the navigation."""

import uuid
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from refunds import services
from refunds.models import Refund
from tests.factories import refund_paid_back

from .conftest import at, lost_case


def submit(case, actor):
    return services.refund_submit(
        case=case,
        actor=actor,
        request_key=uuid.uuid4(),
        applicant="赵妈妈",
        applied_on=date(2026, 12, 3),
        reason="孩子不想继续",
        scan=SimpleUploadedFile("application.pdf", b"%PDF-1.4\n%%EOF\n"),
    )[0]


@pytest.fixture
def refund(company, lost, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return submit(lost, company.supervisor_a)


def queue_of(client, user):
    client.force_login(user)
    response = client.get("/")
    shown = {q.queue.key: q for q in response.context["queues"]}
    return shown.get("refunds"), response


def test_each_approver_finds_the_refund_at_their_step_and_it_leaves_once_decided(client, company, refund):
    for approver in (company.director_a, company.finance, company.president):
        for person in (company.director_a, company.director_b, company.finance, company.president):
            queue, response = queue_of(client, person)
            waiting = [item.url for item in queue.items] if queue else []
            assert (refund.get_absolute_url() in waiting) == (person == approver), (approver, person)
            if person == approver:
                assert response.context["nav_counts"]["waiting"] >= 1
                assert "审批退费申请" in response.content.decode()
        refund.refresh_from_db()
        services.refund_decide(refund=refund, actor=approver, step=refund.step, approve=True)
    queue, response = queue_of(client, company.finance)
    assert [item.label for item in queue.items] == ["登记付款"]  # approved: to pay
    refund_paid_back(Refund.objects.get(), company, date(2026, 12, 3))
    queue, response = queue_of(client, company.finance)
    assert queue.total == 0 and "暂无等待您处理的退费" in response.content.decode()


def test_the_queue_runs_a_fixed_number_of_queries(
    client, company, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(at(2026, 12, 3, 10, 0), tick=False)
    client.force_login(company.president)
    for n in range(3):
        submit(lost_case(company, f"HD-{n + 10}"), company.supervisor_a)
    with django_assert_max_num_queries(30) as few:
        client.get("/")
    for n in range(12):
        submit(lost_case(company, f"HD-{n + 20}"), company.supervisor_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")
