"""Exam scores (L5): due a week after the exam or after the family learned it; a chart per subject."""

import uuid
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from deadlines.models import Deadline, Status
from followups.models import ExamScore
from students.models import Student

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def student(company, time_machine):
    time_machine.move_to(datetime(2026, 12, 10, 10, 0, tzinfo=SH), tick=False)
    return Student.objects.create(
        full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1, status="active"
    )


def enter(client, student, key=None, **changes):
    data = {
        "kind": "monthly",
        "subject": "数学",
        "score": "86",
        "full_marks": "100",
        "exam_date": "2026-12-05",
        "analysis": "计算错误减少，应用题仍需练习",
        "request_key": str(key or uuid.uuid4()),
        **changes,
    }
    return client.post(f"/followups/students/{student.pk}/scores/", data, HTTP_HX_REQUEST="true")


def test_a_score_within_the_week_is_on_time_and_drawn(client, student, company):
    client.force_login(company.manager_a1)
    key = uuid.uuid4()
    response = enter(client, student, key=key)
    enter(client, student, key=key)  # a double click
    assert ExamScore.objects.count() == 1
    assert Deadline.objects.get(rule="L5").status == Status.MET
    assert response.headers["HX-Refresh"] == "true"
    html = client.get(f"/students/{student.pk}/").content.decode()
    assert "已记录成绩。" in html and "<svg" in html and "86/100" in html


def test_a_score_entered_late_is_met_late_unless_the_family_learned_it_late(client, student, company):
    client.force_login(company.manager_a1)
    enter(client, student, exam_date="2026-11-20")
    enter(client, student, exam_date="2026-11-20", learned_on="2026-12-08", subject="英语")
    statuses = {d.subject.subject: d.status for d in Deadline.objects.filter(rule="L5")}
    assert statuses == {"数学": Status.MET_LATE, "英语": Status.MET}


def test_the_trend_has_one_line_per_subject(client, student, company):
    client.force_login(company.manager_a1)
    for day, score in (("2026-10-05", "70"), ("2026-11-05", "78"), ("2026-12-05", "86")):
        enter(client, student, exam_date=day, score=score)
    enter(client, student, exam_date="2026-11-05", score="120", full_marks="150", subject="英语")
    enter(client, student, exam_date="2026-12-05", score="135", full_marks="150", subject="英语")
    html = client.get(f"/students/{student.pk}/").content.decode()
    # One line each; every score a marker with its tooltip — circles for the first subject, squares
    # for the second — and the legend names both.
    assert html.count("<polyline") == 2
    assert html.count("</title></circle>") == 3 and html.count("</title></rect>") == 2
    assert "数学 · 2026-12-05 月考 86/100" in html and "英语 · 2026-12-05 月考 135/150" in html
    assert ">86</text>" in html and ">135/150</text>" in html  # the last values, written


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"score": "120"}, "分数必须在 0 到满分之间。"),
        ({"score": "-1"}, "分数必须在 0 到满分之间。"),
        ({"exam_date": "2026-12-11"}, "考试还没有举行"),
        ({"learned_on": "2026-12-01"}, "家长得知成绩的日期"),
        ({"analysis": " "}, "这个字段是必填项。"),
    ],
)
def test_bad_scores_are_refused_in_chinese(client, student, company, changes, message):
    client.force_login(company.manager_a1)
    assert message in enter(client, student, **changes).content.decode()
    assert not ExamScore.objects.exists()


def test_who_enters_scores(client, student, company):
    client.force_login(company.teacher_a)
    assert enter(client, student).status_code == 404  # not their student
    client.force_login(company.manager_b)
    assert enter(client, student).status_code == 404
    client.force_login(company.director_a)
    assert enter(client, student).status_code == 200 and ExamScore.objects.count() == 1
    assert ExamScore.objects.get().score == Decimal("86")
