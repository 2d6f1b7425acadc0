"""The sweep: one step at a time, with time travel, and two sweeps at once."""

import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from deadlines import services
from deadlines.models import Deadline, Delivery, Kind, NoticeChoice, Notification, Status, Topic
from deadlines.services import deadline_meet, deadline_open, sweep
from deadlines.tasks import deliver_notifications, sweep_deadlines
from students.models import Student
from timeline.models import Event

from .conftest import at


@pytest.fixture(autouse=True, params=["one statement", "portable"])
def batch_path(request, monkeypatch):
    """Every test twice: PostgreSQL's one statement a batch, and the few statements of the embedded
    database (`make run`'s SQLite), which must write the same rows."""
    if request.param == "portable":
        monkeypatch.setattr(services, "_one_statement", lambda: False)
    return request.param


@pytest.fixture
def h1(company, student, time_machine):
    """H1 opened Tuesday 1 Dec 10:00: remind Thu 14:00, due Thu 3 Dec 18:00, supervisor Fri 18:00,
    director Sat 18:00."""
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)
    # Reminders reach email only for those who ask (the morning digest lists them otherwise).
    NoticeChoice.objects.create(user=company.manager_a1, topic=Topic.REMINDER, email=True, wecom=False)
    return deadline_open(rule="H1", subject=student, owner=company.manager_a1)


def notices():
    return sorted(Notification.objects.values_list("kind", "recipient__full_name"))


def test_nothing_happens_before_the_reminder_time(h1):
    assert str(sweep(now=at(2026, 12, 3, 13, 59))) == "swept: overdue=0 reminded=0 escalated=0 notified=0"
    assert Deadline.objects.get().status == Status.OPEN


def test_reminder_at_the_rules_lead_time(h1, company):
    result = sweep(now=at(2026, 12, 3, 14, 0))
    assert (result.reminded, result.notified, result.overdue) == (1, 1, 0)
    assert notices() == [(Kind.REMINDER, "王芳")]
    assert Deadline.objects.get().reminded_at == at(2026, 12, 3, 14, 0)
    assert sweep(now=at(2026, 12, 3, 15, 0)).notified == 0  # reminded once


def test_overdue_tells_the_owner_and_goes_on_the_timeline(h1, student):
    sweep(now=at(2026, 12, 3, 14, 0))
    result = sweep(now=at(2026, 12, 3, 18, 0))
    assert (result.overdue, result.notified) == (1, 1)
    deadline = Deadline.objects.get()
    assert (deadline.status, deadline.overdue_at) == (Status.OVERDUE, at(2026, 12, 3, 18, 0))
    event = Event.objects.get(kind="deadline.overdue")
    assert (event.student, event.actor, event.from_state, event.to_state) == (
        student,
        None,
        "open",
        "overdue",
    )


def test_escalation_chain_supervisor_then_director(h1, company):
    sweep(now=at(2026, 12, 3, 18, 0))
    assert sweep(now=at(2026, 12, 4, 17, 59)).escalated == 0
    first = sweep(now=at(2026, 12, 4, 18, 0))
    assert (first.escalated, first.notified) == (1, 1)
    assert (Kind.ESCALATED_SUPERVISOR, company.supervisor_a.full_name) in notices()
    assert Deadline.objects.get().status == Status.ESCALATED
    assert sweep(now=at(2026, 12, 5, 17, 0)).escalated == 0
    second = sweep(now=at(2026, 12, 5, 18, 0))
    assert second.escalated == 1
    assert (Kind.ESCALATED_DIRECTOR, company.director_a.full_name) in notices()
    assert sweep(now=at(2026, 12, 9, 18, 0)).escalated == 0  # nobody further up
    levels = list(Event.objects.filter(kind="deadline.escalated").values_list("data__level", flat=True))
    assert sorted(levels) == [1, 2]


