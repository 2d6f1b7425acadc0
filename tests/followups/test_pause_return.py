"""A pause asks for the day the student is expected back (issue 17), and the student page says, while
paused, why and until when — red once that day has passed; the return clears it."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from followups.pauses import student_pause, student_resume
from students.models import Student
from timeline.models import Event

from .conftest import at


def _pause(client, student, **data):
    return client.post(f"/followups/students/{student.pk}/pause/", data, follow=True)


def _header(html: str) -> str:
    return html[html.index("<header") : html.index("</header>")]


def _shown(html: str) -> str:
    """The header's line about the pause."""
    start = html.index('id="pause-shown"')
    return html[start : html.index("</p>", start)]


@pytest.mark.parametrize(
    "back, message",
    [
        ("", "请填写预计返回日期。"),
        ("2026-11-30", "预计返回日期不能早于今天。"),  # the fixture's today is 1 December 2026
        ("2027-12-03", "预计返回日期在一年以后，请核对日期。"),
        ("2101-01-01", "2100"),  # the project's bounds on every date
        ("12/15/2026", "有效"),
    ],
)
def test_a_pause_without_a_right_return_date_is_refused(client, company, taught, back, message):
    client.force_login(company.manager_a1)
    page = _pause(client, taught, reason="病假两周", expected_return_on=back).content.decode()
    assert message in page
    taught.refresh_from_db()
    assert (taught.status, taught.expected_return_on) == (Student.Status.ACTIVE, None)
    assert not Event.objects.filter(student_id=taught.pk, kind="student.paused").exists()


def test_the_service_refuses_a_past_or_missing_return_date(company, taught):
    for back in (None, date(2026, 11, 30)):
        with pytest.raises(ValidationError) as error:
            student_pause(student=taught, actor=company.manager_a1, reason="病假", expected_return_on=back)
        assert "expected_return_on" in error.value.message_dict
    assert student_pause(
        student=taught, actor=company.manager_a1, reason="病假", expected_return_on=date(2026, 12, 1)
    )  # back today is fine


def test_the_page_and_the_timeline_show_why_and_until_when(client, company, taught):
    client.force_login(company.manager_a1)
    _pause(client, taught, reason="病假两周", expected_return_on="2026-12-15")
    taught.refresh_from_db()
    assert (taught.status, taught.expected_return_on) == (Student.Status.PAUSED, date(2026, 12, 15))
    event = Event.objects.get(student_id=taught.pk, kind="student.paused")
    assert (event.reason, event.data["expected_return_on"]) == ("病假两周", "2026-12-15")
    html = client.get(f"/students/{taught.pk}/").content.decode()
    shown = _shown(html)
    assert "休学中 · 原因：病假两周 · " in shown and "预计 2026-12-15 返回" in shown
    assert "已逾期" not in shown and "text-danger" not in shown
    timeline = html[html.index('id="timeline"') :]
    assert "病假两周" in timeline


def test_a_return_day_that_has_passed_is_red(client, company, taught, time_machine):
    client.force_login(company.manager_a1)
    _pause(client, taught, reason="回老家", expected_return_on="2026-12-15")
    time_machine.move_to(at(2026, 12, 16, 9, 0), tick=False)
    client.force_login(company.manager_a1)  # the session of two weeks ago has expired
    shown = _shown(client.get(f"/students/{taught.pk}/").content.decode())
    assert '<span class="text-danger fw-semibold">预计 2026-12-15 返回 · 已逾期</span>' in shown


def test_the_return_clears_the_expected_day(client, company, taught):
    student_pause(
        student=taught, actor=company.manager_a1, reason="病假", expected_return_on=date(2026, 12, 9)
    )
    assert student_resume(student=taught, actor=company.manager_a1)
    taught.refresh_from_db()
    assert (taught.status, taught.expected_return_on) == (Student.Status.ACTIVE, None)
    client.force_login(company.manager_a1)
    assert "休学中" not in _header(client.get(f"/students/{taught.pk}/").content.decode())


def test_a_teachers_page_does_not_show_why_the_student_pauses(client, company, taught):
    student_pause(
        student=taught, actor=company.manager_a1, reason="家里有事", expected_return_on=date(2026, 12, 9)
    )
    client.force_login(company.teacher_a)
    page = client.get(f"/students/{taught.pk}/")
    assert page.status_code == 200 and "家里有事" not in page.content.decode()
