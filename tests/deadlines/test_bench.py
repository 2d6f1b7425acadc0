import re

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_the_benchmark_runs_and_prints_its_figures(capsys):
    call_command("bench_sweep", open=300, due=40, batch=16, campuses=3, reminders=25)
    out = capsys.readouterr().out
    assert "open=300 due=40 batch=16 campuses=3" in out
    assert "swept: overdue=40 reminded=0 escalated=0 notified=40" in out
    assert "bare SQL:" in out and "ratio:" in out
    # The bound that writes what the sweep writes (it checks the rows are the same), on a line of its own.
    assert "same writes:" in out and "queries=4" in out  # 16 + 16 + 8, one statement per batch
    assert re.search(r"^  ratio to the same writes: \d+\.\d\d$", out, re.MULTILINE)
    # The idle sweep: as many active deadlines, nothing due but the reminders.
    assert re.search(r"^  idle sweep: \d+\.\d{3}s  queries=\d+  over 300 active deadlines", out, re.MULTILINE)
    assert "swept: overdue=0 reminded=25 escalated=0" in out


@pytest.mark.django_db(transaction=True)
def test_the_idle_sweep_alone(capsys):
    call_command("bench_sweep", open=300, campuses=2, reminders=10, idle=True)
    out = capsys.readouterr().out
    assert "idle sweep:" in out and "reminded=10" in out
    assert "same writes" not in out
