"""WeCom as a notification channel (issue 16): the real client, over real HTTP, against a local
server that answers like WeCom's API — the token kept and renewed, an expired token mid-batch, rate
limits, an account WeCom does not know, a person without one, the text card's limits, a wrong secret."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from deadlines import services, wecom
from deadlines.channels import CHANNELS, ChannelBusy, Message
from deadlines.digest import digests_make
from deadlines.messages import notification_text, notification_url
from deadlines.models import Deadline, Delivery, Kind, Notification
from deadlines.services import deadline_open, sweep
from students.models import Student

from .conftest import at
from .wecom_server import AGENT_ID, CORP_ID, SECRET, FakeWeCom

SITE = "https://casework.example.com"
SENDING = at(2026, 12, 3, 11, 0)  # Thursday morning, when the H1 below is overdue


@pytest.fixture
def fake(settings):
    server = FakeWeCom().start()
    settings.WECOM_API_URL = server.url
    settings.WECOM_CORP_ID, settings.WECOM_SECRET, settings.WECOM_AGENT_ID = CORP_ID, SECRET, AGENT_ID
    settings.SITE_URL = SITE
    cache.clear()
    yield server
    server.stop()
    cache.clear()


def overdue_h1(manager, student, time_machine):
    """The manager's H1 of the student, opened on Tuesday, is overdue on Thursday at SENDING."""
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)
    deadline_open(rule="H1", subject=student, owner=manager)
    Deadline.objects.filter(student=student).update(due_at=SENDING)
    sweep(now=SENDING)
    return Notification.objects.get(kind=Kind.OVERDUE, recipient=manager)


@pytest.fixture
def overdue(company, student, time_machine):
    """Manager A1 (WeCom account WangFang) has H1 overdue; its notice waits to be sent."""
    company.manager_a1.wecom_userid = "WangFang"
    company.manager_a1.save()
    return overdue_h1(company.manager_a1, student, time_machine)


@pytest.fixture
def two_overdue(company, overdue, time_machine):
    """Manager A2 (LiNa) has one too: two cards wait."""
    company.manager_a2.wecom_userid = "LiNa"
    company.manager_a2.save()
    other = Student.objects.create(full_name="小刚", campus=company.campus_a, manager=company.manager_a2)
    return overdue, overdue_h1(company.manager_a2, other, time_machine)


def card(title="逾期：H1", body="小明 · 交接确认", url=SITE + "/"):
    return title, body, url


def test_a_notice_goes_as_a_text_card_that_opens_its_item(fake, overdue):
    delivery = Delivery.objects.get(notification=overdue)
    assert delivery.channel == "wecom"

    assert services.deliver_pending(now=SENDING) == (1, 0)

    (sent,) = fake.cards
    assert sent["touser"] == "WangFang" and sent["msgtype"] == "textcard" and sent["agentid"] == AGENT_ID
    title, body = notification_text(overdue)
    assert (sent["textcard"]["title"], sent["textcard"]["description"]) == (title, body)
    assert "H1" in title and "小明" in title + body
    assert sent["textcard"]["url"] == SITE + notification_url(overdue)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (Delivery.State.SENT, 1, "")
    assert not mail.outbox  # WeCom took email's place: one channel unless the person asks for both


def test_the_token_is_asked_for_once_and_kept(fake):
    for userid in ["WangFang", "LiNa", "WangFang"]:
        wecom.send_text_card(userid, *card())
    assert len(fake.calls_to("/cgi-bin/gettoken")) == 1
    assert [c.query["access_token"] for c in fake.calls_to("/cgi-bin/message/send")] == ["token-1"] * 3


def test_the_token_is_renewed_five_minutes_before_it_runs_out(fake, time_machine):
    start = at(2026, 12, 3, 9, 0)
    time_machine.move_to(start, tick=False)
    wecom.send_text_card("WangFang", *card())
    time_machine.move_to(start + timedelta(seconds=7200 - 300 - 1), tick=False)
    wecom.send_text_card("WangFang", *card())
    assert len(fake.calls_to("/cgi-bin/gettoken")) == 1
    time_machine.move_to(start + timedelta(seconds=7200 - 300 + 1), tick=False)
    wecom.send_text_card("WangFang", *card())
    assert len(fake.calls_to("/cgi-bin/gettoken")) == 2
    assert fake.calls_to("/cgi-bin/message/send")[-1].query["access_token"] == "token-2"


def test_a_token_that_expires_mid_batch_is_replaced_and_each_card_sent_once(fake, two_overdue):
    fake.cards_per_token = 1  # the first card uses the token up, as if its two hours had passed

    assert services.deliver_pending(now=SENDING) == (2, 0)

    assert sorted(c["touser"] for c in fake.cards) == ["LiNa", "WangFang"]
    answers = [c.answer["errcode"] for c in fake.calls_to("/cgi-bin/message/send")]
    assert answers == [0, 42001, 0]
    assert len(fake.calls_to("/cgi-bin/gettoken")) == 2
    assert set(Delivery.objects.values_list("state", "attempts")) == {(Delivery.State.SENT, 1)}


def test_a_token_wecom_calls_invalid_is_replaced_too(fake):
    cache.set(wecom._token_key(), "a-token-from-another-application")
    wecom.send_text_card("WangFang", *card())
    answers = [c.answer["errcode"] for c in fake.calls_to("/cgi-bin/message/send")]
    assert answers == [40014, 0] and cache.get(wecom._token_key()) == "token-1"


