"""The stage summary (阶段性总结, L2): a draft assembled from the first weeks' records, edited, printed
on A4 and filed once — filing it meets L2."""

import io
import uuid
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from deadlines.models import Deadline, Status
from followups.models import AbsenceReason, Callback, Concern, ExamScore
from followups.selectors import stage_facts
from followups.summaries import stage_summary_draft
from students.models import Document, Lesson
from timeline.models import Access

from .conftest import at


def lesson(student, company, day, status, hours=2):
    return Lesson.objects.create(
        student=student,
        starts_at=at(2026, 12, day, 16, 0),
        ends_at=at(2026, 12, day, 18, 0),
        subject="数学",
        hours=Decimal(hours),
        teacher=company.teacher_a,
        status=status,
    )


def score(student, company, subject, value, day, full=100):
    ExamScore.objects.create(
        student=student,
        kind="monthly",
        subject=subject,
        score=Decimal(value),
        full_marks=Decimal(full),
        exam_date=date(2026, 12, day),
        analysis="计算错误减少",
        created_by=company.manager_a1,
    )


@pytest.fixture
def stage(company, taught, time_machine):
    """赵一鸣's first weeks (the first lesson on 1 Dec): four lessons taught, one missed (its reason
    found), one cancelled; 数学 up from 70 to 86, 英语 down from 90 to 80 (of 150), 物理 once; three
    talks and two concerns, one of them handled. Today is Thursday 24 Dec."""
    student, manager = taught, company.manager_a1
    for day in (3, 15, 17):
        lesson(student, company, day, Lesson.Status.DONE)
    missed = lesson(student, company, 8, Lesson.Status.ABSENT)
    AbsenceReason.objects.create(lesson=missed, reason="发烧请假", recorded_by=manager)
    lesson(student, company, 10, Lesson.Status.CANCELLED)
    lesson(student, company, 28, Lesson.Status.SCHEDULED)  # after today: not in the stage
    score(student, company, "数学", 70, 5)
    score(student, company, "数学", 86, 20)
    score(student, company, "英语", 135, 5, full=150)
    score(student, company, "英语", 120, 20, full=150)
    score(student, company, "物理", 75, 20)
    talks = ((2, "parent", "首课反馈良好"), (9, "teacher", "作业完成慢"), (21, "parent", "月考进步"))
    for day, with_whom, summary in talks:
        Callback.objects.create(
            student=student,
            with_whom=with_whom,
            at=at(2026, 12, day, 19, 0),
            summary=summary,
            next_steps="每天练习口算",
            created_by=manager,
        )
    time_machine.move_to(at(2026, 12, 11, 10, 0), tick=False)
    Concern.objects.create(
        student=student,
        kind="mood",
        description="上课走神",
        raised_by=company.teacher_a,
        analysis="睡眠不足",
        parent_advice="建议早睡",
        student_talk="约定作息",
        handled_by=manager,
        handled_at=at(2026, 12, 11, 18, 0),
    )
    time_machine.move_to(at(2026, 12, 22, 10, 0), tick=False)
    Concern.objects.create(
        student=student, kind="habits", description="作业拖延", raised_by=company.teacher_a
    )
    time_machine.move_to(at(2026, 12, 24, 10, 0), tick=False)
    return student


def test_the_draft_counts_the_first_weeks_and_the_trend_of_each_subject(stage):
    facts = stage_facts(stage, date(2026, 12, 1), date(2026, 12, 24))
    assert (facts.attendance.done, facts.attendance.hours) == (4, Decimal(8))  # the first lesson too
    assert (facts.attendance.absent, facts.attendance.cancelled) == (1, 1)
    assert {t.subject: (t.direction, t.change) for t in facts.trends} == {
        "数学": ("up", 16.0),
        "英语": ("down", -10.0),
        "物理": ("", None),
    }
    assert facts.callbacks_total == 3 and facts.callback_counts == {"parent": 2, "teacher": 1}
    assert facts.concerns_total == 2
    with translation.override("en"):
        draft = stage_summary_draft(facts, stage)
    assert draft["attendance"].startswith(
        "2026-12-01 – 2026-12-24: lessons taught 4 (8 class hours); missed 1; cancelled 1."
    )
    assert "Missed on 12-08 (数学): 发烧请假" in draft["attendance"]
    assert "数学: 12-05 Monthly exam 70 → 12-20 Monthly exam 86 — up 16 percentage points." in draft["scores"]
    assert (
        "英语: 12-05 Monthly exam 135/150 → 12-20 Monthly exam 120/150 — down 10 percentage points."
        in (draft["scores"])
    )
    assert "物理: 12-20 Monthly exam 75 — one score so far." in draft["scores"]
    assert "Talks recorded: 3 — with the parent 2, the student 0, the teachers 1." in draft["callbacks"]
    assert draft["callbacks"].index("月考进步") < draft["callbacks"].index("作业完成慢")  # the latest first
    assert "What was done: analysis: 睡眠不足；the parent was told: 建议早睡" in draft["concerns"]
    assert "作业拖延 (not handled yet)" in draft["concerns"]
    assert draft["next_steps"] == "每天练习口算"  # the latest talk's, the file having no measures yet


