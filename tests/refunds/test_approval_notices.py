"""A refund tells its next approver it waits for them (issue 16, "approval waiting"): once each time it
reaches a step, in the bell and through the channels the approver chose; the notice leads to the
refund, and only someone who may open the refund reads it."""

import pytest
from django.core import mail
from django.urls import reverse

from deadlines import services as deadline_services
from deadlines.models import Delivery, Kind, NoticeChoice, Notification, Topic
from deadlines.selectors import inbox_page
from refunds import services

from .conftest import at
from .test_refunds import decide, submit


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def told(kind=Kind.APPROVAL):
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__role", "round").order_by("pk")
    )


def test_each_approver_is_told_when_the_refund_reaches_their_step(company, lost, media):
    refund, _ = submit(lost, company.supervisor_a)
    assert told() == [("director", 0)]  # campus A's director only
    decide(refund, company.director_a)
    decide(refund, company.finance)
    assert told() == [("director", 0), ("finance", 1), ("president", 2)]
    decide(refund, company.president)
    assert Notification.objects.filter(kind=Kind.APPROVAL).count() == 3  # approved: nobody more


def test_a_step_reached_again_is_told_again_and_a_double_submit_once(company, lost, media):
    refund, _ = submit(lost, company.supervisor_a)
    decide(refund, company.director_a)
    decide(refund, company.finance, approve=False, comment="扣款依据不足")
    decide(refund, company.director_a, approve=False, comment="请补充家长签字")  # back to the applicant
    services.refund_resubmit(refund=refund, actor=company.supervisor_a, comment="已补充签字")
    assert told() == [("director", 0), ("director", 2), ("director", 3), ("finance", 1)]
    again, created = submit(lost, company.supervisor_a)
    assert (again.pk, created) == (refund.pk, False)
    assert Notification.objects.filter(kind=Kind.APPROVAL).count() == 4


def test_the_notice_reads_as_the_refund_and_leads_to_it(company, lost, media, client):
    refund, _ = submit(lost, company.supervisor_a)
    (notice,) = inbox_page(company.director_a, now=at(2026, 12, 3, 10, 0)).notices
    client.force_login(company.director_a)
    page = client.get(reverse("deadlines:inbox")).content.decode()
    assert "待您审批：赵一鸣 的退费申请" in page
    response = client.post(reverse("deadlines:notification_read", args=[notice.pk]))
    assert response["Location"] == reverse("refunds:detail", args=[refund.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_someone_who_may_not_open_the_refund_does_not_read_its_notice(company, lost, media):
    submit(lost, company.supervisor_a)
    notice = Notification.objects.get(kind=Kind.APPROVAL)
    # The director moved to campus B: campus A's refund is no longer theirs to open.
    company.director_a.campus = company.campus_b
    company.director_a.save()
    assert inbox_page(company.director_a, now=at(2026, 12, 3, 10, 0)).notices == []
    # And the email waiting for the opening is not sent.
    Delivery.objects.update(next_attempt_at=at(2026, 12, 3, 10, 0))
    deadline_services.deliver_pending(now=at(2026, 12, 3, 10, 0))
    assert Delivery.objects.get(notification=notice).state == Delivery.State.DROPPED
    assert mail.outbox == []


def test_the_approver_gets_it_by_email_with_a_link_by_default(company, lost, media, settings):
    settings.SITE_URL = "https://casework.example.com"
    refund, _ = submit(lost, company.supervisor_a)
    deadline_services.deliver_pending(now=at(2026, 12, 3, 10, 0))
    (message,) = mail.outbox
    assert message.to == [company.director_a.email]
    assert message.subject == "待您审批：赵一鸣 的退费申请"
    assert f"https://casework.example.com/refunds/{refund.pk}/" in message.body


def test_an_approver_who_turned_it_off_is_told_in_the_bell_only(company, lost, media):
    NoticeChoice.objects.create(user=company.director_a, topic=Topic.APPROVAL, email=False, wecom=False)
    submit(lost, company.supervisor_a)
    assert Notification.objects.filter(kind=Kind.APPROVAL, recipient=company.director_a).exists()
    assert not Delivery.objects.exists()


def test_outside_working_hours_the_notice_waits_for_the_opening(company, lost, media, time_machine):
    time_machine.move_to(at(2026, 12, 3, 20, 0), tick=False)
    submit(lost, company.supervisor_a)
    notice = Notification.objects.get(kind=Kind.APPROVAL)
    assert notice.deliver_after == at(2026, 12, 4, 9, 0)
    assert Delivery.objects.get(notification=notice).next_attempt_at == at(2026, 12, 4, 9, 0)