def test_a_rate_limit_holds_the_rest_of_the_batch_without_counting_an_attempt(fake, two_overdue):
    fake.scripted = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"})]

    assert services.deliver_pending(now=SENDING) == (0, 0)

    assert len(fake.calls_to("/cgi-bin/message/send")) == 1  # the second card was not tried
    waiting = Delivery.objects.order_by("pk")
    assert {(d.state, d.attempts, d.next_attempt_at) for d in waiting} == {
        (Delivery.State.PENDING, 0, SENDING + services.BUSY_WAIT)
    }
    tried, untried = sorted(waiting, key=lambda d: d.last_error, reverse=True)
    assert "45009" in tried.last_error and untried.last_error == ""

    assert services.deliver_pending(now=SENDING + services.BUSY_WAIT) == (2, 0)
    assert len(fake.cards) == 2


@pytest.mark.parametrize("status", [429, 503])
def test_an_overloaded_wecom_is_a_rate_limit_too(fake, company, status):
    company.manager_a1.wecom_userid = "WangFang"
    fake.scripted = [(status, {})]
    with pytest.raises(ChannelBusy, match=str(status)):
        CHANNELS["wecom"].send(Message(company.manager_a1, *card()))


def test_someone_without_a_wecom_account_is_not_reached_and_gets_email(fake, company, student, time_machine):
    manager = company.manager_a1
    assert manager.wecom_userid == "" and not CHANNELS["wecom"].reaches(manager)
    with pytest.raises(ValueError, match="has no WeCom account"):
        CHANNELS["wecom"].send(Message(manager, *card()))
    assert fake.calls == []

    overdue_h1(manager, student, time_machine)
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["email"]


def test_an_account_wecom_does_not_know_fails_with_a_clear_error_for_the_administrator(
    fake, overdue, company, client
):
    company.manager_a1.wecom_userid = "WangFang.old"
    company.manager_a1.save()
    now = SENDING
    for _ in range(len(services.RETRY_DELAYS) + 1):
        services.deliver_pending(now=now)
        now = Delivery.objects.get().next_attempt_at

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (Delivery.State.FAILED, len(services.RETRY_DELAYS) + 1)
    assert delivery.last_error == (
        "WeComError: WeCom error 81013: WeCom does not know this account in the application's visible range"
    )
    client.force_login(company.admin)
    page = client.get(reverse("admin:deadlines_delivery_changelist") + "?state=failed").content.decode()
    assert "81013" in page and company.manager_a1.full_name in page


def test_a_wrong_secret_is_named_and_never_written_down(fake, overdue, settings):
    settings.WECOM_SECRET = "not-the-secret-0123456789"
    services.deliver_pending(now=SENDING)

    delivery = Delivery.objects.get()
    assert delivery.last_error == (
        "WeComError: WeCom error 40001: the secret (WECOM_SECRET) is not the application's secret"
    )
    assert delivery.state == Delivery.State.PENDING and delivery.attempts == 1
    assert cache.get(wecom._token_key()) is None and fake.cards == []


def test_long_texts_are_cut_within_the_cards_limits_in_bytes(fake):
    title, description = "小明的家长来电：" + "续费" * 80, "第一行\n" + "课时" * 300
    wecom.send_text_card("WangFang", title, description, SITE + "/students/1/")

    (sent,) = fake.cards
    cut_title, cut_description = sent["textcard"]["title"], sent["textcard"]["description"]
    assert len(cut_title.encode()) <= 128 and len(cut_description.encode()) <= 512
    assert cut_title.endswith("…") and title.startswith(cut_title[:-1])
    assert cut_description.endswith("…") and description.startswith(cut_description[:-1])
    assert wecom.cut_bytes("a" + "中" * 50, 10) == "a中中…"  # never half a character
    assert wecom.cut_bytes("短", 128) == "短"


def test_an_unreachable_wecom_counts_an_attempt_and_is_tried_again(fake, overdue, settings):
    fake.stop()
    settings.WECOM_API_URL = fake.url.rsplit(":", 1)[0] + ":9"  # nothing listens there
    services.deliver_pending(now=SENDING)

    delivery = Delivery.objects.get()
    assert delivery.last_error.startswith("ConnectionError: WeCom cannot be reached")
    assert (delivery.state, delivery.attempts) == (Delivery.State.PENDING, 1)
    assert delivery.next_attempt_at == SENDING + services.RETRY_DELAYS[0]
    fake.start()  # for the fixture's stop


def test_the_morning_digest_goes_as_one_card_that_opens_the_home(fake, company, student, time_machine):
    company.manager_a1.wecom_userid = "WangFang"
    company.manager_a1.save()
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)
    deadline_open(rule="H1", subject=student, owner=company.manager_a1)
    opening = at(2026, 12, 3, 9, 0)  # H1 due at 18:00 that day

    digests_make(now=opening)
    services.deliver_pending(now=opening)

    (sent,) = [c for c in fake.cards if c["touser"] == "WangFang"]
    assert sent["textcard"]["title"].startswith("今日工作：逾期 0 项，今天到期 1 项")
    assert "小明" in sent["textcard"]["description"] and sent["textcard"]["url"] == SITE + "/"
