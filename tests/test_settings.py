"""Settings load in each mode: development defaults, production from the environment, refusals."""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, "
    "s.SESSION_COOKIE_SECURE, s.LANGUAGE_CODE, s.TIME_ZONE, s.DATABASES['default']['CONN_HEALTH_CHECKS'], "
    "s.EMAIL_BACKEND]))"
)
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-production-secret-key-with-enough-entropy-0123456789-abcdefghijk",
    "ALLOWED_HOSTS": "casework.example.com",
    "DATABASE_URL": "postgres://casework:pw@db:5432/casework",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.com:587",
}


def run(code: list[str], **env) -> subprocess.CompletedProcess:
    # A clean environment: nothing of the test run's own settings leaks in.
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    return subprocess.run(
        [sys.executable, *code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def show(**env):
    result = run(["-c", SHOW], **env)
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout)


def test_tests_run_on_postgresql():
    assert connection.vendor == "postgresql"


def test_development_needs_no_server():
    debug, engine, broker, secure_cookie, language, tz, health, email = show(DEBUG="true")
    assert debug is True
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem://"
    assert secure_cookie is False
    assert (language, tz, health) == ("zh-hans", "Asia/Shanghai", True)
    assert email == "django.core.mail.backends.console.EmailBackend"


def test_production_reads_the_environment():
    debug, engine, broker, secure_cookie, *_, email = show(**PRODUCTION)
    assert debug is False
    assert engine == "django.db.backends.postgresql"
    assert broker == "redis://redis:6379/0"
    assert secure_cookie is True
    assert email == "django.core.mail.backends.smtp.EmailBackend"


def test_production_without_secret_key_refuses_to_start():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run(["-c", SHOW], **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    env = {k: v for k, v in PRODUCTION.items() if k != "ALLOWED_HOSTS"}
    result = run(["-c", SHOW], **env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_deploy_check_passes_with_production_values():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


HEADERS = (
    "import django, json; django.setup(); from django.test import Client; "
    "r = Client(HTTP_HOST='casework.example.com').get('/', secure=True); "  # a redirect: no template
    "print(json.dumps([r.status_code, r.get('Content-Security-Policy', '')]))"
)


def test_production_pages_carry_a_content_security_policy():
    import json

    result = run(["-c", HEADERS], **{**PRODUCTION, "DATABASE_URL": "sqlite:///:memory:"})
    assert result.returncode == 0, result.stderr
    status, policy = json.loads(result.stdout.splitlines()[-1])
    assert status == 302
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe" not in policy


def test_the_old_proxy_count_name_is_refused_with_the_new_one():
    result = run(["-c", SHOW], **PRODUCTION, AXES_PROXY_COUNT="1")
    assert result.returncode != 0
    assert "AXES_PROXY_COUNT is now PROXY_COUNT" in result.stderr


def test_forwarded_proto_is_not_trusted_by_django():
    # gunicorn sets the scheme from X-Forwarded-Proto, only for FORWARDED_ALLOW_IPS (docker-compose.yml).
    from django.conf import settings
    from django.test import RequestFactory

    assert settings.SECURE_PROXY_SSL_HEADER is None
    assert not RequestFactory().get("/", HTTP_X_FORWARDED_PROTO="https").is_secure()


def test_the_web_process_keeps_what_it_loaded_out_of_the_collectors_passes():
    code = "import gc; import config.wsgi; print(gc.get_freeze_count())"
    result = run(["-c", code], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 50_000  # Django, the apps and their templates' machinery
