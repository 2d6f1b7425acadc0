"""The morning digest (issue 16): one per person per working day, at their campus's opening, with
their late and due-today work and what waits for them; none on a day off or outside working hours;
through the channels the person chose for it; made once whatever runs overlap."""

from datetime import time, timedelta

import pytest
from django.core import mail

from accounts.models import Role
from deadlines import services
from deadlines.digest import digest_make, digests_make
from deadlines.models import Deadline, Delivery, Digest, NoticeChoice, Topic
from deadlines.services import deadline_open
from deadlines.tasks import make_digests
from students.models import Student

from ..factories import UserFactory
from .conftest import at

TUESDAY_OPENING = at(2026, 12, 8, 9, 0)


@pytest.fixture
def work(company, student, time_machine):
    """Manager A1 has, on Tuesday 8 Dec at 09:00, one late deadline (H1 due Mon 7 Dec 18:00) and one
    due that day (H1 of another student, due 18:00)."""
    time_machine.move_to(at(2026, 12, 3, 10, 0), tick=False)
    deadline_open(rule="H1", subject=student, owner=company.manager_a1)
    late = Deadline.objects.get()
    late.due_at = at(2026, 12, 7, 18, 0)
    late.save()
    other = Student.objects.create(full_name="小刚", campus=company.campus_a, manager=company.manager_a1)
    deadline_open(rule="H1", subject=other, owner=company.manager_a1)
    Deadline.objects.filter(student=other).update(due_at=at(2026, 12, 8, 18, 0))
    return company


def digest_of(user):
    return Digest.objects.get(recipient=user)


def test_at_the_opening_a_manager_gets_her_late_and_due_today_work_once(work):
    assert digests_make(now=TUESDAY_OPENING) > 0
    digest = digest_of(work.manager_a1)
    assert (digest.day.isoformat(), digest.overdue, digest.due_today) == ("2026-12-08", 1, 1)
    assert digest.title == "今日工作：逾期 1 项，今天到期 1 项，待您处理 0 项"
    assert "小明" in digest.body and "小刚" in digest.body and "H1" in digest.body
    assert digests_make(now=TUESDAY_OPENING + timedelta(minutes=5)) == 0  # the next tick: made already
    assert Digest.objects.filter(recipient=work.manager_a1).count() == 1
    assert list(Delivery.objects.filter(digest=digest).values_list("channel", flat=True)) == ["email"]


def test_the_digest_is_emailed_with_a_link_to_the_home(work, settings):
    settings.SITE_URL = "https://casework.example.com"
    digests_make(now=TUESDAY_OPENING)
    services.deliver_pending(now=TUESDAY_OPENING)
    (message,) = [m for m in mail.outbox if m.to == [work.manager_a1.email]]
    assert message.subject == "今日工作：逾期 1 项，今天到期 1 项，待您处理 0 项"
    assert "已逾期（1）" in message.body and "小明" in message.body
    assert message.body.endswith("https://casework.example.com/")


def test_none_before_the_opening_after_the_closing_or_on_a_day_off(work):
    assert digests_make(now=at(2026, 12, 8, 8, 59)) == 0
    assert digests_make(now=at(2026, 12, 5, 10, 0)) == 0  # a Saturday
    assert not Digest.objects.exists()
    assert digests_make(now=at(2026, 12, 8, 18, 0)) == 0  # closed: tomorrow's opening, not tonight
    assert not Digest.objects.exists()


def test_one_a_working_day_over_a_week(work, time_machine):
    made = []
    moment = at(2026, 12, 7, 0, 0)  # Monday to Sunday, every half hour
    while moment < at(2026, 12, 14, 0, 0):
        digests_make(now=moment)
        moment += timedelta(minutes=30)
    made = sorted(
        d.isoformat() for d in Digest.objects.filter(recipient=work.manager_a1).values_list("day", flat=True)
    )
    assert made == ["2026-12-07", "2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11"]


