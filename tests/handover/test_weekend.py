"""P4: each manager's weekend timetable, opened every morning, confirmed before the last working day ends."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from deadlines.models import Deadline, Status
from handover.models import WeekendTimetable
from handover.services import coming_saturday, weekend_timetables_open
from handover.tasks import weekend_timetables_open as weekend_task
from students.models import Lesson, Student

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("today", "saturday"),
    [
        (date(2026, 12, 2), date(2026, 12, 5)),
        (date(2026, 12, 5), date(2026, 12, 12)),
        (date(2026, 12, 6), date(2026, 12, 12)),
        (date(2026, 12, 4), date(2026, 12, 5)),
    ],
)
def test_the_coming_weekend(today, saturday):
    assert coming_saturday(today) == saturday


def test_every_manager_gets_one_p4_due_before_leaving_work_on_friday(company, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 7, 0, tzinfo=SH), tick=False)
    weekend_timetables_open(today=date(2026, 12, 2))
    weekend_task.apply()  # the morning task again: nothing more
    managers = {company.manager_a1.pk, company.manager_a2.pk, company.manager_b.pk}
    assert set(Deadline.objects.filter(rule="P4").values_list("owner", flat=True)) == managers
    assert Deadline.objects.filter(rule="P4").count() == 3
    assert set(Deadline.objects.filter(rule="P4").values_list("due_at", flat=True)) == {
        datetime(2026, 12, 4, 18, 0, tzinfo=SH)
    }


def test_before_a_holiday_weekend_p4_is_due_on_the_last_working_day(company, time_machine):
    time_machine.move_to(datetime(2026, 9, 28, 7, 0, tzinfo=SH), tick=False)
    weekend_timetables_open(today=date(2026, 9, 28))  # weekend 3-4 Oct, inside National Day week
    due = Deadline.objects.filter(rule="P4").values_list("due_at", flat=True).first()
    assert due == datetime(2026, 9, 30, 18, 0, tzinfo=SH)


def test_the_page_lists_weekend_students_by_slot_and_the_manager_confirms(client, company, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 9, 0, tzinfo=SH), tick=False)
    student = Student.objects.create(full_name="周末生", campus=company.campus_a, manager=company.manager_a1)
    Lesson.objects.create(
        student=student,
        starts_at=datetime(2026, 12, 5, 9, 0, tzinfo=SH),
        ends_at=datetime(2026, 12, 5, 11, 0, tzinfo=SH),
        subject="数学",
        hours=Decimal(2),
        teacher=company.teacher_a,
        classroom="301",
    )
    weekend_timetables_open(today=date(2026, 12, 2))
    client.force_login(company.manager_a1)
    html = client.get("/handover/weekend/").content.decode()
    assert "周末生" in html and "09:00–11:00" in html and company.teacher_a.full_name in html
    client.post("/handover/weekend/confirm/")
    client.post("/handover/weekend/confirm/")  # a double click
    assert WeekendTimetable.objects.get(manager=company.manager_a1).confirmed_at is not None
    assert Deadline.objects.get(rule="P4", owner=company.manager_a1).status == Status.MET
    assert Deadline.objects.get(rule="P4", owner=company.manager_a2).status == Status.OPEN


def test_who_sees_whose_weekend(client, company, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 9, 0, tzinfo=SH), tick=False)
    weekend_timetables_open(today=date(2026, 12, 2))
    client.force_login(company.supervisor_a)
    assert client.get(f"/handover/weekend/?manager={company.manager_a2.pk}").status_code == 200
    assert client.get(f"/handover/weekend/?manager={company.manager_b.pk}").status_code == 404
    assert client.post("/handover/weekend/confirm/").status_code == 404  # a supervisor has none to confirm
    client.force_login(company.manager_a1)
    assert client.get(f"/handover/weekend/?manager={company.manager_a2.pk}").status_code == 404
    assert client.get("/handover/weekend/?manager=abc").status_code == 404
    client.force_login(company.teacher_a)
    assert client.get("/handover/weekend/").status_code == 404


def test_my_day_links_p4_to_the_weekend_page(client, company, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 9, 0, tzinfo=SH), tick=False)
    weekend_timetables_open(today=date(2026, 12, 2))
    client.force_login(company.manager_a1)
    assert 'href="/handover/weekend/"' in client.get("/").content.decode()
