"""Callbacks: the first lesson starts F1 and L4; each parent callback closes one and opens the next."""

import uuid

import pytest

from deadlines.models import Deadline, Status
from followups.models import Callback
from timeline.models import Event

from .conftest import at


def call(client, student, when="2026-12-01T19:30", key=None, **changes):
    data = {
        "with_whom": "parent",
        "channel": "phone",
        "at": when,
        "summary": "首课反馈很好，孩子愿意继续",
        "request_key": str(key or uuid.uuid4()),
        **changes,
    }
    return client.post(f"/followups/students/{student.pk}/callbacks/", data, HTTP_HX_REQUEST="true")


def test_the_first_lesson_opens_the_callbacks_the_documents_and_the_post_lesson_talk(taught):
    due = {d.rule: d.due_at for d in Deadline.objects.filter(student=taught)}
    assert due == {
        "F1": at(2026, 12, 1, 18, 0),  # the first lesson's working day
        "L4": at(2026, 12, 8, 16, 0),  # a week after the first lesson
        "L1": at(2026, 12, 1, 18, 0),  # course schedule and draft: that day
        "L3": at(2026, 12, 2, 18, 0),  # talk after the lesson: the next working day's end
        "F2": at(2026, 12, 22, 18, 0),  # 3 weeks, at closing time
        "F3": at(2026, 12, 29, 18, 0),  # 4 weeks: no 20th lesson booked
        "L2": at(2026, 12, 29, 18, 0),  # 4th week
    }


def test_a_parent_callback_meets_f1_and_l4_and_opens_the_next(client, taught, company):
    client.force_login(company.manager_a1)
    key = uuid.uuid4()
    response = call(client, taught, key=key)
    assert response.headers["HX-Refresh"] == "true"  # the whole page reloads: deadlines show the callback
    assert "已记录回访。" in client.get(f"/students/{taught.pk}/").content.decode()
    call(client, taught, key=key)  # the same form sent twice
    assert Callback.objects.count() == 1
    assert Deadline.objects.get(rule="F1").status == Status.MET_LATE  # after closing time on the day
    l4 = {d.occurrence: d for d in Deadline.objects.filter(rule="L4")}
    assert l4[1].status == Status.MET and l4[2].status == Status.OPEN
    assert l4[2].due_at == at(2026, 12, 8, 19, 30)  # a week after this callback
    assert Event.objects.filter(kind="callback.recorded", actor=company.manager_a1).count() == 1


def test_after_two_months_callbacks_are_due_every_two_weeks(client, taught, company, time_machine):
    time_machine.move_to(at(2027, 2, 5, 10, 0), tick=False)
    client.force_login(company.manager_a1)
    call(client, taught, when="2027-02-05T09:00")
    assert Deadline.objects.get(rule="L4", status=Status.OPEN).due_at == at(2027, 2, 19, 9, 0)


def test_a_talk_with_the_teacher_is_logged_but_is_not_a_parent_callback(client, taught, company):
    client.force_login(company.manager_a1)
    call(client, taught, with_whom="teacher")
    assert Callback.objects.count() == 1
    assert Deadline.objects.get(rule="L4").status == Status.OPEN


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"summary": "  "}, "这个字段是必填项。"),
        ({"at": "2026-12-02T09:00"}, "回访时间不能晚于现在。"),
        ({"at": "not a time"}, "输入一个有效的日期/时间。"),
        ({"at": "2026-11-01T09:00"}, "回访时间不能早于学生的合同。"),
    ],
)
def test_bad_input_says_why_and_saves_nothing(client, taught, company, changes, message):
    client.force_login(company.manager_a1)
    response = call(client, taught, **changes)
    assert message in response.content.decode()
    assert not Callback.objects.exists()


def test_who_records_callbacks(client, taught, company):
    client.force_login(company.supervisor_a)
    assert call(client, taught).status_code == 200 and Callback.objects.count() == 1
    client.force_login(company.teacher_a)
    assert call(client, taught).status_code == 403
    client.force_login(company.manager_a2)
    assert call(client, taught).status_code == 404
    client.force_login(company.manager_a1)
    form = client.get(f"/followups/students/{taught.pk}/callbacks/")  # the form, drawn when opened
    assert form.status_code == 200 and 'name="summary"' in form.content.decode()
    client.force_login(company.teacher_a)
    assert client.get(f"/followups/students/{taught.pk}/callbacks/").status_code == 403


def test_the_student_page_shows_the_callback_log(client, taught, company):
    client.force_login(company.manager_a1)
    call(client, taught)
    html = client.get(f"/students/{taught.pk}/").content.decode()
    assert "回访记录" in html and "首课反馈很好" in html


def test_without_javascript_errors_come_back_as_a_page_and_a_save_redirects(client, taught, company):
    client.force_login(company.manager_a1)
    url = f"/followups/students/{taught.pk}/callbacks/"
    data = {
        "with_whom": "parent",
        "channel": "phone",
        "at": "2026-12-01T19:30",
        "request_key": str(uuid.uuid4()),
    }
    page = client.post(url, {**data, "summary": ""})
    assert "<html" in page.content.decode() and "这个字段是必填项。" in page.content.decode()
    saved = client.post(url, {**data, "summary": "电话回访"})
    assert saved.status_code == 302 and saved.url == f"/students/{taught.pk}/#callbacks"