def test_a_sweep_after_a_long_stop_catches_up_in_one_run(h1, company):
    result = sweep(now=at(2026, 12, 10, 9, 0))
    assert (result.reminded, result.overdue, result.escalated) == (0, 1, 2)
    assert Deadline.objects.get().escalation_level == 2


def test_a_supervisors_own_late_deadline_goes_straight_to_the_director(company, student, time_machine):
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)
    deadline_open(rule="E2", subject=student, owner=company.supervisor_a)
    sweep(now=at(2026, 12, 4, 18, 0))
    assert (Kind.ESCALATED_DIRECTOR, company.director_a.full_name) in notices()
    assert Deadline.objects.get().escalation_level == 2


def test_a_deadline_met_before_the_sweep_is_left_alone(h1, company, student):
    deadline_meet(rule="H1", subject=student, actor=company.manager_a1)
    assert sweep(now=at(2026, 12, 9, 9, 0)).notified == 0


def test_notices_wait_for_the_campus_to_open(h1, company, settings):
    sweep(now=at(2026, 12, 3, 18, 0))  # overdue at closing time: Friday 09:00 is the next opening
    overdue = Notification.objects.get(kind=Kind.OVERDUE)
    assert overdue.deliver_after == at(2026, 12, 4, 9, 0)
    assert Delivery.objects.get().next_attempt_at == at(2026, 12, 4, 9, 0)
    assert services.deliver_pending(now=at(2026, 12, 3, 23, 0)) == (0, 0)
    assert len(mail.outbox) == 0
    assert services.deliver_pending(now=at(2026, 12, 4, 9, 0)) == (1, 0)
    assert mail.outbox[0].to == [company.manager_a1.email]
    assert "逾期" in mail.outbox[0].subject and "小明" in mail.outbox[0].subject


def test_a_notice_held_for_the_morning_is_not_sent_once_its_student_moved_away(h1, company, student):
    sweep(now=at(2026, 12, 3, 18, 0))  # held until Friday 09:00
    Student.objects.filter(pk=student.pk).update(manager=company.manager_b, campus=company.campus_b)
    assert services.deliver_pending(now=at(2026, 12, 4, 9, 0)) == (0, 0)
    assert len(mail.outbox) == 0
    assert Delivery.objects.get().state == Delivery.State.DROPPED


def test_a_reminder_in_working_hours_is_delivered_at_once(h1):
    sweep(now=at(2026, 12, 3, 14, 0))
    assert Notification.objects.get().deliver_after == at(2026, 12, 3, 14, 0)


def test_delivery_retries_then_gives_up(h1, company, monkeypatch):
    from deadlines.channels import CHANNELS

    def refused(message):
        raise ConnectionRefusedError("the mail server refused the connection")

    monkeypatch.setattr(CHANNELS["email"], "send", refused)
    sweep(now=at(2026, 12, 3, 14, 0))
    now = at(2026, 12, 3, 14, 0)
    for _ in range(len(services.RETRY_DELAYS)):
        assert services.deliver_pending(now=now) == (0, 0)
        now = Delivery.objects.get().next_attempt_at
    assert services.deliver_pending(now=now) == (0, 1)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (Delivery.State.FAILED, 5)
    assert "the mail server refused" in delivery.last_error


def test_someone_without_an_email_address_gets_no_email_delivery(h1, company):
    company.manager_a1.email = ""
    company.manager_a1.save()
    assert sweep(now=at(2026, 12, 3, 14, 0)).notified == 1  # the bell still has it
    assert not Delivery.objects.exists()


def test_a_redelivered_task_gives_each_notification_once(h1, time_machine):
    time_machine.move_to(at(2026, 12, 3, 18, 30), tick=False)
    sweep_deadlines.apply()
    sweep_deadlines.apply()  # the broker delivered the task twice
    assert notices() == [(Kind.OVERDUE, "王芳")]  # no "due soon" once it is late
    deliver_notifications.apply()
    deliver_notifications.apply()
    assert len(mail.outbox) == 0  # after closing time: held until Friday 09:00
    time_machine.move_to(at(2026, 12, 4, 9, 1), tick=False)
    deliver_notifications.apply()
    deliver_notifications.apply()
    assert len(mail.outbox) == 1


