"""On a phone (390 x 844), My day and a student page fit the screen: no sideways scrolling; the lists
are cards, the main sections sit in a bar at the bottom, and the site can be installed (its manifest)."""

from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import pytest

from handover.services import first_lesson_set
from retention.services import case_open
from students.services import contract_sign, guardian_add, lessons_schedule, student_assign
from tests.factories import PASSWORD

from .conftest import PHONE, t

pytestmark = pytest.mark.e2e

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=SH)


@pytest.fixture
def caseload(company, time_machine):
    """Two students of 王芳 signed on Monday; by Thursday their files are late, one has a warning sign,
    one has the first lesson and eight more booked. Long names, numbers and notes, as families give them."""
    time_machine.move_to(MONDAY, tick=True)
    students = []
    for number, name in (("HD-2026-12-0000001", "欧阳丽娜娜"), ("HD-2026-12-0000002", "司马明轩")):
        contract = contract_sign(
            actor=company.consultant_a,
            contract={
                "number": number,
                "signed_at": MONDAY - timedelta(hours=1),
                "subjects": "数学、物理、化学、英语（中考冲刺一对一）",
                "hours": Decimal(120),
                "unit_price": Decimal("260.00"),
                "amount": Decimal("31200.00"),
            },
            new_student={
                "full_name": name,
                "gender": "female",
                "school": "北京市海淀区中关村第一实验学校（初中部）",
                "grade": "初三",
            },
            guardian={
                "name": "欧阳妈妈",
                "relation": "mother",
                "phone": "13800001234",
                "wechat": "ouyang_lina_mama_2026_haidian_zhongguancun",
                "best_time_to_call": "工作日晚上八点以后，周末全天",
            },
        )
        student_assign(student=contract.student, manager=company.manager_a1, actor=company.supervisor_a)
        students.append(contract.student)
    first, second = students
    guardian_add(
        student=first,
        actor=company.manager_a1,
        values={"name": "欧阳爸爸", "relation": "father", "phone": "13900005678", "wechat": "x" * 60},
    )
    saturday = datetime(2026, 12, 12, 18, 30, tzinfo=SH)
    first_lesson_set(
        student=first,
        actor=company.scheduler_a,
        starts_at=saturday,
        ends_at=saturday + timedelta(hours=2),
        subject="数学（几何专题强化）",
        hours=Decimal(2),
        teacher=company.teacher_a,
        classroom="中关村校区三楼301教室",
    )
    lessons_schedule(
        student=first,
        actor=company.scheduler_a,
        starts_at=saturday + timedelta(days=1),
        ends_at=saturday + timedelta(days=1, hours=2),
        subject="物理（力学与电学综合）",
        hours=Decimal(2),
        teacher=company.teacher_a,
        classroom="中关村校区三楼302教室",
        weeks=8,
    )
    case_open(
        student=second,
        actor=company.manager_a1,
        description="家长在微信群里说孩子最近上课总是走神，作业完成得很差，想考虑换一家机构。" * 3,
    )
    time_machine.move_to(MONDAY + timedelta(days=3, hours=1), tick=True)  # Thursday: H1 is late
    return first


def scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def wider_than_the_screen(page) -> list[str]:
    """What sticks out on the right (a box, or a word too long for its box), for the failure message."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => !e.parentElement.closest('.table-responsive'))
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                || (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible'))
            .filter((e, _, all) => !all.some(other => other !== e && e.contains(other)))
            .slice(0, 10)
            .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}: `
                + e.textContent.trim().slice(0, 50))"""
    )


def test_my_day_and_the_student_page_fit_a_phone(browse, company, caseload):
    page = browse.page
    page.set_viewport_size(PHONE)
    browse.sign_in(company.manager_a1.username, PASSWORD)
    page.get_by_role("heading", name=t("My day")).wait_for()
    browse.shot("phone-my-day")
    assert not scrolls_sideways(page), wider_than_the_screen(page)

    page.locator(".navbar-toggler").click()
    browse.nav("Students")
    page.get_by_role("link", name="欧阳丽娜娜").click()
    page.get_by_role("heading", name="欧阳丽娜娜").wait_for()
    browse.shot("phone-student")
    assert not scrolls_sideways(page), wider_than_the_screen(page)


def labels_shown(row) -> list[str]:
    """What a card shows before each value: the ::before of each labelled cell (its data-label)."""
    return row.evaluate(
        """tr => [...tr.querySelectorAll(':scope > [data-label]')]
            .filter(cell => cell.offsetParent !== null)
            .map(cell => getComputedStyle(cell, '::before').content)"""
    )


def is_a_card(table) -> bool:
    """The table's head is hidden and its rows are blocks one below the other."""
    return table.evaluate(
        """t => getComputedStyle(t.tHead).display === 'none'
            && [...t.tBodies[0].rows].every(r => getComputedStyle(r).display === 'block')"""
    )


