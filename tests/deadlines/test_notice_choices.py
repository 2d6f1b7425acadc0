"""Each person chooses per kind of notice which outside channels carry it (issue 16): the defaults,
the choices, outside working hours, and the page where they are made."""

import pytest
from django.urls import reverse

from deadlines import preferences, services
from deadlines.models import Deadline, Delivery, Kind, NoticeChoice, Notification, Topic
from deadlines.services import deadline_open, sweep

from .conftest import at


@pytest.fixture(autouse=True, params=["one statement", "portable"])
def batch_path(request, monkeypatch):
    """The sweep's single statement and the embedded database's few statements choose alike."""
    if request.param == "portable":
        monkeypatch.setattr(services, "_one_statement", lambda: False)
    return request.param


@pytest.fixture
def h1(company, student, time_machine):
    """H1 opened Tuesday 1 Dec 10:00: remind Thu 14:00, due Thu 3 Dec 18:00."""
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)
    return deadline_open(rule="H1", subject=student, owner=company.manager_a1)


def channels(kind):
    return sorted(Delivery.objects.filter(notification__kind=kind).values_list("channel", flat=True))


def test_by_default_reminders_stay_in_the_bell_and_overdue_goes_by_email(h1):
    sweep(now=at(2026, 12, 3, 14, 0))
    assert Notification.objects.filter(kind=Kind.REMINDER).exists()
    assert channels(Kind.REMINDER) == []
    sweep(now=at(2026, 12, 3, 18, 0))
    assert channels(Kind.OVERDUE) == ["email"]


def test_by_default_wecom_replaces_email_for_someone_it_reaches(h1, company, wecom):
    company.manager_a1.wecom_userid = "wangfang"
    company.manager_a1.save()
    sweep(now=at(2026, 12, 3, 18, 0))
    assert channels(Kind.OVERDUE) == ["wecom"]


def test_wecom_not_connected_means_email_even_with_a_wecom_id(h1, company):
    company.manager_a1.wecom_userid = "wangfang"
    company.manager_a1.save()
    sweep(now=at(2026, 12, 3, 18, 0))
    assert channels(Kind.OVERDUE) == ["email"]


def test_a_choice_of_both_channels_and_of_none(h1, company, wecom):
    manager = company.manager_a1
    manager.wecom_userid = "wangfang"
    manager.save()
    NoticeChoice.objects.create(user=manager, topic=Topic.REMINDER, email=True, wecom=True)
    NoticeChoice.objects.create(user=manager, topic=Topic.OVERDUE, email=False, wecom=False)
    sweep(now=at(2026, 12, 3, 14, 0))
    sweep(now=at(2026, 12, 3, 18, 0))
    assert channels(Kind.REMINDER) == ["email", "wecom"]
    assert channels(Kind.OVERDUE) == []
    assert Notification.objects.filter(kind=Kind.OVERDUE).exists()  # the bell has it all the same


def test_a_chosen_channel_that_cannot_reach_the_person_is_skipped(h1, company, wecom):
    NoticeChoice.objects.create(user=company.manager_a1, topic=Topic.OVERDUE, email=True, wecom=True)
    sweep(now=at(2026, 12, 3, 18, 0))
    assert channels(Kind.OVERDUE) == ["email"]  # no WeCom id


def test_outside_working_hours_only_what_the_person_chose(h1, company):
    sweep(now=at(2026, 12, 3, 19, 0))  # after closing: the overdue notice waits for Friday 09:00
    (delivery,) = Delivery.objects.all()
    assert delivery.next_attempt_at == at(2026, 12, 4, 9, 0)

    Notification.objects.all().delete()
    Deadline.objects.update(status="open", overdue_at=None, escalate_at=None)
    NoticeChoice.objects.create(
        user=company.manager_a1, topic=Topic.OVERDUE, email=True, wecom=False, off_hours=True
    )
    sweep(now=at(2026, 12, 3, 19, 0))
    (delivery,) = Delivery.objects.all()
    assert delivery.next_attempt_at == at(2026, 12, 3, 19, 0)  # at once


def test_an_escalation_reaches_the_supervisor_by_his_choice(h1, company, wecom):
    supervisor = company.supervisor_a
    supervisor.wecom_userid = "sup-a"
    supervisor.save()
    NoticeChoice.objects.create(user=supervisor, topic=Topic.ESCALATION, email=True, wecom=True)
    sweep(now=at(2026, 12, 3, 18, 0))
    sweep(now=at(2026, 12, 4, 18, 0))  # a day's grace: to the supervisor
    escalated = Delivery.objects.filter(notification__kind=Kind.ESCALATED_SUPERVISOR)
    assert sorted(escalated.values_list("channel", flat=True)) == ["email", "wecom"]