def test_the_draft_page_is_in_chinese_from_the_first_lesson(
    client, company, stage, django_assert_max_num_queries
):
    client.force_login(company.manager_a1)
    with django_assert_max_num_queries(17):  # the page's navigation counts included
        html = client.get(f"/followups/students/{stage.pk}/stage-summary/").content.decode()
    assert "2026-12-01 – 2026-12-24：上课 4 次（8 课时），缺课 1 次，取消 1 次。" in html
    assert "上升 16 个百分点" in html and "下降 10 个百分点" in html
    assert 'value="2026-12-01"' in html and 'value="2026-12-24"' in html  # the period it covers


def post(client, student, key, **changes):
    data = {
        "request_key": str(key),
        "since": "2026-12-01",
        "until": "2026-12-24",
        "attendance": "上课 4 次",
        "scores": "数学上升",
        "callbacks": "回访 3 次",
        "concerns": "上课走神，已处理",
        "next_steps": "每天练习口算",
        "given_to_parent_on": "2026-12-24",
        **changes,
    }
    return client.post(f"/followups/students/{student.pk}/stage-summary/", data)


def test_filing_meets_l2_once(client, company, stage, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(company.manager_a1)
    assert Deadline.objects.get(rule="L2", student=stage).status == Status.OPEN
    key = uuid.uuid4()
    first = post(client, stage, key)
    second = post(client, stage, key)  # a double click
    assert first.status_code == second.status_code == 302
    document = Document.objects.get(student=stage)
    assert document.kind == Document.Kind.STAGE_SUMMARY and document.given_to_parent_on == date(2026, 12, 24)
    assert Deadline.objects.get(rule="L2", student=stage).status == Status.MET
    with zipfile.ZipFile(io.BytesIO(document.file.read())) as docx:  # a Word file of the text
        text = docx.read("word/document.xml").decode()
    assert "数学上升" in text and "每天练习口算" in text and "赵一鸣" in text
    assert stage.timeline.filter(kind="document.added").count() == 1
    assert "已归档阶段性总结。" in client.get(f"/students/{stage.pk}/").content.decode()


def test_filing_needs_the_day_the_parent_got_it_and_some_text(client, company, stage, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(company.manager_a1)
    empty = dict.fromkeys(("attendance", "scores", "callbacks", "concerns", "next_steps"), " ")
    assert "请先写总结。" in post(client, stage, uuid.uuid4(), **empty).content.decode()
    tomorrow = post(client, stage, uuid.uuid4(), given_to_parent_on="2026-12-25")
    assert "交给家长的日期不能在未来。" in tomorrow.content.decode()
    assert post(client, stage, uuid.uuid4(), given_to_parent_on="").status_code == 200
    assert not Document.objects.exists()
    assert Deadline.objects.get(rule="L2", student=stage).status == Status.OPEN


def test_who_writes_the_stage_summary(client, company, stage, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = f"/followups/students/{stage.pk}/stage-summary/"
    refused = (("manager_b", 404), ("manager_a2", 404), ("teacher_a", 403), ("consultant_a", 403))
    for name, expected in refused:
        client.force_login(getattr(company, name))
        assert client.get(url).status_code == expected, name
        assert post(client, stage, uuid.uuid4()).status_code == expected, name
        assert client.post(f"{url}print/", {}).status_code == expected, name
    assert not Document.objects.exists()
    for name in ("supervisor_a", "director_a"):
        client.force_login(getattr(company, name))
        assert client.get(url).status_code == 200, name


def test_the_printed_summary_is_the_edited_text_escaped_with_the_score_chart(
    client, company, stage, django_assert_max_num_queries
):
    score(stage, company, "<b>化学</b>", 60, 21)
    client.force_login(company.manager_a1)
    data = {
        "request_key": str(uuid.uuid4()),
        "since": "2026-12-01",
        "until": "2026-12-24",
        "scores": "数学上升 <script>alert(1)</script>",
        "next_steps": "每天练习口算",
    }
    with django_assert_max_num_queries(5):
        response = client.post(f"/followups/students/{stage.pk}/stage-summary/print/", data)
    html = response.content.decode()
    assert response.status_code == 200 and "<script>alert" not in html
    assert "数学上升 &lt;script&gt;alert(1)&lt;/script&gt;" in html and "每天练习口算" in html
    assert "<svg" in html and "&lt;b&gt;化学&lt;/b&gt;" in html and "<b>化学" not in html
    assert "出勤" not in html  # a part left empty is not printed
    assert not Document.objects.exists()  # printing files nothing
    access = Access.objects.get(action=Access.Action.PRINT)
    assert access.student == stage and access.detail == "阶段性总结"
