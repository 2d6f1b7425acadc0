"""Every kind of due rule, and the services that open and close deadlines."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from deadlines.models import Deadline, Status
from deadlines.rules import (
    RULES,
    AtEvent,
    CalendarDays,
    CalendarDaysFromLater,
    CalendarDaysOrEvent,
    EndOfWorkingDayBefore,
    Hours,
    HoursBefore,
    LastWorkingDayOfMonth,
    Recurring,
    UnknownRule,
    WorkingDays,
    get_rule,
)
from deadlines.services import deadline_meet, deadline_open, deadline_reschedule, deadline_waive
from timeline.models import Event

from .conftest import at


def test_every_rule_of_the_process_with_a_clock_is_declared():
    assert set(RULES) >= {
        "H1",
        "H3",
        "H4",
        "P1",
        "P2",
        "P3",
        "P4",
        "F1",
        "F2",
        "F3",
        "F4",
        "L1",
        "L2",
        "L3",
        "L4",
        "L6",
        "L7",
        "L9",
        "L10",
        "R1",
        "L5",
        "L8",
        "E1",
        "E2",
    }
    assert {type(rule.due) for rule in RULES.values()} == {
        Hours,
        CalendarDays,
        CalendarDaysOrEvent,
        CalendarDaysFromLater,  # L5: a week from the exam, or from the day the family learned later
        WorkingDays,
        HoursBefore,
        AtEvent,
        EndOfWorkingDayBefore,
        Recurring,
        LastWorkingDayOfMonth,
    }


@pytest.mark.parametrize(
    ("rule", "start", "event", "due"),
    [
        ("H4", at(2026, 12, 4, 15, 0), None, at(2026, 12, 5, 15, 0)),  # 24 hours, weekend or not
        ("H3", at(2026, 12, 4, 15, 0), None, at(2026, 12, 5, 18, 0)),  # 1 day: closing time, a Saturday too
        ("H3", at(2026, 12, 4, 0, 30), None, at(2026, 12, 5, 18, 0)),  # not 00:30 the next night
        ("F2", at(2026, 12, 1, 16, 0), None, at(2026, 12, 22, 18, 0)),  # 3 weeks
        ("L5", at(2026, 12, 1, 19, 0), None, at(2026, 12, 8, 18, 0)),  # a week from the exam's day
        ("H1", at(2026, 9, 30, 10, 0), None, at(2026, 10, 9, 18, 0)),  # 2 working days over National Day
        ("H1", at(2026, 12, 4, 10, 0), None, at(2026, 12, 8, 18, 0)),  # Friday + 2 working days
        ("F4", at(2026, 12, 1, 10, 0), None, at(2026, 12, 1, 18, 0)),  # before leaving work that day
        ("F4", at(2026, 12, 1, 19, 0), None, at(2026, 12, 2, 18, 0)),  # after closing: the next working day
        ("F4", at(2026, 12, 5, 10, 0), None, at(2026, 12, 7, 18, 0)),  # on a Saturday: Monday
        (
            "P2",
            at(2026, 12, 1, 9, 0),
            at(2026, 12, 6, 10, 0),
            at(2026, 12, 5, 10, 0),
        ),  # 24 h before the lesson
        ("P1", at(2026, 12, 1, 9, 0), at(2026, 12, 6, 10, 0), at(2026, 12, 6, 10, 0)),  # by the lesson
        (
            "P3",
            at(2026, 12, 1, 9, 0),
            at(2026, 12, 6, 10, 0),
            at(2026, 12, 4, 18, 0),
        ),  # Sunday lesson: Friday
        ("P3", at(2026, 9, 20, 9, 0), at(2026, 10, 8, 10, 0), at(2026, 9, 30, 18, 0)),  # after National Day
        ("L4", at(2026, 12, 1, 9, 0), at(2026, 11, 20, 9, 0), at(2026, 12, 8, 9, 0)),  # weekly at first
        ("L4", at(2027, 2, 1, 9, 0), at(2026, 11, 20, 9, 0), at(2027, 2, 15, 9, 0)),  # then every two weeks
        ("L6", at(2026, 12, 1, 0, 0), None, at(2026, 12, 31, 18, 0)),  # the month's last working day
        ("L6", at(2026, 9, 1, 0, 0), None, at(2026, 9, 30, 18, 0)),  # Oct 1 holiday comes after
        ("L6", at(2026, 2, 1, 0, 0), None, at(2026, 2, 28, 18, 0)),  # Sat 28 Feb is a make-up workday
        ("L6", at(2026, 5, 1, 0, 0), None, at(2026, 5, 29, 18, 0)),  # 30-31 May is a weekend
    ],
)
def test_due_times_of_every_kind(db, rule, start, event, due):
    assert get_rule(rule).due_at(start=start, event=event) == due


def test_campus_closing_time_sets_before_leaving_work(company):
    from datetime import time

    company.campus_a.closes_at = time(20, 0)
    assert get_rule("H1").due_at(start=at(2026, 12, 4, 10), campus=company.campus_a) == at(2026, 12, 8, 20, 0)


def test_a_rule_counted_in_days_ends_at_the_campus_s_closing_time(company):
    from datetime import time

    company.campus_a.closes_at = time(20, 30)
    campus = company.campus_a
    assert get_rule("E1").due_at(start=at(2026, 12, 1, 0, 54), campus=campus) == at(2026, 12, 4, 20, 30)
    assert get_rule("F3").due_at(start=at(2026, 12, 1, 9), campus=campus) == at(2026, 12, 29, 20, 30)


def test_bad_input_to_a_rule_is_a_clear_exception(db):
    from datetime import datetime

    with pytest.raises(UnknownRule, match="H9"):
        get_rule("H9")
    with pytest.raises(ValueError, match="timezone-aware"):
        get_rule("H4").due_at(start=datetime(2026, 12, 1, 9, 0))
    with pytest.raises(ValueError, match="event"):
        get_rule("P2").due_at(start=at(2026, 12, 1, 9))


def test_open_twice_opens_one_deadline_and_records_it_on_the_timeline(company, student, time_machine):
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)
    first = deadline_open(rule="H1", subject=student, owner=company.manager_a1)
    again = deadline_open(rule="H1", subject=student, owner=company.manager_a1)
    assert first.pk == again.pk and Deadline.objects.count() == 1
    assert first.due_at == at(2026, 12, 3, 18, 0)
    assert first.remind_at == at(2026, 12, 3, 14, 0)
    assert first.escalate_at == at(2026, 12, 4, 18, 0)
    assert list(Event.objects.values_list("kind", "student")) == [("deadline.opened", student.pk)]


def test_open_refuses_an_unknown_rule_and_a_naive_start(company, student):
    from datetime import datetime

    with pytest.raises(UnknownRule):
        deadline_open(rule="X1", subject=student, owner=company.manager_a1)
    with pytest.raises(ValueError):
        deadline_open(rule="H1", subject=student, owner=company.manager_a1, start=datetime(2026, 12, 1))
    assert not Deadline.objects.exists()


def test_meet_on_time_and_late(company, student, time_machine):
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)
    deadline_open(rule="H1", subject=student, owner=company.manager_a1)
    deadline_open(rule="H4", subject=student, owner=company.manager_a1)
    assert deadline_meet(rule="H1", subject=student, actor=company.manager_a1).status == Status.MET
    time_machine.move_to(at(2026, 12, 3, 10, 0), tick=False)
    assert deadline_meet(rule="H4", subject=student, actor=company.manager_a1).status == Status.MET_LATE
    assert deadline_meet(rule="H4", subject=student, actor=company.manager_a1) is None  # a second click
    kinds = list(Event.objects.filter(kind="deadline.met").values_list("to_state", flat=True))
    assert sorted(kinds) == ["met", "met_late"]


def test_meeting_a_recurring_callback_opens_the_next_one(company, student, time_machine):
    first_lesson = at(2026, 12, 1, 16, 0)
    time_machine.move_to(first_lesson, tick=False)
    deadline_open(rule="L4", subject=student, owner=company.manager_a1, event=first_lesson)
    time_machine.move_to(at(2026, 12, 6, 11, 0), tick=False)
    deadline_meet(rule="L4", subject=student, actor=company.manager_a1)
    nxt = Deadline.objects.get(rule="L4", status=Status.OPEN)
    assert nxt.occurrence == 2
    assert nxt.due_at == at(2026, 12, 13, 11, 0)  # a week after the callback


def test_waive_needs_a_supervisor_and_a_reason(company, student):
    deadline = deadline_open(rule="H1", subject=student, owner=company.manager_a1)
    with pytest.raises(PermissionDenied):
        deadline_waive(deadline=deadline, actor=company.manager_a1, reason="太忙")
    with pytest.raises(ValidationError):
        deadline_waive(deadline=deadline, actor=company.supervisor_a, reason="  ")
    assert Deadline.objects.get().status == Status.OPEN
    assert deadline_waive(deadline=deadline, actor=company.supervisor_a, reason="家长出国，合同暂停")
    assert not deadline_waive(deadline=deadline, actor=company.supervisor_a, reason="again")  # double click
    event = Event.objects.get(kind="deadline.waived")
    assert (event.actor, event.reason, event.to_state) == (
        company.supervisor_a,
        "家长出国，合同暂停",
        "waived",
    )


def test_reschedule_follows_the_moved_event(company, student, time_machine):
    time_machine.move_to(at(2026, 12, 1, 9, 0), tick=False)
    deadline_open(rule="P2", subject=student, owner=company.manager_a1, event=at(2026, 12, 3, 16, 0))
    moved = deadline_reschedule(rule="P2", subject=student, event=at(2026, 12, 10, 16, 0), reason="老师请假")
    assert moved.due_at == at(2026, 12, 9, 16, 0)
    assert moved.due_at - moved.remind_at == timedelta(hours=4)
    assert Event.objects.filter(kind="deadline.rescheduled", reason="老师请假").exists()


def test_a_supervisor_may_not_waive_their_own_deadline(company, student):
    rescue = deadline_open(rule="E2", subject=student, owner=company.supervisor_a)
    with pytest.raises(PermissionDenied):
        deadline_waive(deadline=rescue, actor=company.supervisor_a, reason="自己免除")
    assert deadline_waive(deadline=rescue, actor=company.director_a, reason="家长已撤回退费申请")


def test_waiving_is_refused_outside_the_actors_scope(company, student):
    deadline = deadline_open(rule="H1", subject=student, owner=company.manager_a1)
    with pytest.raises(PermissionDenied):
        deadline_waive(deadline=deadline, actor=company.supervisor_b, reason="不是我的校区")
    with pytest.raises(PermissionDenied):
        deadline_waive(deadline=deadline, actor=company.director_b, reason="不是我的校区")
    assert Deadline.objects.get().status == Status.OPEN


def test_a_rescheduled_deadline_is_reminded_marked_late_and_escalated_again(company, student, time_machine):
    from deadlines.models import Kind, Notification
    from deadlines.services import sweep

    time_machine.move_to(at(2026, 12, 1, 9, 0), tick=False)
    deadline_open(rule="P2", subject=student, owner=company.manager_a1, event=at(2026, 12, 3, 16, 0))
    sweep(now=at(2026, 12, 3, 15, 0))  # overdue, then up to the director (the lesson not yet begun)
    assert Deadline.objects.get().status == Status.ESCALATED
    time_machine.move_to(at(2026, 12, 3, 15, 30), tick=False)
    moved = deadline_reschedule(rule="P2", subject=student, event=at(2026, 12, 8, 16, 0), reason="首课改期")
    assert (moved.status, moved.escalation_level, moved.round) == (Status.OPEN, 0, 1)
    sweep(now=at(2026, 12, 7, 12, 0))
    sweep(now=at(2026, 12, 7, 16, 0))
    sweep(now=at(2026, 12, 8, 15, 0))  # before the lesson begins and closes P2 as missed
    counts = {kind: Notification.objects.filter(kind=kind).count() for kind in Kind.values}
    assert counts == {
        "opened": 0,
        "reminder": 1,
        "overdue": 2,
        "escalated_1": 2,
        "escalated_2": 2,
        "approval": 0,
    }


def test_only_event_rules_can_be_rescheduled(company, student):
    deadline_open(rule="H1", subject=student, owner=company.manager_a1)
    with pytest.raises(ValueError, match="event"):
        deadline_reschedule(rule="H1", subject=student, event=at(2026, 12, 8, 16, 0))