def test_on_a_phone_the_student_list_is_cards_reached_from_the_bottom_bar(browse, company, caseload):
    page = browse.page
    page.set_viewport_size(PHONE)
    browse.sign_in(company.manager_a1.username, PASSWORD)
    bar = page.locator(".tabbar")
    names = bar.locator(".tabbar-item > span:not(.badge)").all_inner_texts()
    assert names == [t("Home"), t("Students"), t("Follow-up"), t("Notifications"), t("More")]
    box = bar.bounding_box()
    assert abs(box["y"] + box["height"] - PHONE["height"]) < 1  # at the thumb
    # The same count as the menu's: the late deadlines (H1 of both students).
    assert bar.locator(".tabbar-item").first.locator(".badge").inner_text() == "2"

    bar.get_by_role("link", name=t("Students")).click()
    page.wait_for_url(f"{browse.base_url}/students/")
    assert bar.locator(".active").inner_text() == t("Students")
    table = page.locator("table.table-stack")
    assert is_a_card(table)
    row = table.locator("tbody tr").filter(has_text="欧阳丽娜娜")
    # The name is the card's title; every other value follows its column's name.
    expected = ["Status", "Grade", "Learning manager", "Hours left", "Next lesson", "Open deadlines"]
    assert labels_shown(row) == [f'"{t(label)}："' for label in [*expected, "Overdue"]]
    browse.shot("phone-student-cards")
    assert not scrolls_sideways(page), wider_than_the_screen(page)

    # The page ends above the bar: the last card is not hidden behind it.
    page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
    last = table.locator("tbody tr").last.bounding_box()
    assert last["y"] + last["height"] <= bar.bounding_box()["y"]

    # "More" opens the whole menu just above the bar.
    bar.get_by_role("button", name=t("More")).click()
    page.locator("#main-nav.show").wait_for()  # opened: no longer sliding
    people = page.locator("#main-nav").get_by_role("link", name=t("People"))
    assert people.bounding_box()["y"] + people.bounding_box()["height"] <= bar.bounding_box()["y"]
    people.click()
    page.wait_for_url(f"{browse.base_url}/people/")

    # Wider than a phone the bar is gone and the table is a table again.
    page.set_viewport_size({"width": 1280, "height": 800})
    browse.go("/students/")
    assert not bar.is_visible()
    assert page.locator("table.table-stack thead").is_visible()


def test_on_a_phone_the_team_s_queue_on_the_supervisor_s_home_is_cards(browse, company, caseload):
    page = browse.page
    page.set_viewport_size(PHONE)
    browse.sign_in(company.supervisor_a.username, PASSWORD)
    team = page.locator("section[aria-labelledby=team-day-title] table")
    assert is_a_card(team)
    manager = page.get_by_role("rowheader", name=company.manager_a1.display_name)
    row = team.locator("tbody tr").filter(has=manager)
    expected = ["Overdue", "Due today", "Next 7 days", "On time this month"]
    assert labels_shown(row) == [f'"{t(label)}："' for label in expected]
    late = team.locator("tr.team-rows").first
    assert late.get_by_text("欧阳丽娜娜").first.is_visible()  # the late H1, under its manager's card
    browse.shot("phone-team-day")
    assert not scrolls_sideways(page), wider_than_the_screen(page)


def test_the_manifest_the_phone_installs_from_is_served_as_json_with_its_icons(browse):
    page = browse.go("/accounts/login/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    answer = page.request.get(browse.base_url + href)
    assert answer.ok and answer.headers["content-type"].startswith("application/json")
    manifest = answer.json()
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        image = page.request.get(urljoin(browse.base_url + href, icon["src"]))
        assert image.ok and image.headers["content-type"] == "image/png"


def test_on_a_phone_each_entry_form_is_drawn_when_opened_and_fits(browse, company, caseload):
    """The student page comes without its entry forms; opening one fetches it in place, it fits the
    screen, and a callback typed on the phone is saved."""
    page = browse.page
    page.set_viewport_size(PHONE)
    browse.sign_in(company.manager_a1.username, PASSWORD)
    browse.go(f"/students/{caseload.pk}/")
    callbacks = page.locator("#callbacks")
    assert callbacks.locator("[name=summary]").count() == 0

    callbacks.locator("summary").click()
    callbacks.locator("[name=summary]").wait_for()  # fetched and put in place
    assert callbacks.locator("details").get_attribute("open") is not None
    for section in ("#scores", "#growth", "#concerns"):
        page.locator(section).locator("summary").first.click()
        page.locator(section).locator("form").first.wait_for()
    browse.shot("phone-entry-forms")
    assert not scrolls_sideways(page), wider_than_the_screen(page)

    callbacks = page.locator("#callbacks")
    browse.fill(
        {"with_whom": "parent", "channel": "phone", "summary": "电话回访：家长说孩子愿意继续上物理。"},
        scope=callbacks,
    )
    callbacks.get_by_role("button", name=t("Save")).click()
    page.locator("#callbacks").get_by_text("电话回访：家长说孩子愿意继续上物理。").wait_for()
    browse.assert_clean()
