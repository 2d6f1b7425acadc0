"""The real parts: a task sent through Redis runs in a worker process; beat schedules it from the database.

The worker and beat are separate processes on the test database, as in production; each run listens
on a queue of its own so no other worker on this machine takes its tasks.
"""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accounts.tasks import sessions_clear

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def database_url_of_the_tests() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def queue() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def celery_process(transactional_db, queue):
    """Starts `celery -A config <args>` on the test database; stops it after the test."""
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the integration tests need the Redis broker"
    started = []
    # The worker's own follow-up tasks go to the test's queue too, so nothing is left in Redis.
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_the_tests(),
        "CONN_MAX_AGE": "0",
        "CELERY_QUEUE": queue,
    }

    def start(*args: str) -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "config", *args, "--loglevel=INFO"]
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        started.append(process)
        return process

    yield start
    for process in started:
        process.terminate()
    for process in started:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def expired_and_live_sessions() -> tuple[str, str]:
    expired, live = SessionStore(), SessionStore()
    expired.create()
    live.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    return expired.session_key, live.session_key


def wait_until(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_worker_runs_a_task_sent_through_redis(celery_process, queue):
    expired, live = expired_and_live_sessions()
    celery_process("worker", "--pool=solo", "--queues", queue, "--without-gossip", "--without-mingle")

    result = sessions_clear.apply_async(queue=queue)

    assert result.get(timeout=60) == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert expired != live


def test_beat_schedules_from_the_database_and_the_worker_runs_it(celery_process, queue):
    expired, live = expired_and_live_sessions()
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name=f"sessions-clear-{queue}", task="accounts.sessions_clear", interval=every_second, queue=queue
    )
    celery_process("worker", "--pool=solo", "--queues", queue, "--without-gossip", "--without-mingle")
    celery_process("beat", "--max-interval", "1")

    # Nothing but beat sends to this queue, so the expired session going away is beat's doing.
    wait_until(lambda: not Session.objects.filter(session_key=expired).exists(), timeout=60, what="beat")
    assert Session.objects.filter(session_key=live).exists()


def test_the_deadline_sweep_runs_in_the_worker(celery_process, queue, company):
    from deadlines.models import Deadline, Notification, Status
    from deadlines.services import deadline_open
    from deadlines.tasks import sweep_deadlines
    from students.models import Student

    student = Student.objects.create(full_name="小明", campus=company.campus_a, manager=company.manager_a1)
    deadline_open(
        rule="H4", subject=student, owner=company.manager_a1, start=timezone.now() - timedelta(hours=25)
    )
    celery_process("worker", "--pool=solo", "--queues", queue, "--without-gossip", "--without-mingle")

    result = sweep_deadlines.apply_async(queue=queue)

    assert result.get(timeout=60).startswith("swept: overdue=1 ")
    assert Deadline.objects.get().status == Status.OVERDUE
    assert Notification.objects.filter(recipient=company.manager_a1).count() == 1