def test_choices_of_fills_the_defaults(company, wecom):
    manager = company.manager_a1
    assert preferences.choices_of(manager)[Topic.REMINDER] == preferences.Choice(False, False)
    assert preferences.choices_of(manager)[Topic.OVERDUE] == preferences.Choice(True, False)
    manager.wecom_userid = "wangfang"
    assert preferences.choices_of(manager)[Topic.DIGEST] == preferences.Choice(False, True)


# The page


def test_the_page_shows_every_topic_and_what_reaches_the_person(client, company):
    client.force_login(company.manager_a1)
    response = client.get(reverse("deadlines:notice_choices"))
    assert response.status_code == 200
    page = response.content.decode()
    for label in ("新任务", "即将到期", "已逾期", "升级到您的事项", "待您审批", "每日晨报"):
        assert label in page
    assert company.manager_a1.email in page
    assert "公司尚未接入企业微信" in page
    assert 'name="overdue_email" id="id_overdue_email" aria-label="已逾期 · 邮箱" checked' in page
    assert 'name="overdue_wecom" id="id_overdue_wecom" aria-label="已逾期 · 企业微信" disabled' in page


def test_saving_keeps_the_choices_and_a_second_save_changes_nothing(client, company, wecom):
    manager = company.manager_a1
    manager.wecom_userid = "wangfang"
    manager.save()
    client.force_login(manager)
    url = reverse("deadlines:notice_choices")
    chosen = {"reminder_wecom": "on", "overdue_email": "on", "overdue_wecom": "on", "overdue_off_hours": "on"}
    chosen |= {"digest_wecom": "on", "escalated_wecom": "on", "opened_wecom": "on", "approval_wecom": "on"}
    response = client.post(url, chosen, follow=True)
    assert "通知设置已保存" in response.content.decode()
    mine = preferences.choices_of(manager)
    assert mine[Topic.REMINDER] == preferences.Choice(email=False, wecom=True)
    assert mine[Topic.OVERDUE] == preferences.Choice(email=True, wecom=True, off_hours=True)
    # Only the topics that differ from the default are kept.
    assert set(NoticeChoice.objects.filter(user=manager).values_list("topic", flat=True)) == {
        "reminder",
        "overdue",
    }
    response = client.post(url, chosen, follow=True)
    assert "通知设置没有变化" in response.content.decode()


def test_a_channel_that_cannot_reach_the_person_cannot_be_chosen(client, company):
    client.force_login(company.manager_a1)  # WeCom not connected
    client.post(reverse("deadlines:notice_choices"), {"overdue_email": "on", "overdue_wecom": "on"})
    assert preferences.choices_of(company.manager_a1)[Topic.OVERDUE] == preferences.Choice(True, False)


def test_someone_changes_only_their_own_choices(client, company):
    client.force_login(company.director_a)
    client.post(reverse("deadlines:notice_choices"), {"overdue_email": ""})
    assert not NoticeChoice.objects.filter(user=company.manager_a1).exists()
    assert NoticeChoice.objects.filter(user=company.director_a, topic=Topic.OVERDUE, email=False).exists()


def test_signed_out_the_page_asks_to_sign_in(client, db):
    response = client.get(reverse("deadlines:notice_choices"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_retry_that_would_come_after_closing_waits_for_the_opening(h1, company, monkeypatch):
    from deadlines.channels import CHANNELS

    def refused(message):
        raise ConnectionRefusedError("the mail server refused the connection")

    monkeypatch.setattr(CHANNELS["email"], "send", refused)
    sweep(now=at(2026, 12, 3, 18, 0))  # overdue at closing time: sent at once, within the day
    Delivery.objects.update(next_attempt_at=at(2026, 12, 3, 17, 59))
    services.deliver_pending(now=at(2026, 12, 3, 17, 59))
    assert Delivery.objects.get().next_attempt_at == at(2026, 12, 4, 9, 0)  # not 18:00 that evening

    NoticeChoice.objects.create(
        user=company.manager_a1, topic=Topic.OVERDUE, email=True, wecom=False, off_hours=True
    )
    Delivery.objects.update(next_attempt_at=at(2026, 12, 3, 17, 59))
    services.deliver_pending(now=at(2026, 12, 3, 17, 59))
    assert Delivery.objects.get().next_attempt_at == at(2026, 12, 3, 18, 4)  # the second delay, that evening
