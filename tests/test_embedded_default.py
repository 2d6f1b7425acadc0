"""`make run` serves the demo on the embedded default database (SQLite), which the rest of the suite
does not use: a query PostgreSQL accepts and SQLite refuses fails only there. So the demo is seeded
into a SQLite file once, in a process of its own, and every role's pages reachable from its home
are opened there: none may fail."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CRAWL = """
import logging, re
import django
django.setup()
logging.disable(logging.CRITICAL)
from django.test import Client
from accounts.models import User

failed = []
for username in ("manager1", "supervisor1", "director1", "president1", "finance1", "consultant1", "teacher1"):
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    seen, todo = set(), ["/"]
    while todo and len(seen) < 60:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code >= 500:
            failed.append(f"{username} {path} {response.status_code}")
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for link in re.findall(r'href="(/[^"#]*)"', response.content.decode()):
                link = link.replace("&amp;", "&")
                if not link.startswith(("/static", "/i18n", "/accounts/logout", "/admin")):
                    todo.append(link)
print("FAILED:" + ";".join(failed))
"""


@pytest.mark.integration
def test_every_roles_pages_answer_on_the_embedded_default(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DEBUG="true",
        ALLOWED_HOSTS="testserver,localhost",
        DJANGO_SETTINGS_MODULE="config.settings",
        CELERY_TASK_ALWAYS_EAGER="true",
    )

    def run(*args):
        return subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )

    run("manage.py", "migrate", "--noinput", "-v0")
    run("manage.py", "seed_demo")
    out = run("-c", CRAWL).stdout

    assert "FAILED:" in out
    assert out.split("FAILED:")[-1].strip() == ""
