"""The first lesson and the pre-class work (P1–P3); lessons cannot double-book a teacher or a room."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from deadlines.models import Deadline, Status
from handover.models import PreClass
from students.models import Lesson, Student
from timeline.models import Event

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def student(company, time_machine):
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)  # Tuesday
    return Student.objects.create(full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1)


def first_lesson(client, student, company, **changes):
    data = {
        "starts_at": "2026-12-06T10:00",
        "ends_at": "2026-12-06T12:00",
        "subject": "数学",
        "hours": "2",
        "teacher": company.teacher_a.pk,
        "classroom": "301",
        **changes,
    }
    return client.post(f"/handover/preclass/{student.pk}/first_lesson/", data)


def test_setting_the_first_lesson_opens_p1_p2_p3(client, student, company):
    client.force_login(company.scheduler_a)
    assert first_lesson(client, student, company).status_code == 302
    due = dict(Deadline.objects.values_list("rule", "due_at"))
    assert due == {
        "P1": at(2026, 12, 6, 10, 0),  # by the lesson
        "P2": at(2026, 12, 5, 10, 0),  # 24 hours before
        "P3": at(2026, 12, 4, 18, 0),  # Sunday lesson: before leaving work on Friday
    }
    assert set(Deadline.objects.values_list("owner", flat=True)) == {company.manager_a1.pk}


def test_moving_the_first_lesson_reschedules_and_asks_to_tell_the_parent_again(client, student, company):
    client.force_login(company.manager_a1)
    first_lesson(client, student, company)
    pre = PreClass.objects.get()
    client.post(
        f"/handover/preclass/{student.pk}/parent_told/", {"channel": "phone", "told_at": "2026-12-01T10:00"}
    )
    assert Deadline.objects.get(rule="P2").status == Status.MET
    moved = first_lesson(
        client, student, company, starts_at="2026-12-13T10:00", ends_at="2026-12-13T12:00", reason="老师出差"
    )
    assert moved.status_code == 302
    pre.refresh_from_db()
    assert pre.parent_told_at is None and pre.first_lesson.starts_at == at(2026, 12, 13, 10, 0)
    assert Deadline.objects.get(rule="P2", status=Status.OPEN).due_at == at(2026, 12, 12, 10, 0)
    assert Deadline.objects.get(rule="P3").due_at == at(2026, 12, 11, 18, 0)
    assert Event.objects.filter(kind="preclass.first_lesson_moved", reason="老师出差").exists()


def test_p1_needs_both_reports_and_p3_is_recorded_once(client, student, company):
    client.force_login(company.manager_a1)
    first_lesson(client, student, company)
    refused = client.post(f"/handover/preclass/{student.pk}/talk/", {"notes": "了解了学生情况"}, follow=True)
    assert "请先拿到《学习情况个性化分析报告》和《个性化辅导草案》。" in refused.content.decode()
    client.post(f"/handover/preclass/{student.pk}/talk/", {"notes": "了解了学生情况", "reports_held": "on"})
    client.post(f"/handover/preclass/{student.pk}/documents_ready/")
    client.post(f"/handover/preclass/{student.pk}/documents_ready/")  # a double click
    assert dict(Deadline.objects.values_list("rule", "status")) == {"P1": "met", "P2": "open", "P3": "met"}
    assert Event.objects.filter(kind="preclass.documents_ready").count() == 1


def test_a_teacher_or_classroom_cannot_be_booked_twice(client, student, company):
    other = Student.objects.create(full_name="钱多多", campus=company.campus_a, manager=company.manager_a1)
    Lesson.objects.create(
        student=other,
        starts_at=at(2026, 12, 6, 11, 0),
        ends_at=at(2026, 12, 6, 13, 0),
        subject="英语",
        hours=Decimal(2),
        teacher=company.teacher_a,
        classroom="302",
    )
    client.force_login(company.manager_a1)
    teacher_taken = first_lesson(client, student, company)
    assert teacher_taken.status_code == 200 and "已有课" in teacher_taken.content.decode()
    room_taken = first_lesson(client, student, company, teacher="", classroom="302")
    assert "302 教室该时段已被占用。" in room_taken.content.decode()
    assert not PreClass.objects.exists()
    assert first_lesson(client, student, company, teacher="", classroom="303").status_code == 302


def test_bad_times_are_refused(client, student, company):
    client.force_login(company.manager_a1)
    backwards = first_lesson(client, student, company, ends_at="2026-12-06T09:00", teacher="")
    assert "下课时间必须晚于上课时间。" in backwards.content.decode()
    past = first_lesson(
        client, student, company, starts_at="2026-11-30T10:00", ends_at="2026-11-30T12:00", teacher=""
    )
    assert "首次课时间必须在未来。" in past.content.decode()
    assert not Lesson.objects.exists()


def test_who_may_set_the_first_lesson_and_record_the_steps(client, student, company):
    client.force_login(company.teacher_a)
    assert first_lesson(client, student, company).status_code == 404  # not their student yet
    client.force_login(company.manager_a2)
    assert first_lesson(client, student, company).status_code == 404
    client.force_login(company.consultant_a)
    assert first_lesson(client, student, company).status_code == 404
    client.force_login(company.supervisor_a)
    assert first_lesson(client, student, company).status_code == 403
    client.force_login(company.scheduler_a)
    first_lesson(client, student, company)
    refused = client.post(f"/handover/preclass/{student.pk}/documents_ready/")
    assert refused.status_code == 403  # only the manager records the pre-class work


def test_an_unassigned_student_gets_no_first_lesson(client, company, time_machine):
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)
    waiting = Student.objects.create(full_name="待分配", campus=company.campus_a)
    client.force_login(company.scheduler_a)
    response = first_lesson(client, waiting, company, teacher="")
    assert response.status_code == 302 and not Lesson.objects.exists()


def test_the_printable_course_schedule(client, student, company):
    client.force_login(company.manager_a1)
    first_lesson(client, student, company)
    html = client.get(f"/students/{student.pk}/schedule/").content.decode()
    assert "课程安排表" in html and "2026-12-06" in html and "10:00–12:00" in html and "301" in html
    assert "print.css" in html
    client.force_login(company.manager_b)
    assert client.get(f"/students/{student.pk}/schedule/").status_code == 404


def test_saving_the_first_lesson_unchanged_moves_nothing(client, student, company):
    client.force_login(company.manager_a1)
    first_lesson(client, student, company)
    client.post(
        f"/handover/preclass/{student.pk}/parent_told/", {"channel": "phone", "told_at": "2026-12-01T10:00"}
    )
    first_lesson(client, student, company, classroom="302")  # same time, another room
    assert not Event.objects.filter(kind="preclass.first_lesson_moved").exists()
    assert PreClass.objects.get().parent_told_at is not None
    assert Lesson.objects.get().classroom == "302"
    no_reason = first_lesson(
        client, student, company, starts_at="2026-12-13T10:00", ends_at="2026-12-13T12:00"
    )
    assert "请说明首次课改期的原因。" in no_reason.content.decode()


def test_a_first_lesson_after_a_booked_lesson_is_refused(client, student, company):
    Lesson.objects.create(
        student=student,
        starts_at=at(2026, 12, 3, 10),
        ends_at=at(2026, 12, 3, 12),
        subject="数学",
        hours=Decimal(2),
    )
    client.force_login(company.manager_a1)
    response = first_lesson(client, student, company, teacher="")
    assert "该生已有更早的课" in response.content.decode() and not PreClass.objects.exists()


def test_a_student_is_never_booked_twice_at_once(client, student, company):
    client.force_login(company.manager_a1)
    first_lesson(client, student, company, teacher="", classroom="")
    clash = client.post(
        f"/students/{student.pk}/lessons/new/",
        {
            "starts_at": "2026-12-06T11:00",
            "ends_at": "2026-12-06T13:00",
            "subject": "英语",
            "hours": "2",
            "weeks": "1",
        },
    )
    assert "该生这个时段已经有课。" in clash.content.decode()


def test_classroom_names_are_one_room_whatever_the_case(client, student, company):
    other = Student.objects.create(full_name="钱多多", campus=company.campus_a, manager=company.manager_a1)
    Lesson.objects.create(
        student=other,
        starts_at=at(2026, 12, 6, 11),
        ends_at=at(2026, 12, 6, 13),
        subject="英语",
        hours=Decimal(2),
        classroom="A301",
    )
    client.force_login(company.manager_a1)
    assert (
        "教室该时段已被占用"
        in first_lesson(client, student, company, teacher="", classroom=" a301").content.decode()
    )


def test_the_parent_cannot_be_told_before_the_lesson_was_set(client, student, company):
    client.force_login(company.manager_a1)
    first_lesson(client, student, company)
    response = client.post(
        f"/handover/preclass/{student.pk}/parent_told/", {"channel": "phone", "told_at": "2020-01-01T10:00"}
    )
    assert "首次课设置之后" in response.content.decode()
    assert PreClass.objects.get().parent_told_at is None


def test_teachers_do_not_see_the_pre_class_page(client, student, company):
    client.force_login(company.manager_a1)
    first_lesson(client, student, company)
    client.force_login(company.teacher_a)
    assert client.get(f"/handover/preclass/{student.pk}/").status_code == 404


def test_the_parent_told_in_the_minute_the_lesson_was_set_is_on_time(client, student, company, time_machine):
    time_machine.move_to(at(2026, 12, 1, 10, 15, 40), tick=False)  # the lesson is set at 10:15:40
    client.force_login(company.manager_a1)
    first_lesson(client, student, company)
    response = client.post(
        f"/handover/preclass/{student.pk}/parent_told/", {"channel": "phone", "told_at": "2026-12-01T10:15"}
    )
    assert response.status_code == 302
    assert Deadline.objects.get(rule="P2").status == Status.MET


def test_once_the_first_lesson_has_begun_open_pre_class_clocks_close_as_missed(
    client, student, company, time_machine
):
    from deadlines.selectors import team_day
    from deadlines.services import sweep

    client.force_login(company.manager_a1)
    first_lesson(client, student, company)  # Sunday 6 December 10:00
    client.post(f"/handover/preclass/{student.pk}/documents_ready/")  # P3 done in time
    sweep(now=at(2026, 12, 6, 9, 59))
    assert Deadline.objects.get(rule="P2").status == Status.ESCALATED  # late, not yet missed
    result = sweep(now=at(2026, 12, 6, 10, 0))
    assert result.missed == 2
    statuses = dict(Deadline.objects.values_list("rule", "status"))
    assert statuses == {"P1": Status.MISSED, "P2": Status.MISSED, "P3": Status.MET}
    missed = Deadline.objects.get(rule="P1")
    assert missed.reason == "首次课已开始。" and missed.closed_at == at(2026, 12, 6, 10, 0)
    assert Event.objects.filter(kind="deadline.missed", to_state="missed").count() == 2
    # Counted as not on time, never escalated again.
    days = team_day(company.supervisor_a, now=at(2026, 12, 6, 10, 0))
    day = next(d for d in days if d.manager == company.manager_a1)
    assert (day.met_on_time, day.due_this_month) == (1, 3)
    assert not sweep(now=at(2026, 12, 9, 10, 0)).escalated
    # No longer offered as forms, and refused if posted.
    time_machine.move_to(at(2026, 12, 6, 10, 5), tick=False)
    client.force_login(company.manager_a1)
    page = client.get(f"/handover/preclass/{student.pk}/").content.decode()
    assert "/talk/" not in page and "/parent_told/" not in page and "/documents_ready/" not in page
    assert "已错过" in page
    client.post(f"/handover/preclass/{student.pk}/talk/", {"notes": "补记", "reports_held": "on"})
    assert PreClass.objects.get().talk_at is None


def test_a_first_lesson_within_24_hours_asks_to_confirm_that_p2_will_be_late(client, student, company):
    from deadlines.services import sweep

    client.force_login(company.scheduler_a)
    soon = {"starts_at": "2026-12-02T08:00", "ends_at": "2026-12-02T10:00"}  # 22 hours away
    refused = first_lesson(client, student, company, **soon)
    assert refused.status_code == 200 and not PreClass.objects.exists()
    assert "不到24小时" in refused.content.decode()
    assert first_lesson(client, student, company, short_notice="on", **soon).status_code == 302
    p2 = Deadline.objects.get(rule="P2")
    assert p2.due_at == at(2026, 12, 1, 8, 0)  # already past
    assert p2.escalate_at == at(2026, 12, 1, 14, 0)  # the grace runs from now, not from the due time
    sweep(now=at(2026, 12, 1, 10, 1))
    p2.refresh_from_db()
    assert (p2.status, p2.escalation_level) == (Status.OVERDUE, 0)  # late, not escalated yet
    # The same lesson saved again (a new room) does not ask again.
    again = first_lesson(client, student, company, classroom="302", **soon)
    assert again.status_code == 302


def test_the_pre_class_clocks_open_the_pre_class_page(client, student, company):
    client.force_login(company.scheduler_a)
    first_lesson(client, student, company)
    page = f"/handover/preclass/{student.pk}/"
    links = {d.rule: d.action_url for d in Deadline.objects.all()}
    pre = PreClass.objects.get()
    assert links == dict.fromkeys(("P1", "P2", "P3"), f"/handover/preclass/work/{pre.pk}/")
    client.force_login(company.manager_a1)
    home = client.get("/").content.decode()  # My day
    assert home.count(f'class="link-body-emphasis" href="{links["P1"]}"') == 3
    for person in ("manager_a1", "supervisor_a", "director_a"):
        client.force_login(getattr(company, person))
        response = client.get(links["P1"])
        assert (response.status_code, response.url) == (302, page), person
    for person in ("manager_a2", "teacher_a", "director_b"):
        client.force_login(getattr(company, person))
        assert client.get(links["P1"]).status_code == 404, person