def test_each_campus_at_its_own_opening(work):
    work.campus_b.opens_at = time(10, 0)
    work.campus_b.save()
    digests_make(now=at(2026, 12, 8, 9, 30))
    assert Digest.objects.filter(recipient=work.manager_a1).exists()
    assert not Digest.objects.filter(recipient=work.manager_b).exists()
    digests_make(now=at(2026, 12, 8, 10, 0))
    assert Digest.objects.filter(recipient=work.manager_b).exists()


def test_someone_with_nothing_to_do_is_told_nothing(work):
    digests_make(now=TUESDAY_OPENING)
    quiet = digest_of(work.manager_a2)
    assert quiet.is_empty
    assert not quiet.deliveries.exists()


def test_what_waits_for_the_supervisor_is_counted(work):
    Student.objects.create(full_name="小丽", campus=work.campus_a)  # no learning manager yet
    digests_make(now=TUESDAY_OPENING)
    digest = digest_of(work.supervisor_a)
    assert digest.waiting == 1
    assert "待您处理（1）\n· 等待分配学管师的学生：1 项" in digest.body
    assert digest.deliveries.count() == 1
    # Another campus's unassigned student is not the supervisor's.
    assert digest_of(work.supervisor_b).waiting == 0


def test_a_report_only_queue_is_not_waiting_work(work):
    digests_make(now=TUESDAY_OPENING)
    assert digest_of(work.consultant_a).waiting == 0


def test_the_company_wide_roles_at_the_companys_opening(work):
    digests_make(now=TUESDAY_OPENING)
    assert Digest.objects.filter(recipient=work.finance).exists()
    assert not Digest.objects.filter(recipient=work.admin).exists()  # the administrator has no day's work


def test_the_channels_the_person_chose_for_the_digest(work, wecom):
    work.manager_a1.wecom_userid = "wangfang"
    work.manager_a1.save()
    digests_make(now=TUESDAY_OPENING)
    assert list(digest_of(work.manager_a1).deliveries.values_list("channel", flat=True)) == ["wecom"]

    Digest.objects.all().delete()
    NoticeChoice.objects.create(user=work.manager_a1, topic=Topic.DIGEST, email=False, wecom=False)
    digests_make(now=TUESDAY_OPENING)
    assert not digest_of(work.manager_a1).deliveries.exists()


def test_a_retried_task_makes_each_digest_once(work, time_machine):
    time_machine.move_to(TUESDAY_OPENING, tick=False)
    make_digests.apply()
    make_digests.apply()
    assert Digest.objects.filter(recipient=work.manager_a1).count() == 1
    assert Delivery.objects.filter(digest__recipient=work.manager_a1).count() == 1
    assert digest_make(work.manager_a1, day=TUESDAY_OPENING.date(), now=TUESDAY_OPENING) is None


def test_a_person_left_or_moved_out_gets_none(work):
    work.manager_a2.is_active = False
    work.manager_a2.save()
    digests_make(now=TUESDAY_OPENING)
    assert not Digest.objects.filter(recipient=work.manager_a2).exists()


@pytest.mark.parametrize("size", [2, 40])
def test_a_digest_runs_the_same_queries_whatever_the_work(
    company, time_machine, size, django_assert_max_num_queries
):
    time_machine.move_to(at(2026, 12, 3, 10, 0), tick=False)
    for n in range(size):
        s = Student.objects.create(full_name=f"学员{n}", campus=company.campus_a, manager=company.manager_a1)
        deadline_open(rule="H1", subject=s, owner=company.manager_a1)
    Deadline.objects.update(due_at=at(2026, 12, 7, 18, 0))
    manager = UserFactory(role=Role.LEARNING_MANAGER, campus=company.campus_a, team=company.team_a)
    with django_assert_max_num_queries(16):
        digest = digest_make(company.manager_a1, day=TUESDAY_OPENING.date(), now=TUESDAY_OPENING)
    assert digest.overdue == size
    assert (f"…… 还有 {size - 5} 项" in digest.body) == (size > 5)
    assert manager  # a second manager on the team changes nothing of hers
