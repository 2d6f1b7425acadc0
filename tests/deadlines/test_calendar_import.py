from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from deadlines.calendar import is_working_day
from deadlines.calendar_import import calendar_days_import
from deadlines.models import CalendarDay

GOOD = "date,working,name\n2027-02-06,0,春节\n2027-02-07,0,春节\n2027-02-14,1,调休上班\n"


def test_import_enters_next_years_official_days(db):
    assert calendar_days_import(text=GOOD) == 3
    assert not is_working_day(date(2027, 2, 6)) and is_working_day(date(2027, 2, 14))  # a Sunday


def test_import_again_corrects_without_duplicates(db):
    calendar_days_import(text=GOOD)
    calendar_days_import(text="date,working,name\n2027-02-06,1,改为上班\n")
    assert CalendarDay.objects.count() == 3
    assert CalendarDay.objects.get(date=date(2027, 2, 6)).name == "改为上班"


def test_a_bad_row_rejects_the_whole_file_with_line_numbers(db):
    bad = (
        "date,working,name\n2027-02-06,0,春节\n2027-02-30,0,春节\n2027-02-08,maybe,春节\n2027-02-06,0,again\n"
    )
    with pytest.raises(ValidationError) as error:
        calendar_days_import(text=bad)
    messages = error.value.messages
    assert any(m.startswith("第 3 行") and "2027-02-30" in m for m in messages)
    assert any(m.startswith("第 4 行") and "maybe" in m for m in messages)
    assert any(m.startswith("第 5 行") and "出现了两次" in m for m in messages)
    assert not CalendarDay.objects.exists()


def test_a_file_without_the_header_is_refused(db):
    with pytest.raises(ValidationError, match="表头"):
        calendar_days_import(text="2027-02-06,0,春节\n")


def test_admin_upload_for_a_campus(client, company):
    client.force_login(company.admin)
    upload = SimpleUploadedFile("days.csv", "date,working,name\n2026-12-24,0,校区活动\n".encode())
    response = client.post(
        "/admin/deadlines/calendarday/import/", {"file": upload, "campus": company.campus_a.pk}
    )
    assert response.status_code == 302
    assert not is_working_day(date(2026, 12, 24), campus=company.campus_a)
    assert is_working_day(date(2026, 12, 24), campus=company.campus_b)


def test_admin_upload_with_a_bad_row_shows_the_error_and_imports_nothing(client, company):
    client.force_login(company.admin)
    upload = SimpleUploadedFile("days.csv", "date,working,name\n2027-01-01,0,元旦\nnot-a-date,0,x\n".encode())
    response = client.post("/admin/deadlines/calendarday/import/", {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "第 3 行" in html and "没有导入任何数据" in html
    assert not CalendarDay.objects.exists()


def test_admin_upload_refuses_a_file_that_is_not_utf8(client, company):
    client.force_login(company.admin)
    upload = SimpleUploadedFile("days.csv", "date,working,name\n2027-01-01,0,元旦\n".encode("gbk"))
    response = client.post("/admin/deadlines/calendarday/import/", {"file": upload})
    assert "UTF-8" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_import_page_is_for_the_administrator_only(client, company):
    client.force_login(company.director_a)
    assert client.get("/admin/deadlines/calendarday/import/").status_code == 302


def test_director_and_admin_see_the_missing_schedule_warning(client, company, time_machine):
    from tests.deadlines.conftest import at

    time_machine.move_to(at(2026, 11, 30, 10, 0), tick=False)
    for person in ("director_a", "admin"):
        client.force_login(getattr(company, person))
        assert "2027 年的国家法定节假日安排尚未录入" in client.get("/").content.decode()
    client.force_login(company.manager_a1)
    assert "尚未录入" not in client.get("/").content.decode()
    calendar_days_import(
        text="date,working,name\n" + "".join(f"2027-02-{d:02d},0,春节\n" for d in range(6, 16))
    )
    client.force_login(company.director_a)
    assert "尚未录入" not in client.get("/").content.decode()


def test_old_mac_line_endings_are_read(db):
    assert calendar_days_import(text="date,working,name\r2027-02-06,0,春节\r2027-02-07,0,春节\r") == 2


def test_an_unreadable_csv_is_a_clear_error(db):
    with pytest.raises(ValidationError, match="CSV"):
        calendar_days_import(text='date,working,name\n"2027-02-06,0,春节\n' + "x" * 200_000)
    assert not CalendarDay.objects.exists()


def test_staff_without_the_add_permission_cannot_import(client, company):
    from tests.factories import UserFactory

    clerk = UserFactory(role="admin", is_staff=True, is_superuser=False)
    client.force_login(clerk)
    upload = SimpleUploadedFile("days.csv", "date,working,name\n2027-01-01,0,元旦\n".encode())
    response = client.post("/admin/deadlines/calendarday/import/", {"file": upload})
    assert response.status_code == 302 and response.url == "/admin/"
    assert not CalendarDay.objects.exists()
