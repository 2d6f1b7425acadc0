import pytest
from django.urls import reverse

from tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_page_is_in_chinese(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "学管工作台" in html


def test_login_page_in_english_after_switching(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": LOGIN}, follow=True)
    assert "Sign in" in response.content.decode()


def test_good_login_lands_on_home(client, company):
    response = sign_in(client, company.manager_a1.username, PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")
    assert "王芳" in client.get("/").content.decode()


def test_wrong_password_and_unknown_user_get_the_same_chinese_error(client, company):
    wrong = sign_in(client, company.manager_a1.username, "nope").content.decode()
    unknown = sign_in(client, "nobody-by-this-name", "nope").content.decode()
    message = "用户名或密码错误（区分大小写）。"
    assert message in wrong and message in unknown
    assert "nobody-by-this-name" not in unknown.replace('value="nobody-by-this-name"', "")


def test_lockout_after_five_failures_says_when_to_retry(client, company, settings, time_machine):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    time_machine.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    username = company.manager_a1.username
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, username, "wrong").status_code == 200
    locked = sign_in(client, username, "wrong")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "09:15" in locked.content.decode()  # fifteen minutes after the last failure

    # Even the right password is refused while the lock lasts ...
    assert sign_in(client, username, PASSWORD).status_code == 429
    # ... and accepted once it has passed.
    time_machine.move_to(datetime(2026, 12, 1, 9, 16, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    assert sign_in(client, username, PASSWORD).status_code == 302


def test_lockout_is_per_user_not_per_office(client, company, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, company.manager_a1.username, "wrong")
    # A colleague at the same campus computer still signs in.
    assert sign_in(client, company.manager_a2.username, PASSWORD).status_code == 302


def test_logout_needs_a_post_and_ends_the_session(client, company):
    client.force_login(company.manager_a1)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response.url == reverse("login")
    assert client.get("/").status_code == 302


def test_password_change(client, company):
    client.force_login(company.manager_a1)
    assert "修改密码" in client.get("/accounts/password/").content.decode()
    bad = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    )
    assert bad.status_code == 200
    assert "你的旧密码不正确" in bad.content.decode()
    good = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Lantern-Quay-91", "new_password2": "Lantern-Quay-91"},
    )
    assert good.status_code == 302
    company.manager_a1.refresh_from_db()
    assert company.manager_a1.check_password("Lantern-Quay-91")


@pytest.mark.parametrize("path", ["/", "/people/", "/accounts/password/"])
def test_pages_need_sign_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_chinese_even_when_the_browser_asks_for_english(client, db):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录" in response.content.decode()
