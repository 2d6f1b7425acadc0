"""Browser journeys: Debian's Chromium, driven by Playwright, against the live server.

Each journey signs in and works through the pages with clicks and typing only, in Simplified Chinese
as the users see them (`t()` gives the Chinese of a source string, so the tests read in English).
Every console error, failed request and answer of 400 or more fails the journey; a failing journey
leaves a full-page screenshot under var/e2e/.
"""

import os
import re
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import translation

# Playwright's sync API runs an event loop in the test's thread; Django would refuse its ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "e2e"
PHONE = {"width": 390, "height": 844}


def t(text: str) -> str:
    """The Simplified Chinese the pages show for a source string."""
    with translation.override("zh-hans"):
        return translation.gettext(text)


def exactly(text: str) -> re.Pattern:
    """A name matching the whole label, not a longer one containing it."""
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture(scope="session", autouse=True)
def _no_old_failures():
    """var/e2e/ shows the failures of the last run only."""
    for old in SHOTS.glob("failed-*.png"):
        old.unlink()


@pytest.fixture(autouse=True)
def _e2e_settings(settings, tmp_path, live_server):
    """Uploads go to a folder of the test's own; the process's defaults a flushed database lost."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # The transactional database is emptied after each journey, rows of data migrations included.
    import_module("handover.migrations.0002_default_paper_items").add_items(apps, None)
    import_module("refunds.migrations.0002_default_chain").default_chain(apps, None)


class Problems(list):
    """What went wrong in the browser: console errors, page errors, failed or refused requests."""

    def watch(self, page):
        page.on("console", lambda m: m.type == "error" and self.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.append(f"page error: {e}"))
        page.on("requestfailed", self.request_failed)
        page.on("response", lambda r: r.status >= 400 and self.append(f"{r.status}: {r.url}"))
        return self

    def request_failed(self, request):
        # A page left before its favicon (or an htmx fragment) arrived cancels it: not a failure.
        if request.failure != "net::ERR_ABORTED":
            self.append(f"failed: {request.url} {request.failure}")


@pytest.fixture
def browse(page, live_server):
    """A Playwright page on the live server, watched for problems, with the usual moves."""
    browser = Browser(page, live_server.url)
    yield browser
    browser.assert_clean()


class Browser:
    def __init__(self, page, base_url: str):
        self.page, self.base_url = page, base_url
        self.problems = Problems().watch(page)
        page.set_default_timeout(10_000)

    def assert_clean(self):
        """No console error, page error, failed request or error answer so far."""
        found, self.problems[:] = list(self.problems), []
        assert not found, "the browser reported:\n" + "\n".join(found)

    def go(self, path: str):
        self.page.goto(self.base_url + path)
        return self.page

    def sign_in(self, username: str, password: str):
        page = self.go("/accounts/login/")
        page.locator("[name=username]").fill(username)
        page.locator("[name=password]").fill(password)
        page.get_by_role("button", name=exactly(t("Sign in"))).click()
        page.wait_for_url(self.base_url + "/")
        return page

    def sign_out(self):
        page = self.page
        # The stylesheet decides whether the menu is folded: before it applies (a page still loading
        # after a redirect) the toggler shows for an instant and then hides.
        page.wait_for_load_state("load")
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible():
            toggler.click()
        page.locator("#main-nav .dropdown-toggle").click()
        page.get_by_role("button", name=t("Sign out")).click()
        page.wait_for_url(re.compile(r"/accounts/login/"))
        self.assert_clean()

    def fill(self, fields: dict, scope=None):
        """Types each value into the field of that name; a select picks the option of that value
        or, failing that, of that label."""
        where = scope or self.page
        for name, value in fields.items():
            field = where.locator(f"[name={name}]")
            if field.evaluate("e => e.tagName") == "SELECT":
                by_value = field.locator("option").evaluate_all(
                    "(options, v) => options.some(o => o.value === v)", value
                )
                field.select_option(value=value) if by_value else field.select_option(label=value)
            else:
                field.fill(value)

    def click(self, name: str, role: str = "button"):
        self.page.get_by_role(role, name=exactly(t(name))).click()

    def follow(self, name: str):
        self.click(name, role="link")

    def nav(self, name: str):
        """A section of the navigation bar."""
        self.page.locator("#main-nav").get_by_role("link", name=exactly(t(name))).click()

    def shot(self, name: str):
        """Keep a picture of the page (var/e2e/NAME.png) to look at by eye."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed and (page := item.funcargs.get("page")):
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", item.name)
        try:
            page.screenshot(path=SHOTS / f"failed-{name}.png", full_page=True)
        except Exception as error:  # the page may be gone with the failure
            report.sections.append(("screenshot", f"none taken: {error}"))
        else:
            report.sections.append(("screenshot", str(SHOTS / f"failed-{name}.png")))
    return report