def test_the_management_command_prints_one_line(h1, capsys, time_machine):
    time_machine.move_to(at(2026, 12, 3, 18, 30), tick=False)
    call_command("sweep_deadlines")
    assert capsys.readouterr().out.strip() == "swept: overdue=1 reminded=0 escalated=0 notified=1"


def test_batches_cover_every_due_row(company, student, time_machine):
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)
    for i in range(7):
        s = Student.objects.create(full_name=f"学生{i}", campus=company.campus_a, manager=company.manager_a1)
        deadline_open(rule="H4", subject=s, owner=company.manager_a1)
    result = sweep(now=at(2026, 12, 5, 12, 0), batch=3)
    assert result.overdue == 7
    assert not Deadline.objects.filter(status=Status.OPEN).exists()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_in_two_connections_notify_once(company, time_machine):
    time_machine.move_to(at(2026, 12, 1, 10, 0), tick=False)
    for i in range(300):
        s = Student.objects.create(full_name=f"学生{i}", campus=company.campus_a, manager=company.manager_a1)
        deadline_open(rule="H4", subject=s, owner=company.manager_a1)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(sweep(now=at(2026, 12, 5, 12, 0), batch=50))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(r.overdue for r in results) == 300
    assert Notification.objects.filter(kind=Kind.OVERDUE).count() == 300
    assert sum(r.notified for r in results) == Notification.objects.count()
    assert Event.objects.filter(kind="deadline.overdue").count() == 300


def test_escalation_tells_only_the_directors_of_the_campus(h1, company):
    sweep(now=at(2026, 12, 10, 9, 0))
    to_directors = Notification.objects.filter(kind=Kind.ESCALATED_DIRECTOR)
    assert list(to_directors.values_list("recipient", flat=True)) == [company.director_a.pk]
    assert Notification.objects.filter(kind=Kind.ESCALATED_SUPERVISOR).get().recipient == company.supervisor_a


def test_a_reminder_that_would_arrive_after_the_due_time_is_dropped(company, student, time_machine):
    # H4 opened Friday 15:00 is due Saturday 15:00; its reminder falls on Saturday, the campus is
    # closed until Monday, so "due soon" would come after "overdue".
    time_machine.move_to(at(2026, 12, 4, 15, 0), tick=False)
    deadline_open(rule="H4", subject=student, owner=company.manager_a1)
    result = sweep(now=at(2026, 12, 5, 11, 0))
    assert (result.reminded, result.notified) == (1, 0)
    assert sweep(now=at(2026, 12, 5, 12, 0)).reminded == 0


def test_a_delivery_is_sent_once_even_when_two_runs_overlap(h1, monkeypatch):
    from deadlines.channels import CHANNELS

    sweep(now=at(2026, 12, 3, 14, 0))
    email = CHANNELS["email"]
    original = email.send
    overlapping = []

    def send_while_another_run_starts(notification):
        overlapping.append(services.deliver_pending(now=at(2026, 12, 3, 14, 1)))
        original(notification)

    monkeypatch.setattr(email, "send", send_while_another_run_starts)
    assert services.deliver_pending(now=at(2026, 12, 3, 14, 0)) == (1, 0)
    assert overlapping == [(0, 0)]
    assert len(mail.outbox) == 1


def test_a_lease_that_runs_out_is_tried_again(h1):
    sweep(now=at(2026, 12, 3, 14, 0))
    Delivery.objects.update(next_attempt_at=at(2026, 12, 3, 14, 5))  # leased by a run that died
    assert services.deliver_pending(now=at(2026, 12, 3, 14, 4)) == (0, 0)
    assert services.deliver_pending(now=at(2026, 12, 3, 14, 5)) == (1, 0)
