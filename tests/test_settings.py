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
