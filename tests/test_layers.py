"""The layers of the apps (pyproject.toml's import-linter contract) and the extension points that
keep them one way: events announced below and answered above, pages that gather from registries."""

import subprocess
import sys
from pathlib import Path

from accounts import home
from retention import case_page
from students import events, sections

ROOT = Path(__file__).resolve().parents[1]


def test_no_app_imports_an_app_above_it():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _uids(signal) -> list[str]:
    return [lookup_key[0] for lookup_key, *_ in signal.receivers]


def test_each_event_of_the_file_has_its_answers_in_order():
    # Receivers run in the order of INSTALLED_APPS: the handover starts before the case moves along.
    assert _uids(events.student_assigned) == ["handover.student_assigned", "retention.student_assigned"]
    assert _uids(events.lesson_moving) == ["handover.lesson_moving"]
    for name in (
        "contract_renewed",
        "lessons_scheduled",
        "lesson_changed",
        "lesson_missed",
        "first_lesson_taught",
        "lesson_taught",
        "document_added",
    ):
        assert _uids(getattr(events, name)) == [f"followups.{name}"]


def test_the_pages_that_gather_know_their_parts_from_the_registries():
    assert sorted(sections.SECTIONS, key=lambda key: sections.SECTIONS[key].order) == [
        "handover",
        "followups",
        "retention",
    ]
    assert set(home.PARTS) == {"my_day", "followups", "team_day", "calendar", "campus_on_time"}
    assert set(home.COUNTS) == {"deadlines"}
    assert set(case_page.PARTS) == {"refund"}
