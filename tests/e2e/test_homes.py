"""Every demo role signs in and its home renders: no console error, no failed resource."""

import re

import pytest
from django.core.management import call_command

from .conftest import PHONE, t
from .test_phone import scrolls_sideways, wider_than_the_screen

pytestmark = pytest.mark.e2e

# One demo user of each role (README, "Demo logins"); the password of them all is demo1234.
ONE_OF_EACH_ROLE = [
    "manager1",
    "supervisor1",
    "director1",
    "consultant1",
    "teacher1",
    "headteacher1",
    "scheduler1",
    "finance1",
    "president1",
    "admin",
]


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", force=True, verbosity=0)


def test_every_demo_role_signs_in_to_a_home_without_errors(demo, browse):
    page = browse.go("/accounts/login/")
    with page.expect_response(re.compile(r"/static/favicon\.png$")) as icon:
        page.reload()
    assert icon.value.status == 200 and icon.value.header_value("content-type") == "image/png"
    for username in ONE_OF_EACH_ROLE:
        page = browse.sign_in(username, "demo1234")
        assert page.locator("main h1").first.is_visible()
        page.wait_for_load_state("networkidle")  # every script, style and image has answered
        browse.assert_clean()
        if username == "manager1":
            assert page.get_by_role("heading", name=t("My day")).is_visible()
            browse.shot("home-manager1")
            on_a_phone(browse)
        browse.sign_out()


def on_a_phone(browse):
    """The demo's My day and the first student on it fit a phone too (test_phone.py has the detail)."""
    page = browse.page
    page.set_viewport_size(PHONE)
    page.reload()
    browse.shot("phone-demo-my-day")
    assert not scrolls_sideways(page), wider_than_the_screen(page)
    page.locator("section[aria-labelledby=my-day-title] a[href^='/students/']").first.click()
    page.locator("#timeline").wait_for()
    browse.shot("phone-demo-student")
    assert not scrolls_sideways(page), wider_than_the_screen(page)
    page.set_viewport_size({"width": 1280, "height": 720})
    browse.go("/")
