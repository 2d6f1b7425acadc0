"""The command itself: DEBUG, --force, and a seed on a weekend morning."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User

from .checks import ROLES, lessons_off_hours, open_deadlines_without_their_opening, work_of


def test_refuses_with_debug_off_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_on_a_sunday_morning_everyone_still_finds_work(db, settings, time_machine, capsys):
    settings.DEBUG = True  # as make run seeds it
    sunday = datetime(2027, 3, 7, 7, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    time_machine.move_to(sunday, tick=False)
    call_command("seed_demo")
    assert "demo1234" in capsys.readouterr().out
    idle = {name: work_of(User.objects.get(username=name), sunday) for name in ROLES}
    assert all(idle.values()), {name: found for name, found in idle.items() if not found}
    assert open_deadlines_without_their_opening() == []
    assert lessons_off_hours() == []
