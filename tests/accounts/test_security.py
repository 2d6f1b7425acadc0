"""Sign-in behind the proxy, passwords, the login page's `next`, private pages, request sizes."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
PROXY = "172.18.0.1"  # the proxy, as the web container sees it


def sign_in(client, username, password, forwarded_for=None):
    extra = {"REMOTE_ADDR": PROXY}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@pytest.fixture
def behind_one_proxy(settings):
    settings.PROXY_COUNT = 1


def lock(client, settings, username, forwarded_for):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, username, "wrong", forwarded_for)
    assert sign_in(client, username, PASSWORD, forwarded_for).status_code == 429


def test_behind_the_proxy_the_lock_is_the_attackers_not_the_users(
    client, company, settings, behind_one_proxy
):
    username = company.manager_a1.username
    lock(client, settings, username, "203.0.113.66")
    # The manager herself, at her campus, behind the same proxy: her own address, not locked.
    assert sign_in(client, username, PASSWORD, "198.51.100.7").status_code == 302


def test_a_forged_forwarded_for_entry_does_not_escape_the_lock(client, company, settings, behind_one_proxy):
    username = company.manager_a1.username
    lock(client, settings, username, "203.0.113.66")
    # The client writes an address of its own; the proxy appends the one it really came from.
    assert sign_in(client, username, PASSWORD, "198.51.100.7, 203.0.113.66").status_code == 429
    assert sign_in(client, username, PASSWORD, "not-an-address, 203.0.113.66").status_code == 429


def test_without_a_proxy_the_forwarded_for_header_is_ignored(client, company, settings):
    settings.PROXY_COUNT = 0
    username = company.manager_a1.username
    lock(client, settings, username, "203.0.113.66")
    # Directly connected, a client could write any header: REMOTE_ADDR is the address.
    assert sign_in(client, username, PASSWORD, "198.51.100.7").status_code == 429


def test_client_ip_counts_proxies_from_the_right(rf, settings):
    from config.network import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5, 10.0.0.1")
    settings.PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.PROXY_COUNT = 2  # e.g. a CDN, then the campus's own proxy
    assert client_ip(request) == "203.0.113.5"
    settings.PROXY_COUNT = 1
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"  # a probe straight at the container


# Passwords ------------------------------------------------------------------------------------


def change_password(client, new):
    return client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Qz7-kp", "密码长度太短"),
        ("Qz7-kpLm9", "密码长度太短"),  # nine characters: ten are needed
        ("password123", "这个密码太常见了"),
        ("8203948571023", "密码只包含数字"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(client, company, new, message):
    client.force_login(company.manager_a1)
    response = change_password(client, new)
    assert response.status_code == 200
    assert message in response.content.decode()
    company.manager_a1.refresh_from_db()
    assert company.manager_a1.check_password(PASSWORD)


def test_a_password_like_the_user_name_or_full_name_is_refused(company):
    user = company.manager_a1
    user.username, user.full_name = "wangfang2024", "Wang Fangyuan"
    for similar in ("wangfang2024!", "Wang Fangyuan"):
        with pytest.raises(ValidationError) as refused:
            validate_password(similar, user)
        assert "password_too_similar" in {error.code for error in refused.value.error_list}


def test_the_current_password_cannot_be_the_new_one(client, company):
    company.manager_a1.set_password("Lantern-Quay-91")
    company.manager_a1.save()
    client.force_login(company.manager_a1)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "Lantern-Quay-91",
            "new_password1": "Lantern-Quay-91",
            "new_password2": "Lantern-Quay-91",
        },
    )
    assert response.status_code == 200
    assert "新密码不能与当前密码相同。" in response.content.decode()
    # A different, good password is accepted.
    assert (
        client.post(
            "/accounts/password/",
            {
                "old_password": "Lantern-Quay-91",
                "new_password1": "Orchid-Ferry-58",
                "new_password2": "Orchid-Ferry-58",
            },
        ).status_code
        == 302
    )


def test_a_new_user_may_get_any_good_password(db):
    from accounts.models import User

    validate_password("Lantern-Quay-91", User(username="newcomer"))  # nothing to compare with: no error


# The login page's `next` ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_url",
    [
        "/accounts/login/",
        "/accounts/login",
        "/accounts/login/?next=/accounts/login/",
        "https://evil.example.com/",
        "//evil.example.com/accounts/login/",
    ],
)
def test_signed_in_a_next_back_to_the_login_page_or_off_site_goes_home(client, company, next_url):
    client.force_login(company.manager_a1)
    response = client.get(LOGIN, {"next": next_url})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_signed_in_a_next_inside_the_site_is_followed(client, company):
    client.force_login(company.manager_a1)
    response = client.get(LOGIN, {"next": "/people/"})
    assert response.status_code == 302 and response.url == "/people/"


def test_signing_in_with_next_at_the_login_page_lands_home(client, company):
    response = client.post(
        f"{LOGIN}?next={LOGIN}", {"username": company.manager_a1.username, "password": PASSWORD}
    )
    assert response.status_code == 302 and response.url == reverse("home")


# Private pages are not kept -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/people/", "/no-such-page/", "/accounts/password/"])
def test_pages_for_a_signed_in_user_are_not_stored(client, company, path):
    client.force_login(company.manager_a1)
    cache_control = client.get(path)["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control


def test_static_files_stay_cacheable(company, settings):
    from django.test import Client

    # WhiteNoise answers static files before the rule runs; tests have no collectstatic output,
    # so a fresh client (its middleware built now) looks the files up in the finders.
    settings.WHITENOISE_USE_FINDERS = settings.WHITENOISE_AUTOREFRESH = True
    client = Client()
    client.force_login(company.manager_a1)
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# Request bodies are bounded -------------------------------------------------------------------


def test_a_body_larger_than_the_limit_gets_a_calm_413(client, company, settings):
    client.force_login(company.manager_a1)
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * settings.REQUEST_BODY_MAX_BYTES)
    response = client.post("/people/", {"file": upload})
    assert response.status_code == 413
    assert "提交的内容太大" in response.content.decode()


def test_the_limit_fits_a_twenty_megabyte_document(settings):
    from students.services import DOCUMENT_MAX_BYTES

    assert settings.REQUEST_BODY_MAX_BYTES >= DOCUMENT_MAX_BYTES + 512 * 1024


def test_too_many_fields_get_a_calm_400(client, company, settings):
    client.force_login(company.manager_a1)
    fields = {f"f{number}": "x" for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post("/accounts/password/", fields)
    assert response.status_code == 400
    assert "这个请求无法处理" in response.content.decode()


def test_too_much_form_text_gets_a_calm_400(client, company, settings):
    client.force_login(company.manager_a1)
    big = {"old_password": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    response = client.post("/accounts/password/", big)
    assert response.status_code == 400
    assert "这个请求无法处理" in response.content.decode()
