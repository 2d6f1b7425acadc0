"""The demo seeded once per test module, on a fixed Wednesday morning; each test runs inside it and
rolls back what it changes."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

# A Wednesday in term time, at ten in the morning in Beijing.
SEEDED_AT = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def seeded(moment: datetime):
    """A module fixture: the demo seeded at `moment`, kept for the module, rolled back after it."""

    @pytest.fixture(scope="module")
    def fixture(django_db_setup, django_db_blocker, tmp_path_factory):
        media = tmp_path_factory.mktemp("media")
        hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=hashers):
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                with time_machine.travel(moment, tick=False):
                    call_command("seed_demo", force=True)
                yield moment
            finally:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)

    return fixture


@pytest.fixture
def at_seed_time(time_machine):
    """The clock of the test stands where the seed left it."""
    time_machine.move_to(SEEDED_AT, tick=False)
    return SEEDED_AT


@pytest.fixture(autouse=True)
def media_of_tests(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
