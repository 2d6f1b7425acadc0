from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from deadlines import calendar
from deadlines.calendar import (
    add_working_days,
    day_info,
    end_of_working_day,
    is_working_day,
    missing_schedule_year,
    working_days_between,
)
from deadlines.models import CalendarDay

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def test_2026_national_day_week_is_off_and_its_saturday_is_a_make_up_workday():
    assert [is_working_day(date(2026, 10, d)) for d in range(1, 8)] == [False] * 7
    assert is_working_day(date(2026, 10, 10))  # Saturday, make-up workday (调休)
    assert day_info(date(2026, 10, 1)).name == "国庆节"
    assert add_working_days(date(2026, 9, 30), 2) == date(2026, 10, 9)


def test_2026_spring_festival():
    assert not is_working_day(date(2026, 2, 17))  # 春节
    assert is_working_day(date(2026, 2, 14))  # Saturday make-up workday
    assert is_working_day(date(2026, 2, 28))  # Saturday make-up workday
    assert day_info(date(2026, 2, 17)).name == "春节"
    assert not day_info(date(2026, 2, 17)).provisional


def test_a_year_without_official_data_never_raises_and_keeps_weekends_and_fixed_holidays():
    assert 2031 not in calendar.official_years()
    monday, saturday = date(2031, 1, 6), date(2031, 1, 4)
    assert is_working_day(monday) and not is_working_day(saturday)
    assert not is_working_day(date(2031, 1, 1))  # New Year's Day
    assert not is_working_day(date(2031, 10, 2))  # National Day
    assert not is_working_day(date(2031, 5, 1))  # Labour Day
    assert day_info(monday).provisional
    assert day_info(date(2031, 10, 1)).name == "国庆节"
    # Counting across the end of the package's data goes on without an exception.
    assert add_working_days(date(2026, 12, 30), 3) == date(2027, 1, 5)


def test_an_administrators_entry_wins_over_the_package():
    CalendarDay.objects.create(date=date(2026, 10, 8), is_working_day=False, name="公司假日")
    CalendarDay.objects.create(date=date(2026, 10, 4), is_working_day=True, name="调休上班")
    assert not is_working_day(date(2026, 10, 8))
    assert is_working_day(date(2026, 10, 4))
    assert day_info(date(2026, 10, 8)).source == "company"


def test_campus_specific_days_apply_to_that_campus_only(company):
    CalendarDay.objects.create(
        date=date(2026, 12, 2), is_working_day=False, name="校区装修", campus=company.campus_a
    )
    CalendarDay.objects.create(date=date(2026, 12, 5), is_working_day=False, name="公司团建")
    CalendarDay.objects.create(
        date=date(2026, 12, 5), is_working_day=True, name="校区加班", campus=company.campus_a
    )
    assert not is_working_day(date(2026, 12, 2), campus=company.campus_a)
    assert is_working_day(date(2026, 12, 2), campus=company.campus_b)
    assert is_working_day(date(2026, 12, 2))
    assert is_working_day(date(2026, 12, 5), campus=company.campus_a)  # the campus's own entry wins
    assert not is_working_day(date(2026, 12, 5), campus=company.campus_b.pk)


def test_working_days_between_is_the_inverse_of_add_working_days():
    start = date(2026, 9, 25)
    for n in range(1, 25):
        assert working_days_between(start, add_working_days(start, n)) == n
    assert working_days_between(date(2026, 10, 9), date(2026, 9, 30)) == -2


def test_end_of_working_day_is_the_campus_closing_time(company):
    company.campus_a.closes_at = time(20, 30)
    company.campus_a.save()
    assert end_of_working_day(date(2026, 12, 1), company.campus_a) == datetime(2026, 12, 1, 20, 30, tzinfo=SH)
    assert end_of_working_day(date(2026, 12, 1)) == datetime(2026, 12, 1, 18, 0, tzinfo=SH)


def test_next_opening_waits_for_the_campus_to_open(company):
    friday_night = datetime(2026, 12, 4, 19, 0, tzinfo=SH)
    assert calendar.next_opening(friday_night, company.campus_a) == datetime(2026, 12, 7, 9, 0, tzinfo=SH)
    tuesday_noon = datetime(2026, 12, 1, 12, 0, tzinfo=SH)
    assert calendar.next_opening(tuesday_noon, company.campus_a) == tuesday_noon
    assert calendar.next_opening(datetime(2026, 12, 1, 7, 0, tzinfo=SH)) == datetime(
        2026, 12, 1, 9, 0, tzinfo=SH
    )


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: add_working_days(date(2026, 1, 5), 0), ValueError),
        (lambda: add_working_days(date(2026, 1, 5), -1), ValueError),
        (lambda: add_working_days(datetime(2026, 1, 5, 9), 1), TypeError),
        (lambda: is_working_day("2026-01-05"), TypeError),
        (lambda: calendar.next_opening(datetime(2026, 1, 5, 9)), ValueError),
    ],
)
def test_bad_input_is_a_clear_exception(call, error):
    with pytest.raises(error):
        call()


def test_warning_from_november_when_next_year_is_not_entered():
    assert missing_schedule_year(date(2026, 10, 31)) is None
    assert missing_schedule_year(date(2026, 11, 1)) == 2027
    CalendarDay.objects.create(date=date(2027, 3, 12), is_working_day=False, name="公司团建")
    assert missing_schedule_year(date(2026, 11, 30)) == 2027  # one company day is not the official schedule
    for day in range(6, 16):
        CalendarDay.objects.create(date=date(2027, 2, day), is_working_day=False, name="春节")
    assert missing_schedule_year(date(2026, 11, 30)) is None
    assert missing_schedule_year(date(2025, 11, 30)) is None  # 2026 is in the package
