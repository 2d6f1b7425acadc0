"""Inputs are bounded in one place (config/forms.py): every form of every app, its dates, texts and
numbers; lessons last at most 4 hours; no view reads request.POST by hand."""

import importlib
import inspect
import re
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from config.bounds import key_from
from config.forms import TEXT_MAX_LENGTH, BoundedMixin
from students.forms import ContractIntakeForm, GuardianForm, StudentFileForm
from students.models import Contract, Lesson, Student
from students.services import lesson_book

SH = ZoneInfo("Asia/Shanghai")
ROOT = Path(settings.BASE_DIR)
APPS = ["accounts", "timeline", "deadlines", "students", "handover", "followups", "retention", "refunds"]
INTAKE = {
    "full_name": "赵一鸣",
    "guardian_name": "赵爸爸",
    "guardian_relation": "father",
    "guardian_phone": "138 1234 5678",
    "number": "HD-1",
    "signed_at": "2026-09-30T10:00",
    "subjects": "数学",
    "hours": "60",
    "unit_price": "220",
    "amount": "13200",
}


def project_forms():
    for app in APPS:
        for module_name in ("forms", "admin", "views"):
            if not (ROOT / app / f"{module_name}.py").exists():
                continue
            module = importlib.import_module(f"{app}.{module_name}")
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__.split(".")[0] in APPS:
                    yield cls


def test_every_form_of_every_app_is_bounded():
    found = set(project_forms())
    assert len(found) > 40
    unbounded = sorted(cls.__qualname__ for cls in found if not issubclass(cls, BoundedMixin))
    assert not unbounded


def test_no_view_reads_the_post_data_by_hand():
    # Handing request.POST to a form is the one way; reading from it (or from the body) is not.
    hand_read = re.compile(r"request\.POST(\.\w|\[)|dict\(request\.POST|request\.body")
    readers = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if hand_read.search(line)
    ]
    assert not readers


@pytest.mark.parametrize(
    "signed_at", ["0001-01-01T00:00", "1999-12-31T23:59", "2101-01-01T00:00", "9999-12-31T23:59"]
)
def test_a_signing_time_out_of_bounds_is_refused_in_chinese(db, client, company, signed_at):
    client.force_login(company.consultant_a)
    response = client.post("/students/new/", {**INTAKE, "signed_at": signed_at})
    assert response.status_code == 200 and "请选择 2000 到 2100 年之间的日期。" in response.content.decode()
    assert not Contract.objects.exists()


@pytest.mark.parametrize(
    "name", ["赵\n一鸣", "赵\r一鸣", "赵\u2028一鸣", "赵\u2029一鸣", "赵\t一鸣", "赵\x00一鸣", "赵\x1b一鸣"]
)
def test_a_name_holds_no_line_break_nor_control_character(db, name):
    form = ContractIntakeForm({**INTAKE, "full_name": name})
    assert not form.is_valid() and "full_name" in form.errors
    guardian = GuardianForm({"name": name, "relation": "mother", "phone": "13800000000"})
    assert not guardian.is_valid() and "name" in guardian.errors


def test_a_text_area_keeps_its_lines_and_tabs_but_not_nul_and_has_a_length():
    form = StudentFileForm({"personality": "开朗\r\n爱笑\t活泼\u2028"})
    assert form.is_valid(), form.errors
    assert not StudentFileForm({"personality": "开朗\x00"}).is_valid()
    assert not StudentFileForm({"personality": "长" * (TEXT_MAX_LENGTH + 1)}).is_valid()
    assert StudentFileForm().fields["hobbies"].widget.attrs["maxlength"] == str(TEXT_MAX_LENGTH)


@pytest.mark.parametrize(
    ("field", "value"),
    [("hours", "-1"), ("hours", "0"), ("unit_price", "-0.01"), ("amount", "1e30"), ("hours", "99999999")],
)
def test_numbers_are_bounded_by_the_form_not_the_database(db, field, value):
    form = ContractIntakeForm({**INTAKE, field: value})
    assert not form.is_valid() and field in form.errors


@pytest.fixture
def student(company, time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 10, 0, tzinfo=SH), tick=False)
    return Student.objects.create(full_name="赵一鸣", campus=company.campus_a, manager=company.manager_a1)


