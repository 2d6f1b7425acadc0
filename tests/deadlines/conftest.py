from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from students.models import Student

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def student(company):
    return Student.objects.create(full_name="小明", campus=company.campus_a, manager=company.manager_a1)


@pytest.fixture
def student_b(company):
    return Student.objects.create(full_name="小红", campus=company.campus_b, manager=company.manager_b)


class RecordingChannel:
    """A WeCom channel for the tests of who gets what through which channel: it keeps the messages."""

    name = "wecom"

    def __init__(self):
        self.sent = []

    def reaches(self, user) -> bool:
        return bool(user.wecom_userid)

    def send(self, message) -> None:
        self.sent.append(message)


@pytest.fixture
def wecom(settings, monkeypatch):
    """WeCom configured and its channel installed (recording what it is given)."""
    from deadlines.channels import CHANNELS

    settings.WECOM_CORP_ID, settings.WECOM_SECRET, settings.WECOM_AGENT_ID = "ww-corp", "secret", 1000002
    channel = RecordingChannel()
    monkeypatch.setitem(CHANNELS, "wecom", channel)
    return channel
