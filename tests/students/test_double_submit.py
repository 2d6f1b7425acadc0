"""A form sent twice (a double click, a second tab, a resent page) stores one record and answers calmly.

Each create-form carries the key made when the page was shown (config/once.py); the same key again is
the same form again. The follow-up forms (callbacks, scores, growth, concerns, renewal talks) have
their own tests of it (tests/followups/), and so has the refund application (tests/refunds/)."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from retention.models import Case
from students.models import Contract, Document, Guardian, Lesson, Student
from timeline.models import Event

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def student(company, time_machine, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    time_machine.move_to(datetime(2026, 12, 1, 10, 0, tzinfo=SH), tick=False)
    return Student.objects.create(full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1)


def twice(client, url, data, files=None):
    """The same form posted twice; both answers followed, as the browser would."""
    answers = []
    for _ in range(2):
        posted = {**data, **{name: SimpleUploadedFile(*file) for name, file in (files or {}).items()}}
        answers.append(client.post(url, posted, follow=True))
    return answers


def test_the_form_shown_carries_a_fresh_key_each_time(client, company, student):
    client.force_login(company.manager_a1)
    pages = [client.get(f"/students/{student.pk}/guardians/new/").content.decode() for _ in range(2)]
    keys = [page.split('name="request_key" value="')[1][:36] for page in pages]
    assert keys[0] != keys[1] and all(uuid.UUID(key) for key in keys)


def test_a_guardian_sent_twice_is_added_once(client, company, student):
    client.force_login(company.manager_a1)
    data = {"request_key": str(uuid.uuid4()), "name": "赵妈妈", "relation": "mother", "phone": "13812345678"}
    first, second = twice(client, f"/students/{student.pk}/guardians/new/", {**data, "is_primary": "on"})
    assert Guardian.objects.filter(student=student).count() == 1
    assert Guardian.objects.get().is_primary  # the second sending did not unset the first's main contact
    assert first.redirect_chain[0][1] == second.redirect_chain[0][1] == 302
    assert second.content.decode().count("已添加家长。") == 1
    assert Event.objects.filter(kind="guardian.added").count() == 1
    # Another form (another key) adds another guardian.
    client.post(f"/students/{student.pk}/guardians/new/", {**data, "request_key": str(uuid.uuid4())})
    assert Guardian.objects.filter(student=student).count() == 2


def test_a_double_click_says_saved_once(client, company, student):
    """The browser sends the form twice and follows only the second answer: the first answer's
    message waits in the session beside the second's, and the page says it once."""
    client.force_login(company.manager_a1)
    data = {"request_key": str(uuid.uuid4()), "name": "赵妈妈", "relation": "mother", "phone": "13812345678"}
    for _ in range(2):
        assert client.post(f"/students/{student.pk}/guardians/new/", data).status_code == 302
    page = client.get(f"/students/{student.pk}/").content.decode()
    assert page.count("已添加家长。") == 1
    assert Guardian.objects.filter(student=student).count() == 1


def test_a_document_sent_twice_is_filed_once(client, company, student):
    client.force_login(company.manager_a1)
    data = {"request_key": str(uuid.uuid4()), "kind": "tutoring_draft", "title": "辅导草案"}
    first, second = twice(
        client,
        f"/students/{student.pk}/documents/new/",
        data,
        files={"file": ("draft.pdf", b"%PDF-1.4 draft")},
    )
    assert Document.objects.count() == 1
    assert first.redirect_chain[0][1] == second.redirect_chain[0][1] == 302
    assert second.content.decode().count("文档已归档。") == 1
    assert Event.objects.filter(kind="document.added").count() == 1


def test_a_weekly_series_sent_twice_is_booked_once(client, company, student):
    client.force_login(company.scheduler_a)
    data = {
        "request_key": str(uuid.uuid4()),
        "starts_at": "2026-12-05T09:00",
        "ends_at": "2026-12-05T11:00",
        "subject": "数学",
        "hours": "2",
        "teacher": company.teacher_a.pk,
        "classroom": "A301",
        "weeks": "4",
    }
    first, second = twice(client, f"/students/{student.pk}/lessons/new/", data)
    assert Lesson.objects.filter(student=student).count() == 4
    assert first.redirect_chain[0][1] == second.redirect_chain[0][1] == 302  # no "already booked" error
    assert "已排 4 次课。" in second.content.decode()
    assert Event.objects.filter(kind="lessons.scheduled").count() == 1


def test_a_contract_entered_twice_is_entered_once(client, company, time_machine):
    time_machine.move_to(datetime(2026, 9, 30, 11, 0, tzinfo=SH), tick=False)
    client.force_login(company.consultant_a)
    data = {
        "request_key": str(uuid.uuid4()),
        "full_name": "钱多多",
        "guardian_name": "钱妈妈",
        "guardian_relation": "mother",
        "guardian_phone": "138 1234 5678",
        "number": "HD-2026-0931",
        "signed_at": "2026-09-30T10:00",
        "subjects": "数学",
        "hours": "60",
        "unit_price": "220",
        "amount": "13200",
    }
    first, second = twice(client, "/students/new/", data)
    assert (Student.objects.count(), Contract.objects.count(), Guardian.objects.count()) == (1, 1, 1)
    student = Student.objects.get()
    assert first.redirect_chain == second.redirect_chain == [(student.get_absolute_url(), 302)]
    # The same number in another form is still refused.
    again = client.post("/students/new/", {**data, "request_key": str(uuid.uuid4())})
    assert again.status_code == 200 and "该编号的合同已经录入。" in again.content.decode()


def test_a_warning_sign_sent_twice_is_recorded_once(client, company, student):
    client.force_login(company.manager_a1)
    data = {"request_key": str(uuid.uuid4()), "description": "上课情绪低落，说想退费"}
    first, second = twice(client, f"/retention/new/{student.pk}/", data)
    case = Case.objects.get()
    assert first.redirect_chain == second.redirect_chain == [(case.get_absolute_url(), 302)]
    assert Event.objects.filter(kind__in=("case.opened", "case.sign")).count() == 1
    # A further sign (another form) joins the open case once, however often it is sent.
    more = {"request_key": str(uuid.uuid4()), "description": "家长来电抱怨"}
    twice(client, f"/retention/new/{student.pk}/", more)
    assert Event.objects.filter(kind="case.sign").count() == 1
    assert Case.objects.count() == 1