def lessons(client, student, **changes):
    data = {
        "request_key": str(uuid.uuid4()),
        "starts_at": "2026-12-05T09:00",
        "ends_at": "2026-12-05T11:00",
        "subject": "数学",
        "hours": "2",
        "weeks": "1",
        **changes,
    }
    return client.post(f"/students/{student.pk}/lessons/new/", data)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_at": "2026-12-05T13:01"}, "一次课最长 4 小时。"),
        ({"ends_at": "9999-12-31T23:59"}, "请选择 2000 到 2100 年之间的日期。"),
        ({"starts_at": "2100-12-20T09:00", "ends_at": "2100-12-20T11:00", "weeks": "3"}, "系列课的最后一次"),
        ({"hours": "-2"}, "大于或等于0.5"),
        ({"hours": "9"}, "小于或等于8"),
    ],
)
def test_a_lesson_lasts_at_most_four_hours_and_a_series_ends_by_2100(
    client, company, student, changes, message
):
    client.force_login(company.scheduler_a)
    response = lessons(client, student, **changes)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Lesson.objects.exists()


def test_a_lesson_moved_to_end_in_9999_is_refused_and_the_service_refuses_a_long_one(
    client, company, student
):
    start = datetime(2026, 12, 5, 9, 0, tzinfo=SH)
    lesson = Lesson.objects.create(
        student=student, starts_at=start, ends_at=start + timedelta(hours=2), subject="数学", hours=2
    )
    client.force_login(company.scheduler_a)
    url = f"/students/{student.pk}/lessons/{lesson.pk}/change/"
    data = {"starts_at": "2026-12-05T09:00", "ends_at": "9999-12-31T23:59", "reason": "家长要求"}
    assert client.post(url, data).status_code == 200
    lesson.refresh_from_db()
    assert lesson.ends_at == start + timedelta(hours=2)
    with pytest.raises(ValidationError):
        lesson_book(
            student=student,
            starts_at=start,
            ends_at=start + timedelta(hours=5),
            subject="数学",
            hours=Decimal(2),
        )


def test_a_lesson_marked_with_a_made_up_status_is_a_message(client, company, student, time_machine):
    start = datetime(2026, 12, 1, 9, 0, tzinfo=SH)
    lesson = Lesson.objects.create(
        student=student,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        subject="数学",
        hours=2,
        teacher=company.teacher_a,
    )
    client.force_login(company.teacher_a)
    response = client.post(
        f"/students/{student.pk}/lessons/{lesson.pk}/mark/", {"status": "cancelled\x00"}, follow=True
    )
    assert response.status_code == 200 and "课次只能标记为已上或缺勤。" in response.content.decode()
    lesson.refresh_from_db()
    assert lesson.status == Lesson.Status.SCHEDULED


def test_a_service_error_on_a_field_the_form_lacks_goes_on_top_of_the_form():
    """A service may name a field its caller's form does not have (renewal_record's "contract"):
    Django's add_error would raise ValueError there, a 500; add_service_error puts it on top."""
    form = StudentFileForm({"personality": "开朗"})
    assert form.is_valid()
    form.add_service_error(ValidationError({"contract": "需要新合同", "personality": "太短"}))
    assert form.non_field_errors() == ["需要新合同"] and form.errors["personality"] == ["太短"]


@pytest.mark.parametrize(
    ("value", "key"),
    [("12", 12), ("", None), ("abc", None), ("²", None), ("١٢", None), ("-1", None), (" 1", None)]
    + [("9" * 18, int("9" * 18)), ("9" * 19, None)],
)
def test_a_key_in_an_address_is_ascii_digits_that_fit_a_bigint(value, key):
    assert key_from(value) == key


@pytest.mark.parametrize(
    "path",
    ["/notifications/?before=²", "/students/{pk}/?before=²&closed_before=١", "/followups/exams/?exam=²"],
)
def test_digits_of_other_scripts_in_an_address_are_ignored_not_a_500(client, company, path):
    student = Student.objects.create(full_name="键生", campus=company.campus_a, manager=company.manager_a1)
    client.force_login(company.manager_a1)
    assert client.get(path.format(pk=student.pk)).status_code == 200
