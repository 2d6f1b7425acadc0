"""The timeline says what each note is (a callback's summary, a score's analysis, a waiver's reason)
and shows a score's value."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from deadlines.services import deadline_open, deadline_waive
from followups.callbacks import callback_record
from followups.scores import score_record
from students.models import Contract, Student
from timeline.models import Event
from timeline.templatetags.timeline import describe, note_label

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def student(company, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 10, 0, tzinfo=SH), tick=False)
    student = Student.objects.create(
        full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1, status="active"
    )
    Contract.objects.create(
        student=student,
        number="HD-1",
        signed_at=datetime(2026, 11, 20, 9, 0, tzinfo=SH),
        consultant=company.consultant_a,
        subjects="数学",
        hours=Decimal(40),
        unit_price=Decimal(200),
        amount=Decimal(8000),
    )
    return student


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("callback.recorded", "总结"),
        ("growth.recorded", "总结"),
        ("score.recorded", "分析"),
        ("concern.handled", "分析"),
        ("absence.reason", "原因"),
        ("deadline.waived", "原因"),
        ("deadline.stopped", "原因"),
        ("student.paused", "原因"),
        ("lesson.talk", "家长的话"),
        ("case.reported", "书面纪要"),
        ("refund.rejected", "备注"),
        ("something.new", "备注"),  # a kind not named: a note
    ],
)
def test_each_kind_s_note_has_its_label(kind, label):
    with translation.override("zh-hans"):
        assert note_label(Event(kind=kind)) == label


def test_a_score_shows_its_value():
    event = Event(kind="score.recorded", data={"subject": "数学", "score": "92.0", "full_marks": "150"})
    with translation.override("zh-hans"):
        assert describe(event) == "考试成绩 · 数学 92 分（满分 150）"
        assert describe(Event(kind="score.recorded", data={"subject": "数学"})) == "考试成绩 · 数学"
    with translation.override("en"):
        assert describe(event) == "exam score · 数学 92 of 150"


def test_a_pause_shows_when_the_student_is_expected_back():
    event = Event(kind="student.paused", data={"expected_return_on": "2026-12-16"})
    with translation.override("zh-hans"):
        assert describe(event).endswith(" · 预计 2026-12-16 返回")
    with translation.override("en"):
        assert describe(event).endswith(" · expected back on 2026-12-16")


def test_the_student_page_labels_each_note_by_what_it_is(client, company, student):
    manager = company.manager_a1
    callback_record(
        student=student,
        actor=manager,
        request_key=uuid.uuid4(),
        at=datetime(2026, 12, 2, 9, 0, tzinfo=SH),
        summary="家长满意，希望多练习",
    )
    score_record(
        student=student,
        actor=manager,
        request_key=uuid.uuid4(),
        kind="monthly",
        subject="数学",
        score=Decimal("92"),
        full_marks=Decimal("100"),
        exam_date=date(2026, 11, 28),
        analysis="函数进步明显",
    )
    deadline = deadline_open(rule="R1", subject=student, owner=manager)
    deadline_waive(deadline=deadline, actor=company.supervisor_a, reason="家长临时出国")
    client.force_login(manager)
    html = client.get(f"/students/{student.pk}/").content.decode()
    assert '<span class="text-secondary">总结:</span> 家长满意，希望多练习' in html
    assert "<div>考试成绩 · 数学 92 分（满分 100）</div>" in html
    assert '<span class="text-secondary">分析:</span> 函数进步明显' in html
    assert '<span class="text-secondary">原因:</span> 家长临时出国' in html
    assert "原因: 家长满意" not in html  # a callback's text is its summary, not a reason


def test_an_exam_entered_in_the_calendar_has_its_label():
    event = Event(kind="exam.added", data={"school": "人大附中", "kind": "monthly"})
    with translation.override("zh-hans"):
        assert describe(event) == "考试已录入日历 · 人大附中"
