"""The page benchmark (make bench-pages) on a tiny company, so that it cannot rot: the generator writes
every table within the models' constraints (foreign keys checked), the demo's people keep their
scopes, their pages answer in the process, and one pass of the load driver signs in through gunicorn.
"""

import io

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from accounts.models import User
from benchmarks import load
from benchmarks.company import APPS, NOT_WRITTEN, Company, Sizes, scopes
from benchmarks.management.commands.bench_pages import Command
from benchmarks.pages import candidates, measure
from deadlines.models import ACTIVE, Deadline
from demo.company import DEMO_PASSWORD
from students.models import Student
from students.services import hours_reconcile
from timeline.models import Event

TINY = Sizes.scaled(0.0005, students=200)  # 10 retention cases: one at each stage, refunds


def test_the_figures_scale_and_keep_what_the_demo_people_need():
    assert Sizes() == Sizes.scaled(1)
    assert Sizes().as_dict() == {
        "campuses": 100,
        "managers": 2_000,
        "students": 100_000,
        "guardians": 125_000,
        "callbacks": 5_000_000,
        "lessons": 3_800_000,
        "deadlines": 1_000_000,
        "events": 10_000_000,
    }
    assert (TINY.campuses, TINY.managers, TINY.students, TINY.lessons) == (2, 6, 200, 1900)
    assert Sizes.scaled(0.01, students=3000).students == 3000


@pytest.mark.django_db(transaction=True)
def test_a_tiny_company_is_written_measured_and_driven_through_gunicorn():
    company = Company(TINY, out=io.StringIO(), check_foreign_keys=True)
    counts = company.build()
    assert counts["students.Student"] == Student.objects.count() == TINY.students
    assert counts["followups.Callback"] == TINY.callbacks
    assert counts["students.Lesson"] == TINY.lessons
    # The maintained hours are the rows' own: the morning's reconcile finds nothing to fix.
    assert hours_reconcile() == 0 and Student.objects.filter(hours_bought__gt=0).exists()
    assert Event.objects.count() >= TINY.events
    assert Deadline.objects.filter(status__in=ACTIVE).count() == TINY.deadlines
    # Every table of the apps gets rows, but those the generator leaves alone: a new model is
    # either written by benchmarks/company.py or named in NOT_WRITTEN.
    for model in apps.get_models():
        if model._meta.app_label in APPS and model not in NOT_WRITTEN:
            assert model.objects.exists(), f"the bench company writes no {model._meta.label}"
    # manager1 carries 1.6 times the average caseload, supervisor1 leads the team of campus 1.
    assert scopes() == {"manager1 students": 53, "supervisor1 managers": 3, "director1 students": 100}
    assert User.objects.get(username="manager4").team is None
    # The ids written explicitly leave the sequences after them: the app can insert again.
    assert Student.objects.create(full_name="新同学", campus_id=1).pk == TINY.students + 1

    # The pages: tried for each reader, measured in the process; a page not theirs is left out.
    found = candidates("manager1") + candidates("finance1") + candidates("president1")
    assert {"manager1 home", "manager1 students:detail", "manager1 students:list?q=phone"} <= {
        page.key for page in found
    }
    chosen = {
        "manager1 home",
        "manager1 students:list",
        "manager1 students:list?q=phone",
        "manager1 students:detail",
        "finance1 refunds:detail",
        "president1 students:timetable",
        "president1 students:timetable?week=next",
    }
    measured = {m.key: m for m in measure([page for page in found if page.key in chosen])}
    for key in (
        "manager1 home",
        "manager1 students:list?q=phone",
        "manager1 students:detail",
        "finance1 refunds:detail",
    ):
        assert measured[key].status == 200 and measured[key].queries > 0 and measured[key].sql_ms > 0, key
    assert measured["president1 students:timetable"].status == 403  # not the president's page
    assert "president1 students:timetable?week=next" not in measured  # nor tried: its variants

    # One pass of the driver: gunicorn on the test database, two clients signing in with the password.
    db = connection.settings_dict
    user = f"{db['USER']}:{db['PASSWORD']}" if db["PASSWORD"] else db["USER"]
    env = {
        "DATABASE_URL": f"postgres://{user}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
    }
    pages = [
        load.PageRef(m.key, m.username, m.path) for m in measured.values() if m.key.startswith("manager1")
    ]
    log = settings.BASE_DIR / "var" / "bench-pages" / "gunicorn-test.log"
    with load.Server(env, workers=1, log=log, cwd=settings.BASE_DIR) as server:
        loads = load.drive("127.0.0.1", server.port, pages[:2], password=DEMO_PASSWORD, clients=2, requests=3)
    assert len(loads) == 2
    for result in loads.values():
        assert len(result.latencies) == 3 and not result.errors
        assert 0 < result.median_ms <= result.p95_ms

    # Both sides served at once and each page loaded on one, then the other (here the same database).
    out = io.StringIO()
    command = Command(stdout=out)
    command.env = lambda url: env
    first, second = (page.key for page in pages[:2])
    rows = {key: measured[key].as_dict() for key in (first, second, "president1 students:timetable")}
    sides = command.load_sides(
        {"company": "unused", "demo": "unused"},
        {"company": rows, "demo": {first: rows[first]}},
        {"clients": 2, "requests": 2, "workers": 1, "page_seconds": 60},
    )
    assert list(sides["company"]) == [first, second] and list(sides["demo"]) == [first]  # not the 403
    assert all(len(result.latencies) == 2 for side in sides.values() for result in side.values())
    progress = [line for line in out.getvalue().splitlines() if line.startswith("    manager1")]
    assert "company p50" in progress[0] and "demo p50" in progress[0] and "demo" not in progress[1]


def test_the_table_ends_with_the_summary_line():
    def side(p95s):
        return {
            "measured": {key: {"status": 200, "queries": 9, "ms": 50.0, "sql_ms": 10.0} for key in p95s},
            "loads": {key: load.Load(key, [p95 / 1000]) for key, p95 in p95s.items()},
        }

    out = io.StringIO()
    command = Command(stdout=out)
    company = side({"manager1 home": 240, "director1 students:list": 310})
    demo = side({"manager1 home": 120, "director1 students:list": 300})
    options = {"clients": 8, "requests": 32, "workers": 4}
    command.report({"company": company, "demo": demo}, TINY, {"seconds": 3}, options)
    lines = out.getvalue().splitlines()
    assert lines[-1] == (
        "pages: 2 measured, worst p95 310 ms (director1 students:list), worst p95 ratio company/demo 2.00"
    )
    assert any(line.startswith("manager1 home") and line.endswith("2.00") for line in lines)
