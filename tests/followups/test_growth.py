"""L6: at least one growth record per active student per month, due the month's last working day."""

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from deadlines.models import Deadline, Status
from followups.models import GrowthRecord
from followups.scores import growth_records_open
from followups.tasks import growth_records_open as growth_task
from students.models import Student

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def active(company, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 7, 5, tzinfo=SH), tick=False)
    student = Student.objects.create(
        full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1, status="active"
    )
    Student.objects.create(
        full_name="暂停生", campus=company.campus_a, manager=company.manager_a1, status="paused"
    )
    growth_records_open(today=date(2026, 12, 2))
    growth_task.apply()  # every morning: nothing more
    return student


def write(client, student, key=None, text="本月作业完成率明显提高，开始主动提问"):
    data = {"text": text, "request_key": str(key or uuid.uuid4())}
    return client.post(f"/followups/students/{student.pk}/growth/", data, HTTP_HX_REQUEST="true")


def test_one_l6_per_active_student_per_month(active):
    l6 = Deadline.objects.get(rule="L6")
    assert (l6.student, l6.occurrence, l6.due_at) == (
        active,
        202612,
        datetime(2026, 12, 31, 18, 0, tzinfo=SH),
    )


def test_a_record_meets_this_months_l6_once(client, active, company):
    client.force_login(company.manager_a1)
    key = uuid.uuid4()
    response = write(client, active, key=key)
    write(client, active, key=key)  # a double click
    assert response.headers["HX-Refresh"] == "true"
    assert "已保存成长记录。" in client.get(f"/students/{active.pk}/").content.decode()
    assert GrowthRecord.objects.count() == 1
    assert Deadline.objects.get(rule="L6").status == Status.MET


def test_next_month_opens_its_own_l6(active, time_machine):
    time_machine.move_to(datetime(2027, 1, 4, 7, 5, tzinfo=SH), tick=False)
    growth_records_open(today=date(2027, 1, 4))
    assert sorted(Deadline.objects.filter(rule="L6").values_list("occurrence", flat=True)) == [202612, 202701]


def test_an_empty_record_and_the_wrong_people_are_refused(client, active, company):
    client.force_login(company.manager_a1)
    assert "这个字段是必填项。" in write(client, active, text=" ").content.decode()
    client.force_login(company.consultant_a)
    assert write(client, active).status_code == 404
    assert not GrowthRecord.objects.exists()
