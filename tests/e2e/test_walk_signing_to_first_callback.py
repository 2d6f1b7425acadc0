"""The README's first walk, in the browser: from the signed contract to the first callback.

The consultant enters the contract, the supervisor assigns a manager, the manager works the
handover (the consultant signs it too), the scheduler sets the first lesson, the manager does the
pre-class work, the teacher marks the lesson done and the manager logs the first callback. Only the
campus and its people exist before; the clock runs from a Monday morning and jumps to the lesson.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import PASSWORD

from .conftest import exactly, t

pytestmark = pytest.mark.e2e

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=SH)
FIRST_LESSON = datetime(2026, 12, 12, 9, 0, tzinfo=SH)  # the Saturday after, 9:00-11:00


def local(at: datetime) -> str:
    """A datetime-local input's value."""
    return at.strftime("%Y-%m-%dT%H:%M")


def test_from_the_signed_contract_to_the_first_callback(browse, company, time_machine):
    time_machine.move_to(MONDAY, tick=True)
    page = browse.page

    # 1. The consultant enters the signed contract with the new student and a guardian.
    browse.sign_in(company.consultant_a.username, PASSWORD)
    browse.nav("Students")
    browse.follow("Enter a signed contract")
    browse.fill(
        {
            "full_name": "林小雨",
            "gender": "female",
            "school": "海淀实验中学",
            "grade": "初二",
            "guardian_name": "林妈妈",
            "guardian_relation": "mother",
            "guardian_phone": "13800001234",
            "best_time_to_call": "工作日晚上",
            "number": "HD-E2E-001",
            "signed_at": local(MONDAY - timedelta(minutes=30)),
            "subjects": "数学 英语",
            "hours": "40",
            "unit_price": "200",
            "amount": "8000",
        }
    )
    browse.click("Save the contract")
    page.get_by_role("heading", name="林小雨").wait_for()
    assert page.get_by_text(t("not assigned")).first.is_visible()
    browse.sign_out()

    # 2. The supervisor finds the unassigned student and assigns 王芳.
    browse.sign_in(company.supervisor_a.username, PASSWORD)
    browse.nav("Students")
    page.get_by_role("link", name="林小雨").click()
    browse.follow("Assign a learning manager")
    browse.fill({"manager": str(company.manager_a1.pk)})  # 王芳, labelled with her caseload
    browse.click("Assign")
    page.get_by_text(
        t("%(student)s is now with %(manager)s.") % {"student": "林小雨", "manager": "王芳"}
    ).wait_for()
    browse.sign_out()

    # 3. The manager receives the file from My day (H1) and works the handover.
    browse.sign_in(company.manager_a1.username, PASSWORD)
    page.get_by_role("link", name=t("Receive the new student's file")).click()  # H1 opens the handover
    page.get_by_role("heading", name=t("Handover")).wait_for()
    for label in ("Student data checked", "Signed contract checked", "Consultation report read"):
        page.get_by_label(t(label)).check()
    browse.click("I have received the file")
    call = page.locator("form[action$='/intro_call/']")
    browse.fill(
        {
            "notes": "林妈妈说孩子数学基础弱，怕考试。",
            "personality": "内向，慢热",
            "hobbies": "画画",
            "study_habits": "作业拖到很晚",
        },
        scope=call,
    )
    call.get_by_role("button", name=t("Save the call")).click()
    talk = page.locator("form[action$='/consultant_talk/']")
    browse.fill(
        {
            "notes": "咨询师：家长最在意期末成绩。",
            "paper_handover_at": local(MONDAY + timedelta(hours=5)),
            "lesson_arrangement": "周六上午数学，周日下午英语",
        },
        scope=talk,
    )
    talk.get_by_role("button", name=t("Save the talk")).click()
    check = page.locator("form[action$='/paper_check/']")
    rows = check.locator("tbody tr")
    for index in range(rows.count()):
        if index == 1:  # the receipt is missing: the consultant brings it by Wednesday
            rows.nth(index).locator("input[type=date]").fill("2026-12-09")
        else:
            rows.nth(index).locator("input[type=checkbox]").check()
    browse.click("Save the check")
    page.get_by_text(t("the consultant brings it by %(on)s") % {"on": "12-09"}).wait_for()
    browse.click("Sign")
    page.get_by_text(t("Sign the file receipt")).wait_for()
    browse.sign_out()

    # The consultant brings the missing receipt and signs too: the handover is read-only.
    browse.sign_in(company.consultant_a.username, PASSWORD)
    browse.nav("Handover")
    page.get_by_role("link", name="林小雨").first.click()
    browse.click("Received")
    browse.click("Sign")
    page.get_by_text(t("Signed by both. This handover is now read-only.")).wait_for()
    browse.sign_out()

    # 4. The scheduler sets the first lesson with the teacher.
    browse.sign_in(company.scheduler_a.username, PASSWORD)
    browse.nav("Students")
    page.get_by_role("link", name="林小雨").click()
    browse.follow("Before the first lesson")
    browse.fill(
        {
            "starts_at": local(FIRST_LESSON),
            "ends_at": local(FIRST_LESSON + timedelta(hours=2)),
            "subject": "数学",
            "hours": "2",
            "teacher": company.teacher_a.display_name,
            "classroom": "A101",
        }
    )
    browse.click("Save")
    page.get_by_text(t("First lesson") + " 2026-12-12 09:00").wait_for()
    browse.sign_out()

    # Two hours later the manager has talked to consultant and teacher and told the parent: P1-P3.
    time_machine.move_to(MONDAY + timedelta(hours=2), tick=True)
    browse.sign_in(company.manager_a1.username, PASSWORD)
    browse.nav("Students")
    page.get_by_role("link", name="林小雨").click()
    browse.follow("Before the first lesson")
    talk = page.locator("form[action$='/talk/']")
    browse.fill({"notes": "老师会先摸底，再定进度。"}, scope=talk)
    talk.get_by_label(t("I hold the learning-situation analysis report and the tutoring draft")).check()
    talk.get_by_role("button", name=t("Save the talk")).click()
    talk.wait_for(state="detached")
    told = page.locator("form[action$='/parent_told/']")
    browse.fill({"channel": "phone", "told_at": local(MONDAY + timedelta(hours=1, minutes=30))}, scope=told)
    browse.click("Parent told")
    told.wait_for(state="detached")
    browse.click("Both are ready")
    page.get_by_role("button", name=exactly(t("Both are ready"))).wait_for(state="detached")
    assert page.locator(".badge.text-bg-success").count() == 3  # P1, P2 and P3 done
    browse.shot("walk1-preclass")
    browse.sign_out()

    # 5. The Saturday lesson has taken place: the teacher marks it done.
    time_machine.move_to(FIRST_LESSON + timedelta(hours=2, minutes=5), tick=True)
    browse.sign_in(company.teacher_a.username, PASSWORD)
    browse.nav("Students")
    page.get_by_role("link", name="林小雨").click()
    lessons = page.locator("#lessons")
    lessons.get_by_role("button", name=exactly(t("Done"))).click()
    lessons.get_by_text(t("Done"), exact=True).wait_for()
    browse.sign_out()

    # 6. The manager logs the first callback (F1) from My day.
    browse.sign_in(company.manager_a1.username, PASSWORD)
    page.get_by_role("link", name=t("Start the management file; first-lesson callback")).click()
    callbacks = page.locator("#callbacks")
    form = callbacks.locator("details")
    assert form.get_attribute("open") is not None  # My day's link opens the form at the callbacks
    browse.fill(
        {
            "with_whom": "parent",
            "channel": "phone",
            "summary": "第一课后回访：孩子说老师讲得清楚，愿意继续。",
            "next_steps": "下周再回访",
        },
        scope=callbacks,
    )
    callbacks.get_by_role("button", name=exactly(t("Save"))).click()
    callbacks.get_by_text("第一课后回访：孩子说老师讲得清楚，愿意继续。").wait_for()
    browse.shot("walk1-end-student-page")
    browse.go("/")
    assert not page.locator("li", has=page.get_by_text("F1", exact=True)).count()
    browse.shot("walk1-end-my-day")
