"""Pausing stops the parent callbacks; a scheduler's change is passed on (L10); low hours call for
renewal (R1) and used-up hours end the contract."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from deadlines.models import Deadline, Kind, Notification, Status
from followups.changes import lesson_change_told
from followups.models import Renewal
from followups.pauses import student_pause, student_resume
from followups.renewal import renewal_record
from followups.tasks import renewals_open as renewals_open_task
from students.models import Lesson, Student
from students.services import contract_sign, lesson_change, lesson_mark
from timeline.models import Event

from .conftest import at


def l4s(student):
    return list(Deadline.objects.filter(rule="L4", student=student).order_by("occurrence"))


def test_a_pause_stops_the_callbacks_and_the_return_restarts_them(company, taught, time_machine):
    manager = company.manager_a1
    back = date(2026, 12, 24)
    with pytest.raises(ValidationError):
        student_pause(student=taught, actor=manager, reason=" ", expected_return_on=back)
    with pytest.raises(PermissionDenied):
        student_pause(student=taught, actor=company.manager_a2, reason="病假", expected_return_on=back)
    time_machine.move_to(at(2026, 12, 3, 10, 0), tick=False)
    assert student_pause(student=taught, actor=manager, reason="病假两周", expected_return_on=back)
    assert not student_pause(
        student=taught, actor=manager, reason="病假两周", expected_return_on=back
    )  # once
    (stopped,) = l4s(taught)
    assert (stopped.status, stopped.reason) == (Status.WAIVED, "病假两周")
    # Three weeks away: no callback falls due, none is late.
    time_machine.move_to(at(2026, 12, 24, 10, 0), tick=False)
    assert student_resume(student=taught, actor=manager)
    taught.refresh_from_db()
    assert taught.status == Student.Status.ACTIVE
    restarted = l4s(taught)[-1]
    assert (restarted.occurrence, restarted.status) == (2, Status.OPEN)
    assert restarted.due_at == at(2026, 12, 31, 10, 0)  # weekly again, from the return
    assert restarted.event_at == at(2026, 12, 1, 16, 0)  # still two months from the first lesson
    kinds = list(
        Event.objects.filter(student_id=taught.pk, kind__startswith="student.").values_list("kind", flat=True)
    )
    assert "student.paused" in kinds and "student.resumed" in kinds


def test_after_two_months_a_return_restarts_callbacks_every_two_weeks(company, taught, time_machine):
    student_pause(
        student=taught, actor=company.manager_a1, reason="寒假回老家", expected_return_on=date(2027, 2, 20)
    )
    time_machine.move_to(at(2027, 2, 20, 10, 0), tick=False)
    student_resume(student=taught, actor=company.manager_a1)
    assert l4s(taught)[-1].due_at == at(2027, 3, 6, 10, 0)


@pytest.fixture
def booked(company, taught):
    start = at(2026, 12, 8, 16, 0)
    return Lesson.objects.create(
        student=taught,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        subject="数学",
        hours=2,
        teacher=company.teacher_a,
        classroom="305",
    )


def change(lesson, actor, **values):
    lesson.refresh_from_db()
    return lesson_change(
        lesson=lesson,
        actor=actor,
        starts_at=values.get("starts_at", lesson.starts_at),
        ends_at=values.get("ends_at", lesson.ends_at),
        teacher=values.get("teacher", lesson.teacher),
        classroom=values.get("classroom", lesson.classroom),
        reason=values.get("reason", "老师出差"),
    )


def test_a_scheduler_s_change_tells_the_manager_who_tells_the_family_before_the_lesson(company, booked):
    assert change(booked, company.scheduler_a, classroom="402") == ["classroom"]
    l10 = Deadline.objects.get(rule="L10")
    assert (l10.owner, l10.due_at) == (company.manager_a1, at(2026, 12, 8, 16, 0))
    notice = Notification.objects.get(kind=Kind.OPENED)
    assert notice.recipient == company.manager_a1
    assert notice.deliver_after == at(2026, 12, 2, 9, 0)  # the change came at night: told at opening
    # Moved again before the family was told: the same task, due at the new time.
    change(booked, company.scheduler_a, starts_at=at(2026, 12, 9, 16, 0), ends_at=at(2026, 12, 9, 18, 0))
    l10.refresh_from_db()
    assert (l10.due_at, l10.round, Deadline.objects.filter(rule="L10").count()) == (
        at(2026, 12, 9, 16, 0),
        1,
        1,
    )
    assert Notification.objects.filter(kind=Kind.OPENED).count() == 2
    assert lesson_change_told(lesson=booked, actor=company.manager_a1)
    assert not lesson_change_told(lesson=booked, actor=company.manager_a1)
    l10.refresh_from_db()
    assert l10.status == Status.MET
    # A later change is a new task to pass on.
    change(booked, company.scheduler_a, teacher=None)
    assert Deadline.objects.filter(rule="L10", status=Status.OPEN).get().occurrence == 2


def test_the_manager_s_own_change_or_none_opens_no_task(company, booked):
    assert change(booked, company.manager_a1, classroom="402") == ["classroom"]
    assert change(booked, company.scheduler_a) == []
    assert not Deadline.objects.filter(rule="L10").exists()
    with pytest.raises(ValidationError):
        change(booked, company.scheduler_a, classroom="501", reason="")
    with pytest.raises(PermissionDenied):
        change(booked, company.teacher_a, classroom="501")


def spend(student, actor, hours, time_machine, day):
    start = at(2026, 12, day, 16, 0)
    lesson = Lesson.objects.create(
        student=student, starts_at=start, ends_at=start + timedelta(hours=2), subject="数学", hours=hours
    )
    time_machine.move_to(start + timedelta(hours=2, minutes=5), tick=False)
    lesson_mark(lesson=lesson, actor=actor, status="done")


def test_hours_below_the_threshold_ask_for_renewal_and_used_up_hours_end_the_contract(
    company, taught, time_machine
):
    manager = company.manager_a1
    spend(taught, manager, Decimal(27), time_machine, 2)  # 40 - 2 - 27 = 11 left: above 10
    assert not Deadline.objects.filter(rule="R1").exists()
    spend(taught, manager, Decimal(2), time_machine, 3)  # 9 left
    r1 = Deadline.objects.get(rule="R1")
    assert (r1.owner, r1.due_at) == (manager, at(2026, 12, 10, 18, 0))  # 5 working days
    renewals_open_task.delay()
    assert Deadline.objects.filter(rule="R1").count() == 1  # the morning run opens it once
    with pytest.raises(ValidationError) as error:
        renewal_record(student=taught, actor=manager, request_key=uuid.uuid4(), outcome="declined")
    assert "family_reason" in error.value.message_dict
    renewal_record(
        student=taught, actor=manager, request_key=uuid.uuid4(), outcome="undecided", note="下周再问"
    )
    assert Deadline.objects.get(rule="R1").status == Status.OPEN
    spend(taught, manager, Decimal(9), time_machine, 4)  # none left
    taught.refresh_from_db()
    assert taught.status == Student.Status.ENDED
    assert l4s(taught)[-1].status == Status.WAIVED
    # The family renews: the consultant enters the contract; the renewal is recorded and R1 met.
    contract = contract_sign(
        actor=company.consultant_a,
        student=taught,
        contract={
            "number": "HD-2",
            "signed_at": at(2026, 12, 4, 19, 0),
            "subjects": "数学",
            "hours": Decimal(40),
            "unit_price": Decimal(200),
            "amount": Decimal(8000),
        },
    )
    taught.refresh_from_db()
    assert taught.status == Student.Status.ACTIVE
    assert Renewal.objects.filter(outcome="renewed", contract=contract).count() == 1
    assert Deadline.objects.get(rule="R1").status == Status.MET
    assert l4s(taught)[-1].status == Status.OPEN


def test_a_declined_renewal_names_the_familys_reason(company, taught, time_machine):
    spend(taught, company.manager_a1, Decimal(30), time_machine, 2)
    key = uuid.uuid4()
    for _ in range(2):  # a double click records once
        renewal_record(
            student=taught,
            actor=company.manager_a1,
            request_key=key,
            outcome="declined",
            family_reason="results",
            note="家长觉得反馈太少",
        )
    assert (Renewal.objects.get().outcome, Renewal.objects.get().family_reason) == ("declined", "results")
    assert Deadline.objects.get(rule="R1").status == Status.MET
    with pytest.raises(PermissionDenied):
        renewal_record(
            student=taught, actor=company.teacher_a, request_key=uuid.uuid4(), outcome="undecided", note="x"
        )


def test_a_raised_threshold_opens_renewal_the_next_morning_once(company, taught):
    assert renewals_open_task.delay().get() == 0
    company.campus_a.renewal_threshold = Decimal(40)
    company.campus_a.save()
    assert renewals_open_task.delay().get() == 1
    assert renewals_open_task.delay().get() == 1
    assert Deadline.objects.filter(rule="R1", student=taught).count() == 1


def test_a_manager_s_own_move_re_times_the_task_the_scheduler_opened(company, booked):
    change(booked, company.scheduler_a, classroom="402")
    change(booked, company.manager_a1, starts_at=at(2026, 12, 6, 16, 0), ends_at=at(2026, 12, 6, 18, 0))
    l10 = Deadline.objects.get(rule="L10")
    assert (l10.due_at, l10.status) == (at(2026, 12, 6, 16, 0), Status.OPEN)
    assert (
        Notification.objects.filter(kind=Kind.OPENED).count() == 1
    )  # the manager is not told of their own move


def test_the_first_lesson_moves_on_its_own_page_only(company, time_machine):
    from handover.services import first_lesson_set

    time_machine.move_to(at(2026, 11, 20, 10, 0), tick=False)
    student = Student.objects.create(full_name="钱多多", campus=company.campus_a, manager=company.manager_a1)
    pre = first_lesson_set(
        student=student,
        actor=company.scheduler_a,
        starts_at=at(2026, 12, 1, 16, 0),
        ends_at=at(2026, 12, 1, 18, 0),
        subject="数学",
        hours=2,
    )
    with pytest.raises(ValidationError):
        change(
            pre.first_lesson,
            company.scheduler_a,
            starts_at=at(2026, 12, 10, 16, 0),
            ends_at=at(2026, 12, 10, 18, 0),
        )
    later = Lesson.objects.create(
        student=student,
        starts_at=at(2026, 12, 8, 16, 0),
        ends_at=at(2026, 12, 8, 18, 0),
        subject="数学",
        hours=2,
    )
    with pytest.raises(ValidationError) as error:
        change(later, company.scheduler_a, starts_at=at(2026, 11, 28, 16, 0), ends_at=at(2026, 11, 28, 18, 0))
    assert "starts_at" in error.value.message_dict


def test_an_unchanged_due_time_leaves_a_late_plan_late(company, taught, time_machine):
    from deadlines.services import sweep
    from students.services import lessons_schedule

    sweep(now=at(2027, 1, 10, 10, 0))
    late = Deadline.objects.get(rule="F3")
    assert late.status == Status.ESCALATED
    time_machine.move_to(at(2027, 1, 10, 10, 0), tick=False)
    lessons_schedule(
        student=taught,
        actor=company.scheduler_a,
        starts_at=at(2027, 1, 12, 16, 0),
        ends_at=at(2027, 1, 12, 18, 0),
        subject="数学",
        hours=2,
        weeks=20,
    )
    late.refresh_from_db()
    assert (late.status, late.round, late.due_at) == (Status.ESCALATED, 0, at(2026, 12, 29, 18, 0))
    assert late.event_at is not None  # the 20th lesson is known now, after the 4th week


def test_the_end_of_the_hours_stops_the_student_s_clocks_but_not_renewal(company, taught, time_machine):
    from followups.scores import growth_records_open

    growth_records_open(today=at(2026, 12, 1, 0, 0).date())
    spend(taught, company.manager_a1, Decimal(38), time_machine, 2)
    stopped = dict(Deadline.objects.filter(student=taught).values_list("rule", "status"))
    for rule in ("L4", "L6", "L1", "F2", "F3", "L2"):
        assert stopped[rule] == Status.WAIVED, rule
    assert stopped["R1"] == Status.OPEN and stopped["L3"] == Status.OPEN
    from followups.selectors import renewal_list

    assert [s.pk for s in renewal_list(company.manager_a1)] == [taught.pk]  # ended, not asked yet


def test_a_forecast_beyond_three_years_is_none():
    from datetime import date

    from followups.selectors import runs_out_on

    assert runs_out_on(Decimal(400), Decimal("0.1"), date(2026, 12, 1)) is None
    assert runs_out_on(Decimal(0), Decimal(0), date(2026, 12, 1)) == date(2026, 12, 1)
